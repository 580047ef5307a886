"""Items 2 and 3: no takeover of super admins, no granting more than you hold."""

from __future__ import annotations

from crmgraph.security import verify_password
from models.auth import User
from tests.conftest import login
from tests.factories import PASSWORD
from tests.security.helpers import ALL_ORGS, make_arena, user_id


async def _password_hash(sessionmaker, uid: str) -> str:
    async with sessionmaker() as session:
        return (await session.get(User, uid)).password_hash


async def test_manager_cannot_take_over_a_super_admin(client, sessionmaker):
    arena = await make_arena(sessionmaker)
    manager = await login(client, arena.manager)
    for target in (arena.platform_admin, arena.world.admin_email):
        uid = await user_id(manager, target)
        for change in ({"password": "taken-over"}, {"email": "attacker@evil.example"}, {"name": "x"}):
            status, body = await manager.put("/api/auth/users", {"id": uid, **change}, headers=ALL_ORGS)
            assert status == 403, (target, change, body)
        assert (await manager.delete(f"/api/auth/users?id={uid}", headers=ALL_ORGS))[0] == 403
        assert verify_password(await _password_hash(sessionmaker, uid), PASSWORD)
        await login(client, target)  # still the owner's account


async def test_other_users_credentials_need_their_own_feature(client, sessionmaker):
    arena = await make_arena(sessionmaker)
    manager = await login(client, arena.manager)
    uid = await user_id(manager, arena.world.emails["viewer"])
    status, body = await manager.put(
        "/api/auth/users", {"id": uid, "password": "new-password"}, headers=ALL_ORGS
    )
    assert (status, body) == (403, {"error": "Forbidden", "requiredFeatures": ["auth.users.credentials"]})
    status, _ = await manager.put(
        "/api/auth/users", {"id": uid, "email": "moved@example.com"}, headers=ALL_ORGS
    )
    assert status == 403
    assert (await manager.put("/api/auth/users", {"id": uid, "name": "Renamed"}, headers=ALL_ORGS))[0] == 200
    admin = await login(client, arena.world.admin_email)
    manager_id = await user_id(admin, arena.manager)
    await admin.put(
        "/api/auth/users/acl",
        {"userId": manager_id, "features": ["auth.users.*", "auth.roles.list"], "organizations": None},
    )
    manager = await login(client, arena.manager)
    status, _ = await manager.put(
        "/api/auth/users", {"id": uid, "password": "new-password"}, headers=ALL_ORGS
    )
    assert status == 200
    await login(client, arena.world.emails["viewer"], "new-password")


async def test_roles_granting_more_than_the_caller_holds_are_refused(client, sessionmaker):
    arena = await make_arena(sessionmaker)
    world = arena.world
    manager = await login(client, arena.manager)
    everything = str(world.role_ids["everything"])
    status, body = await manager.post(
        "/api/auth/users",
        {"email": f"minion-{world.tenant_id}@example.com", "password": "minion-pass", "roles": [everything]},
        headers=ALL_ORGS,
    )
    assert status == 403, body
    self_id = await user_id(manager, arena.manager)
    status, _ = await manager.put(
        "/api/auth/users", {"id": self_id, "roles": ["manager", everything]}, headers=ALL_ORGS
    )
    assert status == 403
    status, _ = await manager.post(
        "/api/api_keys/keys", {"name": "k", "roles": [everything]}, headers=ALL_ORGS
    )
    assert status == 403
    for role in ("superadmin", "platform-superadmin"):
        status, _ = await manager.post("/api/api_keys/keys", {"name": "k", "roles": [role]}, headers=ALL_ORGS)
        assert status in (400, 403)  # the global role is not even visible to a tenant user
    _, profile = await manager.get("/api/auth/profile")
    assert profile["roles"] == ["manager"]
    # Within its own rights the manager may still hand roles out.
    status, body = await manager.post(
        "/api/auth/users",
        {"email": f"helper-{world.tenant_id}@example.com", "password": "helper-pass", "roles": ["viewer"]},
        headers=ALL_ORGS,
    )
    assert status == 201, body
    status, body = await manager.post(
        "/api/api_keys/keys", {"name": "k", "roles": ["manager"]}, headers=ALL_ORGS
    )
    assert status == 201, body
