"""Compiled list reads return exactly what the resolvers return, in one SQL statement per root field."""

from __future__ import annotations

import pytest

from crmgraph.db import count_statements
from tests.conftest import login
from tests.factories import make_world

QUERIES = [
    "{ users { total page pageSize totalPages items { id email name isConfirmed createdAt lastLoginAt } } }",
    '{ organizations(sortField: "name", sortDir: "desc") { items { __typename id name depth treePath'
    " parent { id name } users { email roles { name } } } total } }",
    "{ a: users(pageSize: 2, page: 2) { items { email } totalPages } b: roles { items { name users { email } } } }",
    "query($ids: [UUID!], $f: UserFilter) { users(ids: $ids, filter: $f) { items { email organization { name } } } }",
    "{ apiKeys { items { name keyPrefix roles { name } } } tenants { items { name isActive } } }",
    '{ users(search: "viewer") { items { mail: email } } }',
]


def uncompiled(query: str) -> str:
    """The same operation forced through the resolvers (the compiler refuses directives)."""
    return query.replace("{", "{ __typename @include(if: true) ", 1)


async def authentication_statements(api) -> int:
    """Statements a request costs before any field runs."""
    async with count_statements() as counter:
        await api.gql("{ __typename }")
    assert counter.count > 0, "the counter sees the server's statements"
    return counter.count


@pytest.mark.parametrize("query", QUERIES)
async def test_compiled_equals_resolvers(client, world, admin, query):
    await admin.post("/api/api_keys/keys", {"name": "k1", "roles": ["viewer"]})
    variables = {"ids": None, "f": {"organizationId": str(world.branch_org)}}
    baseline = await authentication_statements(admin)
    async with count_statements() as counter:
        compiled = await admin.gql(query, variables)
    roots = query.count("items {")
    # Beyond authentication: the organization tree, then per root field its (scoped) read.
    assert counter.count - baseline <= 2 + 2 * roots, "the compiled path runs one read per root field"
    reference = await admin.gql(uncompiled(query), variables)
    assert "errors" not in compiled and "errors" not in reference, (compiled, reference)
    reference["data"].pop("__typename", None)
    assert compiled["data"] == reference["data"]


async def test_compiled_query_is_one_statement_per_root(client, sessionmaker):
    counts = []
    for size in (1, 15):
        world = await make_world(sessionmaker, roles={f"r{i}": ["auth.users.list"] for i in range(size)})
        api = await login(client, world.admin_email)
        async with count_statements() as counter:
            result = await api.gql("{ organizations { items { name users { email roles { name } } } } }")
        assert len([u for o in result["data"]["organizations"]["items"] for u in o["users"]]) == size + 1
        counts.append(counter.count - await authentication_statements(api))
    assert counts[0] == counts[1]
    assert counts[0] <= 4, counts  # organization tree + the compiled read (each with its scope setup)


async def test_permissions_and_scope_still_apply(client, world, sessionmaker):
    viewer = await login(client, world.emails["viewer"])
    result = await viewer.gql("{ users { items { email roles { name } } } }")
    assert result["errors"][0]["extensions"]["code"] == "forbidden"  # fell back: roles need auth.roles.list
    result = await viewer.gql("{ users { items { email } } }")
    other = await make_world(sessionmaker)
    emails = {u["email"] for u in result["data"]["users"]["items"]}
    assert world.emails["viewer"] in emails and other.admin_email not in emails
