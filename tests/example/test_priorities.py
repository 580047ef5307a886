"""Customer priorities: one live priority per customer of the caller's scope, the documented values,
the person/company edges and isolation."""

from __future__ import annotations

from tests.example.conftest import company, created, person

PATH = "/api/example/customer-priorities"


async def test_create_list_update_delete(boss):
    customer = await person(boss)
    priority_id = await created(boss, PATH, {"customerId": customer})  # documented default: normal
    status, page = await boss.get(f"{PATH}?customerId={customer}")
    assert status == 200 and [(i["id"], i["priority"]) for i in page["items"]] == [(priority_id, "normal")]
    assert set(page["items"][0]) >= {"id", "customer_id", "priority", "tenant_id", "organization_id"}
    assert await boss.put(PATH, {"id": priority_id, "priority": "critical"}) == (200, {"ok": True})
    assert await boss.put(PATH, {"id": priority_id}) == (200, {"ok": True})  # nothing to change
    status, page = await boss.get(f"{PATH}?ids={priority_id}")
    assert status == 200 and page["items"][0]["priority"] == "critical"
    assert await boss.delete(PATH, json={"id": priority_id}) == (200, {"ok": True})  # id in the body
    status, page = await boss.get(f"{PATH}?customerId={customer}")
    assert status == 200 and page["items"] == []
    # Soft-deleted: the customer may get a priority again.
    await created(boss, PATH, {"customerId": customer, "priority": "low"})


async def test_documented_errors(boss, stranger, viewer):
    customer = await person(boss)
    await created(boss, PATH, {"customerId": customer, "priority": "high"})
    status, body = await boss.post(PATH, {"customerId": customer})
    assert (status, body["error"]) == (409, "Customer already has a priority")
    status, body = await boss.post(PATH, {"customerId": await person(boss, "Jan Kos"), "priority": "urgent"})
    assert status == 400 and body["details"][0]["path"] == ["priority"]
    foreign = await person(stranger)
    status, body = await boss.post(PATH, {"customerId": foreign})
    assert status == 400 and body["details"][0]["message"] == "Customer not found"
    assert (await boss.post(PATH, {"customerId": "00000000-0000-4000-8000-000000000000"}))[0] == 400
    assert (await boss.post(PATH, {}))[0] == 400
    status, body = await viewer.get(PATH)
    assert status == 403 and body["requiredFeatures"] == ["example.view"]


async def test_isolation(boss, stranger):
    priority_id = await created(boss, PATH, {"customerId": await person(boss)})
    status, page = await stranger.get(f"{PATH}?ids={priority_id}")
    assert status == 200 and page["items"] == []
    assert (await stranger.put(PATH, {"id": priority_id, "priority": "low"}))[0] == 404
    assert (await stranger.delete(PATH, json={"id": priority_id}))[0] == 404
    reply = await stranger.gql(f'{{ exampleCustomerPriority(id: "{priority_id}") {{ id }} }}')
    assert reply["data"]["exampleCustomerPriority"] is None


async def test_graphql_edges_to_the_customer(boss):
    anna, firm = await person(boss, "Anna Lis"), await company(boss, "Lis Motors")
    await created(boss, PATH, {"customerId": anna, "priority": "high"})
    await created(boss, PATH, {"customerId": firm, "priority": "low"})
    reply = await boss.gql(
        '{ exampleCustomerPriorities(sortField: "priority") { items { priority customerId '
        "person { displayName } company { displayName } } } }"
    )
    items = {i["customerId"]: i for i in reply["data"]["exampleCustomerPriorities"]["items"]}
    assert items[anna]["person"] == {"displayName": "Anna Lis"} and items[anna]["company"] is None
    assert items[firm]["company"] == {"displayName": "Lis Motors"} and items[firm]["person"] is None
