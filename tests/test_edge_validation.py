"""Edge validation: values PostgreSQL cannot hold are a 400 (REST) or a validation error (GraphQL),
never a 500; database errors never show SQL; malformed GraphQL JSON is a JSON 400."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from sqlalchemy import text

from openapi_compat.mount import register_routes
from openapi_compat.routing import REGISTRY
from resolvers.operations import OPERATIONS
from tests.conftest import Api
from tests.customers.conftest import Customers, crm  # noqa: F401 - fixture

register_routes()  # every module's routes, entities and operations

LISTS = sorted(
    op.path
    for op in REGISTRY.values()
    if op.method == "GET"
    and op.entity is not None
    and "{" not in op.path
    and op.handler.__name__ == "list_items"
)
STREAMS = {  # server-sent event streams never end: tests/test_bad_input.py checks their status
    rest.path for operation in OPERATIONS.values() for rest in operation.rest if rest.stream
}
GETS = sorted(op.path for op in REGISTRY.values() if op.method == "GET" and op.path not in STREAMS)
OUT_OF_RANGE_DATE = "0001-01-01T00:00:00+05:00"


def validation_paths(body: dict[str, Any]) -> list[list[str]]:
    assert body["error"] and isinstance(body["details"], list), body
    return [d["path"] for d in body["details"]]


@pytest.mark.parametrize("path", GETS)
async def test_huge_page_numbers_never_500(admin: Api, path: str) -> None:
    url = "/api" + path.replace("{id}", "00000000-0000-4000-8000-000000000000")
    for query in ("page=1e30&pageSize=1e400", "page=NaN&limit=1e30&pageSize=-1e30", "page=1e999999999"):
        status, body = await admin.get(f"{url}?{query}")
        assert status < 500 and (status < 400 or body["error"]), (path, query, body)


@pytest.mark.parametrize("path", LISTS)
async def test_huge_page_numbers_on_every_list(admin: Api, path: str) -> None:
    status, body = await admin.get(f"/api{path}?page=1e30&pageSize=1e400")
    assert status == 200, body
    assert body["pageSize"] == 100 and body["items"] == []
    status, body = await admin.get(f"/api{path}?pageSize=NaN")
    assert status == 400 and validation_paths(body) == [["pageSize"]]


async def test_nul_bytes_are_rejected_everywhere(admin: Api, anonymous: Api, crm: Customers) -> None:  # noqa: F811
    status, body = await anonymous.call(
        "POST", "/api/auth/login", data={"email": "admin\x00@example.com", "password": "x"}
    )
    assert status == 400, body
    status, body = await admin.post("/api/customers/people", {"firstName": "A\x00", "lastName": "B"})
    assert status == 400 and ["firstName"] in validation_paths(body)
    status, body = await admin.post(
        "/api/customers/companies", {"displayName": "Nul Co", "customFields": {"note": ["ok", "x\x00"]}}
    )
    assert status == 400 and ["customFields", "note", 1] in validation_paths(body)
    status, body = await admin.get("/api/customers/people?search=a%00b")
    assert status == 400, body
    reply = await admin.gql('mutation { createPerson(input: {firstName: "A\\u0000", lastName: "B"}) { id } }')
    assert reply["errors"][0]["extensions"]["status"] == 400, reply


async def test_numbers_beyond_their_columns(admin: Api, crm: Customers) -> None:  # noqa: F811
    for amount in ("1e16", "NaN", "Infinity", "1e400"):
        raw = f'{{"title": "Big deal", "valueAmount": {amount}}}'
        status, body = await admin.call(
            "POST", "/api/customers/deals", data=raw, headers={"Content-Type": "application/json"}
        )
        assert status == 400, (amount, body)
    assert (await admin.post("/api/customers/deals", {"title": "Fine", "valueAmount": 9.99e15}))[0] == 201
    person = await crm.person()
    status, body = await admin.post(
        "/api/customers/interactions",
        {"entityId": person, "interactionType": "call", "priority": 3_000_000_000},
    )
    assert status == 400 and validation_paths(body) == [["priority"]]
    reply = await admin.gql('mutation { createDeal(input: {title: "G", valueAmount: 1e16}) { id } }')
    assert reply["errors"][0]["extensions"]["status"] == 400, reply


async def test_dates_the_column_cannot_hold(admin: Api, crm: Customers) -> None:  # noqa: F811
    person = await crm.person()
    status, body = await admin.post(
        "/api/customers/interactions",
        {"entityId": person, "interactionType": "call", "scheduledAt": OUT_OF_RANGE_DATE},
    )
    assert status == 400 and validation_paths(body) == [["scheduledAt"]]
    status, body = await admin.get(
        f"/api/customers/people?createdFrom={OUT_OF_RANGE_DATE.replace('+', '%2B')}"
    )
    assert status == 400 and validation_paths(body) == [["createdFrom"]]
    reply = await admin.gql(
        "query($d: DateTime) { people(filter: {createdFrom: $d}) { total } }", {"d": OUT_OF_RANGE_DATE}
    )
    assert reply["errors"][0]["extensions"]["status"] == 400, reply
    status, _ = await admin.post(
        "/api/customers/interactions",
        {"entityId": person, "interactionType": "call", "scheduledAt": "9999-12-31T18:00:00-05:00"},
    )
    assert status == 201  # still inside what UTC can express


async def test_unknown_sort_is_a_400(admin: Api) -> None:
    status, body = await admin.get("/api/customers/people?sortField=nope")
    assert status == 400 and validation_paths(body) == [["sortField"]]
    assert body["details"][0]["code"] == "invalid_enum_value"
    status, body = await admin.get("/api/customers/people?sortField=displayName&sortDir=sideways")
    assert status == 400 and validation_paths(body) == [["sortDir"]]
    status, _ = await admin.get("/api/customers/people?sortField=display_name&sortDir=DESC")
    assert status == 200
    reply = await admin.gql('{ people(sortField: "nope") { total } }')
    assert reply["errors"][0]["extensions"]["details"][0]["path"] == ["sortField"], reply


@contextlib.asynccontextmanager
async def revoked(sessionmaker: Any, privilege: str, table: str):
    """A real database error for the app role: ``privilege`` on ``table`` revoked meanwhile."""
    async with sessionmaker() as session:
        await session.execute(text(f"REVOKE {privilege} ON {table} FROM crmgraph_app"))
        await session.commit()
    try:
        yield
    finally:
        async with sessionmaker() as session:
            await session.execute(text(f"GRANT {privilege} ON {table} TO crmgraph_app"))
            await session.commit()


def assert_masked(reply: dict[str, Any], world_tenant: str) -> None:
    message = reply["errors"][0]["message"]
    assert message == "Unexpected error.", reply
    for leak in ("SELECT", "INSERT", "customer_tags", "permission", world_tenant):
        assert leak not in str(reply), (leak, reply)


async def test_graphql_database_errors_are_masked(admin: Api, world: Any, sessionmaker: Any) -> None:
    async with revoked(sessionmaker, "SELECT", "customer_tags"):
        assert_masked(await admin.gql("{ tags { items { id label } } }"), str(world.tenant_id))
        assert_masked(
            await admin.gql('{ people { items { id tags { id } } } tags(search: "x") { total } }'),
            str(world.tenant_id),
        )
    async with revoked(sessionmaker, "INSERT", "customer_tags"):
        reply = await admin.gql('mutation { createTag(input: {slug: "s", label: "L"}) { id } }')
        assert_masked(reply, str(world.tenant_id))
        status, body = await admin.post("/api/customers/tags", {"slug": "s", "label": "L"})
        # A refused privilege is answered as such (crmgraph.dberrors), naming no table or statement.
        assert status == 403 and body == {"error": "Outside your tenant"}


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2", b'"just a string"', b"\xff\xfe"])
async def test_graphql_malformed_json_is_a_json_400(admin: Api, raw: bytes) -> None:
    status, body = await admin.call(
        "POST", "/graphql", data=raw, headers={"Content-Type": "application/json"}
    )
    assert status == 400 and isinstance(body, dict) and body["error"], body
