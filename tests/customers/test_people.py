"""People and companies over REST: CRUD, validation, every list filter, detail, phone check, scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from models.audit import ActionLog
from models.customers import CustomerEntity
from models.events import OutboxEvent
from tests.conftest import Api, login
from tests.customers.conftest import Customers
from tests.factories import make_world

PERSON_LIST_KEYS = {
    "id",
    "description",
    "owner_user_id",
    "primary_email",
    "primary_phone",
    "status",
    "lifecycle_stage",
    "source",
    "next_interaction_at",
    "next_interaction_name",
    "next_interaction_ref_id",
    "next_interaction_icon",
    "next_interaction_color",
    "organization_id",
    "tenant_id",
    "created_at",
}


async def test_person_crud_round_trip(crm, admin, world, sessionmaker):
    status, body = await admin.post(
        "/api/customers/people",
        {
            "firstName": "Grace",
            "lastName": "Hopper",
            "primaryEmail": "grace@navy.mil",
            "status": "active",
            "customFields": {"rank": "admiral"},
            "jobTitle": "Rear admiral",
        },
    )
    assert status == 201 and body == {"id": body["id"], "personId": body["id"]}
    person_id = body["id"]
    page = await crm.list("people", ids=person_id)
    item = page["items"][0]
    assert set(item) >= PERSON_LIST_KEYS
    assert item["display_name"] == "Grace Hopper" and item["custom_fields"] == {"rank": "admiral"}
    assert item["organization_id"] == str(world.root_org) and item["tenant_id"] == str(world.tenant_id)
    assert page["total"] == 1 and page["totalPages"] == 1

    assert await admin.put("/api/customers/people", {"id": person_id, "lastName": "Murray Hopper"}) == (
        200,
        {"ok": True},
    )
    item = (await crm.list("people", ids=person_id))["items"][0]
    assert item["display_name"] == "Grace Murray Hopper" and item["last_name"] == "Murray Hopper"
    # An explicit display name wins over first/last.
    await admin.put("/api/customers/people", {"id": person_id, "displayName": "Amazing Grace"})
    assert (await crm.list("people", ids=person_id))["items"][0]["display_name"] == "Amazing Grace"

    assert await admin.delete(f"/api/customers/people?id={person_id}") == (200, {"ok": True})
    assert (await crm.list("people", ids=person_id))["total"] == 0
    assert (await admin.get(f"/api/customers/people/{person_id}"))[0] == 404
    assert (await admin.delete("/api/customers/people", json={"id": person_id}))[0] == 404

    async with sessionmaker() as session:
        events = set(
            (
                await session.execute(
                    select(OutboxEvent.name).where(OutboxEvent.payload["id"].astext == person_id)
                )
            ).scalars()
        )
        actions = set(
            (
                await session.execute(select(ActionLog.command_id).where(ActionLog.resource_id == person_id))
            ).scalars()
        )
    assert events == {"customers.person.created", "customers.person.updated", "customers.person.deleted"}
    assert actions == {"customers.person.create", "customers.person.update", "customers.person.delete"}


async def test_validation_errors(admin):
    status, body = await admin.post("/api/customers/people", {"firstName": "Solo"})
    assert status == 400 and body["error"] == "Validation failed"
    assert any(d["path"] == ["lastName"] for d in body["details"])
    assert (await admin.post("/api/customers/companies", {"description": "nameless"}))[0] == 400
    assert (await admin.post("/api/customers/companies", {"displayName": "  "}))[0] == 400
    status, body = await admin.post(
        "/api/customers/people", {"firstName": "A", "lastName": "B", "nextInteraction": {"name": "call"}}
    )
    assert status == 400 and body["details"][0]["path"] == ["nextInteraction"]
    assert (await admin.put("/api/customers/people", {"id": "not-a-uuid"})) == (
        400,
        {
            "error": "Invalid id",
            "details": [{"code": "invalid_string", "message": "Invalid id", "path": ["id"]}],
        },
    )
    assert (await admin.post("/api/customers/people", "not an object"))[0] == 400


async def test_company_with_people_and_detail_includes(crm, admin):
    status, body = await admin.post(
        "/api/customers/companies", {"displayName": "Initech", "domain": "initech.example"}
    )
    assert status == 201 and body["companyId"] == body["id"]
    company = body["id"]
    peter = await crm.person("Peter", "Gibbons", companyEntityId=company, jobTitle="Engineer")
    await crm.person("Milton", "Waddams")
    assert await crm.ids("people", companyEntityId=company) == {peter}
    await crm.create(
        "addresses", {"entityId": company, "addressLine1": "1 Main St", "city": "Austin", "isPrimary": True}
    )
    await crm.create("comments", {"entityId": company, "body": "Stapler missing"})
    deal = await crm.deal("Printer upgrade", companyIds=[company])

    status, detail = await admin.get(
        f"/api/customers/companies/{company}?include=people,addresses,comments,deals"
    )
    assert status == 200
    assert detail["interactionMode"] == "canonical"
    assert detail["company"]["displayName"] == "Initech" and detail["profile"]["domain"] == "initech.example"
    assert [p["id"] for p in detail["people"]] == [peter] and detail["people"][0]["jobTitle"] == "Engineer"
    assert (
        detail["addresses"][0]["addressLine1"] == "1 Main St" and detail["addresses"][0]["isPrimary"] is True
    )
    assert detail["comments"][0]["body"] == "Stapler missing" and detail["comments"][0]["authorEmail"]
    assert [d["id"] for d in detail["deals"]] == [deal]
    assert detail["activities"] == [] and detail["todos"] == [] and detail["interactions"] == []
    assert detail["viewer"]["email"]
    # Without include the collections stay empty.
    _, bare = await admin.get(f"/api/customers/companies/{company}")
    assert bare["people"] == [] and bare["addresses"] == []


async def test_detail_errors(client, crm, admin, anonymous, world, sessionmaker):
    person = await crm.person()
    assert (await admin.get("/api/customers/people/not-a-uuid"))[0] == 400
    assert (await anonymous.get(f"/api/customers/people/{person}"))[0] == 401
    assert (await admin.get(f"/api/customers/companies/{person}"))[0] == 404  # a person is not a company
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get(f"/api/customers/people/{person}"))[0] == 403
    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    assert (await stranger.get(f"/api/customers/people/{person}"))[0] == 404


async def test_cross_organization_ids_are_not_found(client, crm, admin, world):
    """The employee works in the branch: records of a sibling organization do not exist for them."""
    hidden = await crm.person("Hidden", "Sibling", organizationId=str(world.other_org))
    employee = await login(client, world.emails["employee"])
    mine = await Customers(employee).person("Branch", "Person")
    assert await Customers(employee).ids("people") == {mine}
    assert (await employee.get(f"/api/customers/people/{hidden}"))[0] == 404
    assert (await employee.put("/api/customers/people", {"id": hidden, "status": "x"}))[0] == 404
    assert (await employee.delete(f"/api/customers/people?id={hidden}"))[0] == 404
    assert (
        await employee.post(
            "/api/customers/people",
            {"firstName": "A", "lastName": "B", "companyEntityId": await crm.company()},
        )
    )[0] == 404
    # Creating into an organization outside the caller's scope is refused.
    status, _ = await employee.post(
        "/api/customers/people", {"firstName": "A", "lastName": "B", "organizationId": str(world.other_org)}
    )
    assert status == 403


async def _people_for_filters(crm: Customers, sessionmaker) -> dict[str, str]:
    tag = await crm.create("tags", {"label": "Gold"})
    other_tag = await crm.create("tags", {"label": "Silver"})
    people = {
        "ann": await crm.person(
            "Ann",
            "Archer",
            primaryEmail="Ann.Archer@Alpha.example",
            status="active",
            lifecycleStage="lead",
            source="web",
            primaryPhone="+48 600 100 200",
            tags=[tag],
        ),
        "bob": await crm.person(
            "Bob",
            "Baker",
            primaryEmail="bob@beta.example",
            status="inactive",
            lifecycleStage="customer",
            source="referral",
            tags=[other_tag],
        ),
        "cat": await crm.person(
            "Cat",
            "Cooper",
            primaryEmail="",
            status="active",
            lifecycleStage="customer",
            crmRecordType="partner",
            nextInteraction={"at": "2030-01-01T10:00:00Z", "name": "Call", "icon": "phone"},
        ),
        "dan": await crm.person(
            "Dan",
            "Alphabet",
            primaryEmail="dan_x@alpha.example",
            source="web",
            crmRecordType="referrer",
            tags=[tag, other_tag],
        ),
    }
    # Spread creation times so the date range filters have something to cut.
    async with sessionmaker() as session:
        for days, key in ((30, "ann"), (20, "bob"), (10, "cat"), (0, "dan")):
            await session.execute(
                update(CustomerEntity)
                .where(CustomerEntity.id == people[key])
                .values(created_at=datetime(2025, 1, 31, tzinfo=UTC) - timedelta(days=days))
            )
        await session.commit()
    people["tag"], people["other_tag"] = tag, other_tag
    return people


async def test_list_filters_return_exactly_the_right_rows(crm, sessionmaker):
    p = await _people_for_filters(crm, sessionmaker)
    ann, bob, cat, dan = p["ann"], p["bob"], p["cat"], p["dan"]
    cases = [
        ({}, {ann, bob, cat, dan}),
        ({"search": "arch"}, {ann}),
        ({"search": "ALPHA"}, {ann, dan}),  # display name or e-mail
        ({"emailStartsWith": "ann."}, {ann}),
        ({"emailStartsWith": "ANN"}, {ann}),
        ({"emailStartsWith": "dan_"}, {dan}),
        ({"emailStartsWith": "da%"}, set()),  # LIKE wildcards are literal
        ({"emailContains": "alpha"}, {ann, dan}),
        ({"emailContains": "_x@"}, {dan}),
        ({"email": "BOB@beta.example"}, {bob}),
        ({"status": "active"}, {ann, cat}),
        ({"lifecycleStage": "customer"}, {bob, cat}),
        ({"source": "web"}, {ann, dan}),
        ({"hasEmail": "true"}, {ann, bob, dan}),
        ({"hasEmail": "false"}, {cat}),
        ({"hasPhone": "true"}, {ann}),
        ({"hasPhone": "false"}, {bob, cat, dan}),
        ({"hasNextInteraction": "true"}, {cat}),
        ({"hasNextInteraction": "false"}, {ann, bob, dan}),
        ({"createdFrom": "2025-01-15T00:00:00Z"}, {cat, dan}),
        ({"createdTo": "2025-01-15T00:00:00Z"}, {ann, bob}),
        ({"createdFrom": "2025-01-05", "createdTo": "2025-01-25"}, {bob, cat}),
        ({"crmRecordTypes": "partner,referrer"}, {cat, dan}),
        ({"tagIds": p["tag"]}, {ann, dan}),
        ({"tagIds": f"{p['tag']},{p['other_tag']}"}, {ann, bob, dan}),
        ({"tagIdsEmpty": "true"}, set()),
        ({"tagIdsEmpty": "false"}, {ann, bob, cat, dan}),
        ({"status": "active", "source": "web"}, {ann}),
        ({"id": bob}, {bob}),
        ({"ids": f"{ann},{cat},not-a-uuid"}, {ann, cat}),
        ({"ids": "nope,also-nope"}, set()),
    ]
    for query, expected in cases:
        assert await crm.ids("people", **query) == expected, query


async def test_list_sorting_paging_and_limits(crm, admin, sessionmaker):
    p = await _people_for_filters(crm, sessionmaker)
    page = await crm.list("people", sortField="createdAt", sortDir="desc", pageSize=2)
    assert [i["id"] for i in page["items"]] == [p["dan"], p["cat"]]
    assert page["total"] == 4 and page["totalPages"] == 2 and page["pageSize"] == 2
    page = await crm.list("people", sort="display_name", order="asc", page=2, pageSize=2)
    assert [i["display_name"] for i in page["items"]] == ["Cat Cooper", "Dan Alphabet"]
    assert (await crm.list("people", pageSize=1000))["pageSize"] == 100
    too_many = ",".join(str(__import__("uuid").uuid4()) for _ in range(201))
    assert (await admin.get(f"/api/customers/people?ids={too_many}"))[0] == 400
    assert (await admin.get("/api/customers/people?createdFrom=yesterday"))[0] == 400
    assert (await admin.get("/api/customers/people?tagIds=nope"))[0] == 400


async def test_company_filters(crm):
    a = await crm.company("Alpha Industries", primaryEmail="hello@alpha.example", status="active")
    b = await crm.company("Beta Labs", primaryPhone="123", lifecycleStage="lead")
    await crm.person("Not", "Company", primaryEmail="hello@alpha.example")
    assert await crm.ids("companies") == {a, b}
    assert await crm.ids("companies", emailStartsWith="hello") == {a}
    assert await crm.ids("companies", hasPhone="true") == {b}
    assert await crm.ids("companies", search="labs") == {b}
    assert await crm.ids("companies", lifecycleStage="lead", status="active") == set()


async def test_next_interaction_and_custom_fields_on_detail(crm, admin):
    person = await crm.person(
        nextInteraction={
            "at": "2031-05-01T09:30:00+00:00",
            "name": "Demo",
            "refId": "abc",
            "color": "#ff0000",
        },
        customFields={"shoeSize": 42},
    )
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert datetime.fromisoformat(detail["person"]["nextInteractionAt"]) == datetime(
        2031, 5, 1, 9, 30, tzinfo=UTC
    )
    assert (
        detail["person"]["nextInteractionName"] == "Demo"
        and detail["person"]["nextInteractionRefId"] == "abc"
    )
    assert detail["customFields"] == {"shoeSize": 42}
    await admin.put("/api/customers/people", {"id": person, "nextInteraction": None})
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert detail["person"]["nextInteractionAt"] is None and detail["person"]["nextInteractionName"] is None


async def test_check_phone_compares_digits_exactly(client, crm, admin, sessionmaker):
    ann = await crm.person("Ann", "Phone", primaryPhone="+48 (600) 100-200")
    assert await admin.get("/api/customers/people/check-phone?digits=48600100200") == (
        200,
        {"match": {"id": ann, "displayName": "Ann Phone"}},
    )
    assert (await admin.get("/api/customers/people/check-phone?digits=600100200"))[1] == {"match": None}
    assert (await admin.get("/api/customers/people/check-phone?digits=486"))[1] == {"match": None}
    assert (await admin.get("/api/customers/people/check-phone?digits=%2B48600100200"))[1] == {"match": None}
    assert (await admin.get("/api/customers/people/check-phone"))[1] == {"match": None}
    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    assert (await stranger.get("/api/customers/people/check-phone?digits=48600100200"))[1] == {"match": None}
    assert (await Api(client).get("/api/customers/people/check-phone?digits=48600100200"))[0] == 401


async def test_nulls_for_required_columns_are_400(crm, admin):
    person = await crm.person("Nora", "Null")
    assert await admin.put("/api/customers/people", {"id": person, "displayName": None}) == (
        200,
        {"ok": True},
    )
    assert (await crm.list("people", ids=person))["items"][0]["display_name"] == "Nora Null"
    status, body = await admin.put("/api/customers/people", {"id": person, "isActive": None})
    assert status == 400 and body["details"][0]["path"] == ["isActive"]
    comment = await crm.create("comments", {"entityId": person, "body": "x"})
    assert (await admin.put("/api/customers/comments", {"id": comment, "body": None}))[0] == 400
    todo = await crm.create("todos", {"entityId": person, "title": "x"})
    assert (await admin.put("/api/customers/todos", {"id": todo, "isDone": None}))[0] == 400
