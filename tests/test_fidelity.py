"""Where the reference text is silent, the original system is the spec: regression tests for the
behaviours matched to it, over REST and, where the operation has one, its GraphQL counterpart."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, login
from tests.customers.conftest import Customers, crm  # noqa: F401 - fixture
from tests.factories import World

CHECK_FEATURES = """query($f: [String!]!) { featureCheck(features: $f) { ok granted } }"""


async def test_feature_check_is_ok_only_when_every_feature_is_granted(client: Any, world: World) -> None:
    employee = await login(client, world.emails["employee"])
    some = ["customers.people.view", "auth.acl.manage"]
    status, body = await employee.post("/api/auth/feature-check", {"features": some})
    assert status == 200 and body["ok"] is False and body["granted"] == ["customers.people.view"]
    status, body = await employee.post("/api/auth/feature-check", {"features": some[:1]})
    assert body["ok"] is True
    reply = await employee.gql(CHECK_FEATURES, {"f": some})
    assert reply["data"]["featureCheck"] == {"ok": False, "granted": ["customers.people.view"]}
    assert (await employee.gql(CHECK_FEATURES, {"f": some[:1]}))["data"]["featureCheck"]["ok"] is True


async def test_organization_options_honour_ids(admin: Api, world: World) -> None:
    url = "/api/directory/organizations?view=options"
    status, body = await admin.get(f"{url}&ids={world.branch_org}")
    assert status == 200 and [o["id"] for o in body["items"]] == [str(world.branch_org)]
    _, body = await admin.get(f"{url}&ids={world.branch_org},{world.other_org}")
    assert {o["id"] for o in body["items"]} == {str(world.branch_org), str(world.other_org)}
    _, body = await admin.get(f"{url}&ids=not-a-uuid")
    assert body["items"] == []
    _, body = await admin.get(url)
    assert len(body["items"]) == 3
    reply = await admin.gql(
        "query($i: [UUID!]) { organizations(ids: $i) { items { id } } }", {"i": [str(world.other_org)]}
    )
    assert reply["data"]["organizations"]["items"] == [{"id": str(world.other_org)}]


async def test_blank_tenant_and_organization_names_are_rejected(platform: Api, admin: Api) -> None:
    for name in ("", "   "):
        status, body = await platform.post("/api/directory/tenants", {"name": name})
        assert status == 400 and body["details"][0]["path"] == ["name"], body
        status, body = await admin.post("/api/directory/organizations", {"name": name})
        assert status == 400 and body["details"][0]["path"] == ["name"], body
    reply = await platform.gql('mutation { createTenant(input: {name: ""}) { id } }')
    assert reply["errors"][0]["extensions"]["status"] == 400
    status, body = await platform.post("/api/directory/tenants", {"name": "  Trimmed Tenant "})
    assert status == 201
    _, page = await platform.get(f"/api/directory/tenants?ids={body['id']}")
    assert page["items"][0]["name"] == "Trimmed Tenant"
    status, _ = await platform.put("/api/directory/tenants", {"id": body["id"], "name": ""})
    assert status == 400


async def test_company_with_people_or_deals_is_not_deleted(admin: Api, crm: Customers) -> None:  # noqa: F811
    company = await crm.company("Still Referenced")
    person = await crm.person("Pat", "Pointer", companyEntityId=company)
    status, body = await admin.delete(f"/api/customers/companies?id={company}")
    assert status == 422 and body["code"] == "COMPANY_HAS_DEPENDENTS" and "1 persons" in body["error"]
    reply = await admin.gql(f'mutation {{ deleteCompany(id: "{company}") }}')
    assert reply["errors"][0]["extensions"]["status"] == 422
    assert (await crm.list("companies", ids=company))["total"] == 1

    await admin.delete(f"/api/customers/people?id={person}")
    deal = await crm.deal("Linked deal", companyIds=[company])
    status, body = await admin.delete(f"/api/customers/companies?id={company}")
    assert status == 422 and "1 linked deals" in body["error"]
    await admin.delete(f"/api/customers/deals?id={deal}")
    assert await admin.delete(f"/api/customers/companies?id={company}") == (200, {"ok": True})


async def test_tag_assignment_is_a_create(admin: Api, crm: Customers) -> None:  # noqa: F811
    tag = await crm.create("tags", {"label": "VIP rider"})
    person = await crm.person()
    status, body = await admin.post("/api/customers/tags/assign", {"tagId": tag, "entityId": person})
    assert status == 201 and body["id"]
    creates = [
        ("people", {"firstName": "A", "lastName": "B"}),
        ("companies", {"displayName": "C"}),
        ("tags", {"label": "T"}),
        ("deals", {"title": "D"}),
        ("comments", {"entityId": person, "body": "hi"}),
        ("interactions", {"entityId": person, "interactionType": "call"}),
    ]
    for path, payload in creates:
        assert (await admin.post(f"/api/customers/{path}", payload))[0] == 201, path


async def test_partial_update_keeps_a_custom_display_name(admin: Api, crm: Customers) -> None:  # noqa: F811
    person = await crm.person("Valentino", "Rossi", displayName="The Doctor")
    assert (await admin.put("/api/customers/people", {"id": person, "lastName": "Rossi-Marini"}))[0] == 200
    item = (await crm.list("people", ids=person))["items"][0]
    assert item["display_name"] == "The Doctor" and item["last_name"] == "Rossi-Marini"

    derived = await crm.person("Marc", "Marquez")
    await admin.put("/api/customers/people", {"id": derived, "firstName": "Álex"})
    assert (await crm.list("people", ids=derived))["items"][0]["display_name"] == "Álex Marquez"
    reply = await admin.gql(
        f'mutation {{ updatePerson(id: "{person}", input: {{firstName: "Vale"}}) {{ displayName }} }}'
    )
    assert reply["data"]["updatePerson"]["displayName"] == "The Doctor"


async def test_logging_an_interaction_keeps_a_manual_next_interaction(admin: Api, crm: Customers) -> None:  # noqa: F811
    manual = {"at": "2031-05-01T09:00:00Z", "name": "Spring service reminder"}
    person = await crm.person("Casey", "Stoner", nextInteraction=manual)

    async def next_interaction() -> tuple[str | None, str | None]:
        item = (await crm.list("people", ids=person))["items"][0]
        return item["next_interaction_at"], item["next_interaction_name"]

    logged = {
        "entityId": person,
        "interactionType": "call",
        "status": "done",
        "occurredAt": "2030-01-01T10:00:00Z",
    }
    assert (await admin.post("/api/customers/interactions", logged))[0] == 201
    assert await next_interaction() == ("2031-05-01T09:00:00.000Z", "Spring service reminder")

    later = {
        "entityId": person,
        "interactionType": "visit",
        "title": "Later",
        "scheduledAt": "2032-01-01T09:00:00Z",
    }
    assert (await admin.post("/api/customers/interactions", later))[0] == 201
    assert (await next_interaction())[1] == "Spring service reminder"

    sooner = {
        "entityId": person,
        "interactionType": "call",
        "title": "Sooner",
        "scheduledAt": "2031-01-01T09:00:00Z",
    }
    status, created = await admin.post("/api/customers/interactions", sooner)
    assert status == 201 and await next_interaction() == ("2031-01-01T09:00:00.000Z", "Sooner")
    # once the projection follows interactions, completing the sooner one moves on to the next open one
    await admin.post("/api/customers/interactions/complete", {"id": created["id"]})
    assert (await next_interaction())[1] == "Later"
