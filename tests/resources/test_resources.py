"""Resources, types and tags: references in scope, list filters, derived keys and business rules."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import make_world
from tests.resources.conftest import SERVICE, Fleet


async def test_type_name_financing_and_resource_count(fleet):
    kind = await fleet.create("resources/resource-types", {"name": "Scooter", "financingEligible": True})
    bike = await fleet.resource(
        "NMAX", resourceTypeId=kind, financingProfile={"lender": "Bank", "months": 36}
    )
    (item,) = (await fleet.list("resources/resources", ids=bike))["items"]
    assert item["resource_type_name"] == "Scooter"
    assert item["vehicle_type_financing_eligible"] is True
    assert item["financing_profile"] == {"lender": "Bank", "months": 36}
    (kind_item,) = (await fleet.list("resources/resource-types", ids=kind))["items"]
    assert kind_item["resourceCount"] == 1


async def test_a_type_in_use_cannot_be_deleted(fleet):
    kind = await fleet.create("resources/resource-types", {"name": "Trailer"})
    bike = await fleet.resource("Trailer 1", resourceTypeId=kind)
    status, body = await fleet.api.delete(f"/api/resources/resource-types?id={kind}")
    assert status == 409 and body["resourceCount"] == 1
    await fleet.api.delete(f"/api/resources/resources?id={bike}")
    assert (await fleet.api.delete(f"/api/resources/resource-types?id={kind}"))[0] == 200


async def test_links_to_other_modules_are_kept_and_checked(fleet):
    insurer = await fleet.create("insurance/insurers", {"code": "lnk", "name": "Link Insurance"})
    policy = await fleet.create("insurance/policies", {"policyNumber": "L-1", "insurerId": insurer})
    process = await fleet.create("procurement/processes", {"title": "Buy a bike"})
    bike = await fleet.resource(insurancePolicyId=policy, procurementProcessId=process)
    (item,) = (await fleet.list("resources/resources", ids=bike))["items"]
    assert (item["insurance_policy_id"], item["procurement_process_id"]) == (policy, process)
    unknown = "6f1c1a2e-0000-4000-8000-000000000001"
    for link in ("insurancePolicyId", "procurementProcessId"):  # a random (or foreign) id is a 404
        status, _ = await fleet.api.post("/api/resources/resources", {"name": "X", link: unknown})
        assert status == 404


async def test_references_must_be_in_scope(client, sessionmaker, fleet):
    away = await make_world(sessionmaker)
    other = Fleet(await login(client, away.admin_email))
    foreign_person = await other.person()
    foreign_type = await other.create("resources/resource-types", {"name": "Foreign"})
    for body in ({"customerEntityId": foreign_person}, {"resourceTypeId": foreign_type}):
        status, _ = await fleet.api.post("/api/resources/resources", {"name": "X", **body})
        assert status == 404
    bike = await fleet.resource()
    assert (
        await fleet.api.put("/api/resources/resources", {"id": bike, "customerEntityId": foreign_person})
    )[0] == 404
    status, body = await fleet.api.post("/api/resources/resources", {"name": "X", "capacity": 2**40})
    assert status == 400 and body["details"][0]["path"] == ["capacity"]


async def test_list_filters(fleet):
    owner = await fleet.person()
    kind = await fleet.create("resources/resource-types", {"name": "Motorcycle"})
    owned = await fleet.resource("Owned", customerEntityId=owner, resourceTypeId=kind)
    spare = await fleet.resource("Spare", isActive=False)
    tag = await fleet.create("resources/tags", {"label": "Winter storage"})
    status, _ = await fleet.api.post(
        "/api/resources/resources/tags/assign", {"tagId": tag, "resourceId": owned}
    )
    assert status == 201
    assert await fleet.ids("resources/resources", customerEntityId=owner) == [owned]
    assert await fleet.ids("resources/resources", customerUnassigned="true") == [spare]
    assert await fleet.ids("resources/resources", isActive="false") == [spare]
    assert await fleet.ids("resources/resources", resourceTypeId=kind) == [owned]
    assert await fleet.ids("resources/resources", tagIds=tag) == [owned]
    assert await fleet.ids("resources/resources", search="spa") == [spare]
    assert await fleet.ids("resources/resources", sortField="name", sortDir="desc") == [spare, owned]
    status, body = await fleet.api.get("/api/resources/resources?isActive=maybe")
    assert status == 400 and body["details"][0]["path"] == ["isActive"]


async def test_tag_assign_and_unassign(client, sessionmaker, fleet):
    bike = await fleet.resource()
    tag = await fleet.create("resources/tags", {"label": "Track Ready!"})
    (item,) = (await fleet.list("resources/tags", ids=tag))["items"]
    assert item["slug"] == "track-ready"
    body = {"tagId": tag, "resourceId": bike}
    status, first = await fleet.api.post("/api/resources/resources/tags/assign", body)
    assert status == 201
    assert await fleet.api.post("/api/resources/resources/tags/assign", body) == (201, first)  # idempotent
    assert await fleet.api.post("/api/resources/resources/tags/unassign", body) == (200, first)
    status, reply = await fleet.api.post("/api/resources/resources/tags/unassign", body)
    assert status == 404 and reply["error"]
    status, reply = await fleet.api.post("/api/resources/resources/tags/assign", {"tagId": tag})
    assert status == 400 and reply["details"]
    away = await make_world(sessionmaker)
    intruder = await login(client, away.admin_email)
    assert (await intruder.post("/api/resources/resources/tags/assign", body))[0] == 404


async def test_deleting_a_resource_takes_its_records_along(fleet):
    bike = await fleet.resource()
    accessory = await fleet.resource("Top case")
    entry = await fleet.create("resources/service-book", {"entityId": bike, **SERVICE})
    comment = await fleet.create("resources/comments", {"entityId": bike, "body": "x"})
    await fleet.create(
        "resources/resource-accessory-links", {"hostResourceId": accessory, "accessoryResourceId": bike}
    )
    assert (await fleet.api.delete(f"/api/resources/resources?id={bike}"))[0] == 200
    assert await fleet.ids("resources/service-book", ids=entry) == []
    assert await fleet.ids("resources/comments", ids=comment) == []
    assert (await fleet.list("resources/resource-accessory-links", hostResourceId=accessory))["items"] == []


async def test_a_resource_may_be_created_in_an_organization_and_its_records_follow(fleet, world):
    bike = await fleet.resource(organizationId=str(world.branch_org))
    (item,) = (await fleet.list("resources/resources", ids=bike))["items"]
    assert item["organization_id"] == str(world.branch_org)
    entry = await fleet.create("resources/service-book", {"entityId": bike, **SERVICE})
    (entry_item,) = (await fleet.list("resources/service-book", ids=entry))["items"]
    assert entry_item["organizationId"] == str(world.branch_org)
    status, body = await fleet.api.post(
        "/api/resources/resources", {"name": "X", "organizationId": "00000000-0000-4000-8000-000000000000"}
    )
    assert status == 400 and body["details"][0]["path"] == ["organizationId"]
