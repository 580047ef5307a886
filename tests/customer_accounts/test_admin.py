"""Staff administration: features (401/403), tenant isolation across REST and GraphQL, role rules
and bad input."""

from __future__ import annotations

import uuid
from typing import Any

from models.customer_accounts import CustomerRole
from tests.conftest import Api
from tests.customer_accounts.conftest import ADMIN, customer, email


async def test_features_guard_the_admin_routes(client: Any, manager: Api, viewer: Api):
    assert (await Api(client).get(f"{ADMIN}/users"))[0] == 401
    assert (await viewer.get(f"{ADMIN}/users"))[0] == 200
    status, body = await viewer.post(f"{ADMIN}/roles", {"name": "R", "slug": "r"})
    assert status == 403 and body["requiredFeatures"] == ["customer_accounts.manage"]
    status, body = await manager.post(f"{ADMIN}/roles", {"name": "", "slug": "Not A Slug"})
    assert status == 400 and {d["path"][0] for d in body["details"]} == {"name", "slug"}
    status, body = await manager.get(f"{ADMIN}/users?pageSize=1000")
    assert status == 400 and body["details"]


async def test_other_tenants_rows_are_not_found(client: Any, manager: Api, stranger: Api):
    user_id, address = await customer(client, manager)
    _, role = await manager.post(f"{ADMIN}/roles", {"name": "Mine", "slug": f"mine-{uuid.uuid4().hex[:6]}"})
    role_id = role["role"]["id"]
    for path in (f"/users/{user_id}", f"/roles/{role_id}"):
        assert (await stranger.get(ADMIN + path))[0] == 404
        assert (await stranger.put(ADMIN + path, {}))[0] == 404
        assert (await stranger.delete(ADMIN + path))[0] == 404
    for action in ("reset-password", "send-reset-link", "verify-email"):
        status, _ = await stranger.post(f"{ADMIN}/users/{user_id}/{action}", {"newPassword": "Long-enough-1"})
        assert status == 404
    assert (await stranger.get(f"{ADMIN}/users/not-a-uuid"))[0] == 404
    _, theirs = await stranger.get(f"{ADMIN}/users?search={address}")
    assert theirs["items"] == [] and theirs["total"] == 0
    _, roles = await stranger.get(f"{ADMIN}/roles")
    assert role_id not in {r["id"] for r in roles["items"]}
    query = "query($id: String!) { customerUserGet(id: $id) }"
    theirs = await stranger.gql(query, {"id": user_id})
    assert theirs["data"] is None or theirs["data"]["customerUserGet"] is None
    assert "not found" in theirs["errors"][0]["message"].lower()
    mine = await manager.gql(query, {"id": user_id})
    assert mine["data"]["customerUserGet"]["user"]["email"] == address
    # Still there for its own tenant, untouched.
    assert (await manager.get(f"{ADMIN}/users/{user_id}"))[0] == 200


async def test_role_rules(client: Any, sessionmaker: Any, cworld: Any, manager: Api):
    async with sessionmaker() as session:
        system = CustomerRole(
            id=uuid.uuid4(),
            tenant_id=cworld.tenant_id,
            name="Portal admin",
            slug=f"sys-{uuid.uuid4().hex[:6]}",
            is_system=True,
            features=["portal.*"],
            is_portal_admin=True,
        )
        session.add(system)
        await session.commit()
    path = f"{ADMIN}/roles/{system.id}"
    assert (await manager.put(path, {"name": "Renamed"}))[0] == 400
    assert (await manager.put(path, {"description": "Still fine"})) == (200, {"ok": True})
    assert (await manager.delete(path))[0] == 400
    _, detail = await manager.get(path)
    assert detail["role"]["acl"] == {"features": ["portal.*"], "isPortalAdmin": True}
    assert detail["role"]["description"] == "Still fine"

    slug = f"dup-{uuid.uuid4().hex[:6]}"
    assert (await manager.post(f"{ADMIN}/roles", {"name": "A", "slug": slug}))[0] == 200
    assert (await manager.post(f"{ADMIN}/roles", {"name": "B", "slug": slug}))[0] == 409
    status, _ = await manager.put(f"{path}/acl", {"features": ["bad feature!"]})
    assert status == 400

    user_id, _ = await customer(client, manager, roleIds=[str(system.id)])
    _, listed = await manager.get(f"{ADMIN}/users?roleId={system.id}")
    assert [u["id"] for u in listed["items"]] == [user_id]
    assert listed["items"][0]["roles"][0]["slug"] == system.slug


async def test_user_admin_actions(client: Any, manager: Api):
    user_id, address = await customer(client, manager)
    assert (
        await manager.post(
            f"{ADMIN}/users", {"email": address, "password": "Long-enough-1", "displayName": "Dup"}
        )
    )[0] == 409
    status, link = await manager.post(f"{ADMIN}/users/{user_id}/send-reset-link")
    assert status == 200 and link["resetLink"].startswith("/reset-password?token=")
    assert (await manager.post(f"{ADMIN}/users/{user_id}/verify-email")) == (200, {"ok": True})
    assert (await manager.put(f"{ADMIN}/users/{user_id}", {"isActive": False})) == (200, {"ok": True})
    _, inactive = await manager.get(f"{ADMIN}/users?status=inactive&search={address}")
    assert [u["id"] for u in inactive["items"]] == [user_id]
    _, detail = await manager.get(f"{ADMIN}/users/{user_id}")
    assert detail["user"]["emailVerified"] is True and detail["user"]["activeSessionCount"] == 0
    assert (await manager.delete(f"{ADMIN}/users/{user_id}")) == (200, {"ok": True})
    assert (await manager.get(f"{ADMIN}/users/{user_id}"))[0] == 404
    assert (await manager.post(f"{ADMIN}/users-invite", {"email": email(), "roleIds": [str(uuid.uuid4())]}))[
        0
    ] == 400


async def test_graphql_entities_with_edges_and_filters(client: Any, manager: Api, stranger: Api):
    _, role = await manager.post(f"{ADMIN}/roles", {"name": "Edge", "slug": f"edge-{uuid.uuid4().hex[:6]}"})
    user_id, address = await customer(client, manager, roleIds=[role["role"]["id"]])
    query = """query($email: String) { customerAccountUsers(filter: {email: $email}) {
        items { id email isActive roles { slug users { email } } } total } }"""
    found = await manager.gql(query, {"email": address})
    items = found["data"]["customerAccountUsers"]["items"]
    assert [i["id"] for i in items] == [user_id], found
    assert items[0]["roles"] == [{"slug": role["role"]["slug"], "users": [{"email": address}]}]
    theirs = await stranger.gql(query, {"email": address})
    assert theirs["data"]["customerAccountUsers"]["items"] == []
    fields = await manager.gql('{ __type(name: "CustomerAccountUser") { fields { name } } }')
    names = {f["name"] for f in fields["data"]["__type"]["fields"]}
    assert "email" in names and "passwordHash" not in names


async def test_a_failed_command_rolls_back_whole(client: Any, manager: Api):
    address = email()
    body = {
        "email": address,
        "password": "Long-enough-1",
        "displayName": "Half",
        "roleIds": [str(uuid.uuid4())],
    }
    status, reply = await manager.post(f"{ADMIN}/users", body)
    assert status == 400 and reply == {"ok": False, "error": "Unknown role"}
    _, listed = await manager.get(f"{ADMIN}/users?search={address}")
    assert listed["total"] == 0  # the user row written before the role check is gone
    assert (await manager.post(f"{ADMIN}/users", {**body, "roleIds": []}))[0] == 200
