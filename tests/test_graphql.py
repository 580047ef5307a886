"""GraphQL: the graph over the same resolvers, dataloaders (constant SQL), limits and error policy."""

from __future__ import annotations

from crmgraph.db import count_statements
from tests.conftest import Api, login
from tests.factories import make_world

NESTED = """
{ organizations(pageSize: 20) { total items { name users { email roles { name users { email } } } } } }
"""


async def test_me_and_auth_errors(client, world, admin, anonymous):
    result = await admin.gql("{ me { email roles isSuperAdmin user { email organization { name } } } }")
    me = result["data"]["me"]
    assert me["email"] == world.admin_email and me["roles"] == ["superadmin"] and me["isSuperAdmin"]
    assert me["user"]["organization"]["name"].startswith("Root")
    result = await anonymous.gql("{ me { email } }")
    assert result["data"] is None
    assert result["errors"][0]["message"] == "Unauthorized"
    assert result["errors"][0]["extensions"]["code"] == "unauthorized"


async def test_forbidden_edge_is_reported_per_field(client, world):
    viewer = await login(client, world.emails["viewer"])
    result = await viewer.gql("{ users { items { email roles { name } } } }")
    assert result["data"] is None or all(
        u is None or u["roles"] is None for u in result["data"]["users"]["items"]
    )
    forbidden = [e for e in result["errors"] if e["extensions"]["code"] == "forbidden"]
    assert forbidden and forbidden[0]["extensions"]["requiredFeatures"] == ["auth.roles.list"]


async def test_nested_query_runs_constant_statements(client, sessionmaker):
    small = await make_world(sessionmaker, roles={"a": ["auth.users.list"]})
    big = await make_world(sessionmaker, roles={f"r{i}": ["auth.users.list"] for i in range(12)})
    counts = []
    for world in (small, big):
        api = await login(client, world.admin_email)
        async with count_statements() as counter:
            result = await api.gql(NESTED)
        assert "errors" not in result, result
        counts.append(counter.count)
        emails = [u["email"] for o in result["data"]["organizations"]["items"] for u in o["users"]]
        assert len(emails) == len(world.emails) + 1
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts


async def test_rest_and_graphql_agree(admin, world):
    _, page = await admin.get(f"/api/auth/users?search={world.emails['viewer']}")
    rest = page["items"][0]
    result = await admin.gql(
        "query($id: UUID!) { user(id: $id) { id email name organizationId tenantId createdAt roles { name } } }",
        {"id": rest["id"]},
    )
    user = result["data"]["user"]
    for key in ("id", "email", "name", "organizationId", "tenantId"):
        assert user[key] == rest[key]
    assert [r["name"] for r in user["roles"]] == rest["roles"]


async def test_mutations_share_rules_with_rest(admin, world):
    result = await admin.gql(
        'mutation($parent: UUID) { createOrganization(input: {name: "Via GraphQL", parentId: $parent})'
        " { id name depth parent { id } } }",
        {"parent": str(world.root_org)},
    )
    org = result["data"]["createOrganization"]
    assert org["depth"] == 1 and org["parent"]["id"] == str(world.root_org)
    _, page = await admin.get(f"/api/directory/organizations?ids={org['id']}")
    assert page["items"][0]["name"] == "Via GraphQL"
    result = await admin.gql('mutation { createUser(input: {email: "bad"}) { id } }')
    error = result["errors"][0]
    assert error["extensions"]["code"] == "validation_failed" and error["extensions"]["details"][0][
        "path"
    ] == ["email"]
    result = await admin.gql(
        'mutation { createApiKey(input: {name: "gql key", roles: ["viewer"]}) { id keyPrefix secret } }'
    )
    created = result["data"]["createApiKey"]
    assert created["secret"].startswith(created["keyPrefix"])
    status, _ = await Api(admin.client, {"X-Api-Key": created["secret"]}).get("/api/auth/users")
    assert status == 200
    result = await admin.gql("mutation($id: UUID!) { deleteOrganization(id: $id) }", {"id": org["id"]})
    assert result["data"]["deleteOrganization"] is True


async def test_limits_and_masking(admin, client):
    deep = "{ organizations { items { " + "parent { " * 12 + "id" + " }" * 12 + " } } }"
    result = await admin.gql(deep)
    assert "exceeds maximum operation depth" in result["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: me {{ email }}" for i in range(20)) + " }"
    result = await admin.gql(aliases)
    assert "aliases" in result["errors"][0]["message"].lower()
    costly = "{ users(pageSize: 100) { items { roles { users { roles { users { email } } } } } } }"
    result = await admin.gql(costly)
    assert result["data"] is None and "exceeds the maximum of 500000" in result["errors"][0]["message"]
    fragment = "query { ...F } fragment F on Query { users(pageSize: 100) { items { roles { users { roles { users { email } } } } } } }"
    assert "Query cost" in (await admin.gql(fragment))["errors"][0]["message"]
    assert "errors" not in await admin.gql("{ users(pageSize: 100) { items { email roles { name } } } }")
    result = await admin.gql("{ mee { email } }")
    assert "Did you mean" not in result["errors"][0]["message"]
    status, _ = await admin.get(
        "/graphql?query="
        + "mutation%20%7B%20deleteUser(id%3A%20%2200000000-0000-4000-8000-000000000000%22)%20%7D"
    )
    assert status in (400, 405)
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200 and "graphiql" in (await response.text()).lower()


async def test_page_size_clamped_and_foreign_ids_null(admin):
    result = await admin.gql("{ users(pageSize: 100000, page: -3) { page pageSize } }")
    assert result["data"]["users"] == {"page": 1, "pageSize": 100}
    result = await admin.gql('{ user(id: "00000000-0000-4000-8000-000000000000") { id } }')
    assert result["data"]["user"] is None


async def test_every_list_edge_is_bounded_and_costed(admin, client):
    # The audit's query: a root list without pageSize counts as a default page, each edge as its cap.
    fanout = "{ tags { items { people { id tags { people { id displayName } } } } } }"
    result = await admin.gql(fanout)
    assert result["data"] is None and "Query cost" in result["errors"][0]["message"]


async def test_a_response_above_the_ceiling_is_an_error_not_a_stall(client, admin):

    view = next(r.handler for r in client.app.router.routes() if r.resource.canonical == "/graphql")
    limit, view.max_response_bytes = view.max_response_bytes, 200
    try:
        result = await admin.gql("{ users { items { id email name createdAt } } }")
    finally:
        view.max_response_bytes = limit
    assert result["data"] is None and result["errors"][0]["extensions"]["code"] == "response_too_large"
