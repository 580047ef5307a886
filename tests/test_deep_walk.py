"""The graph the product is about, in one query: customer → deals → policies → resources → service
book. It answers the same on both executors and costs a constant number of SQL statements
whatever the number of customers (3 or 100: no N+1)."""

from __future__ import annotations

from typing import Any

from crmgraph.db import count_statements
from tests.conftest import Api, login
from tests.factories import make_world

WALK = """{ people(pageSize: 100) { items { id displayName deals(limit: 5) { title
  policies(limit: 5) { policyNumber insurer { name }
    resources(limit: 5) { name serviceBook(limit: 5) { serviceType } } } } } } }"""


async def seed_customers(api: Api, count: int) -> None:
    async def create(path: str, body: dict[str, Any]) -> str:
        status, reply = await api.post(f"/api{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    insurer = await create("/insurance/insurers", {"code": "walk", "name": "Walk Insurance"})
    for i in range(count):
        person = await create("/customers/people", {"firstName": f"Rider{i}", "lastName": "Walk"})
        deal = await create("/customers/deals", {"title": f"Cover {i}", "personIds": [person]})
        policy = await create(
            "/insurance/policies",
            {"policyNumber": f"W-{i}", "insurerId": insurer, "dealId": deal, "insuredPersonEntityId": person},
        )
        bike = await create(
            "/resources/resources",
            {"name": f"Bike {i}", "customerEntityId": person, "insurancePolicyId": policy},
        )
        await create(
            "/resources/service-book",
            {
                "entityId": bike,
                "serviceType": "inspection",
                "serviceActivity": "Check",
                "serviceInAt": "2030-01-01T10:00:00.000Z",
            },
        )


async def walk(api: Api, query: str) -> tuple[int, dict[str, Any]]:
    async with count_statements() as counter:
        result = await api.gql(query)
    assert "errors" not in result, result
    return counter.count, result["data"]


async def test_the_deep_walk_is_constant_in_statements_and_equal_on_both_executors(client, sessionmaker):
    counts: dict[str, list[int]] = {"compiled": [], "resolvers": []}
    for customers in (3, 100):
        world = await make_world(sessionmaker)
        api = await login(client, world.admin_email)
        await seed_customers(api, customers)
        compiled_count, compiled = await walk(api, WALK)
        resolved_count, resolved = await walk(api, WALK.replace("{", "{ __typename @include(if: true) ", 1))
        resolved.pop("__typename")
        assert resolved == compiled
        people = compiled["people"]["items"]
        assert len(people) == customers
        for person in people:
            (deal,) = person["deals"]
            (policy,) = deal["policies"]
            assert policy["insurer"] == {"name": "Walk Insurance"}
            (bike,) = policy["resources"]
            assert bike["serviceBook"] == [{"serviceType": "inspection"}]
        counts["compiled"].append(compiled_count)
        counts["resolvers"].append(resolved_count)
    assert counts["compiled"][0] == counts["compiled"][1], counts
    assert counts["resolvers"][0] == counts["resolvers"][1], counts
    assert counts["compiled"][1] < counts["resolvers"][1], counts
