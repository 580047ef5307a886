"""Items 3 and 16: ACL writes never exceed the caller's rights and never reach another tenant."""

from __future__ import annotations

import uuid

from tests.conftest import login
from tests.factories import make_world
from tests.security.helpers import ALL_ORGS, make_arena, user_id


async def test_acl_of_a_stronger_role_or_user_cannot_be_replaced(client, sessionmaker):
    arena = await make_arena(sessionmaker)
    world = arena.world
    manager = await login(client, arena.manager)
    for role in ("everything", "superadmin"):
        status, body = await manager.put(
            "/api/auth/roles/acl", {"roleId": str(world.role_ids[role]), "features": []}
        )
        assert status == 403, (role, body)
    admin = await login(client, world.admin_email)
    _, acl = await admin.get(f"/api/auth/roles/acl?roleId={world.role_ids['superadmin']}")
    assert acl["isSuperAdmin"] is True and acl["features"] == ["*"]  # not demoted
    target = await user_id(manager, arena.platform_admin)
    status, _ = await manager.put(
        "/api/auth/users/acl", {"userId": target, "features": ["*"]}, headers=ALL_ORGS
    )
    assert status == 403
    # Its own role: only what it already holds survives.
    status, body = await manager.put(
        "/api/auth/roles/acl",
        {
            "roleId": str(world.role_ids["manager"]),
            "features": ["*", "auth.users.list"],
            "isSuperAdmin": True,
        },
    )
    assert (status, body) == (200, {"ok": True, "sanitized": True})
    _, acl = await admin.get(f"/api/auth/roles/acl?roleId={world.role_ids['manager']}")
    assert acl == {"isSuperAdmin": False, "features": ["auth.users.list"], "organizations": None}


async def test_organization_limited_caller_grants_at_most_its_organizations(client, sessionmaker):
    arena = await make_arena(sessionmaker)
    world = arena.world
    admin = await login(client, world.admin_email)
    manager_id = await user_id(admin, arena.manager)
    await admin.put(
        "/api/auth/users/acl",
        {
            "userId": manager_id,
            "features": ["auth.acl.manage", "auth.users.list"],
            "organizations": [str(world.branch_org)],
        },
    )
    viewer_role = str(world.role_ids["viewer"])
    limited = {
        "roleId": viewer_role,
        "features": ["auth.users.list"],
        "organizations": [str(world.branch_org)],
    }
    await admin.put("/api/auth/roles/acl", limited)
    manager = await login(client, arena.manager)
    await admin.put("/api/auth/roles/acl", {**limited, "organizations": None})
    # A role seeing more organizations than the caller is out of its reach altogether.
    assert (await manager.put("/api/auth/roles/acl", limited))[0] == 403
    await admin.put("/api/auth/roles/acl", limited)
    for organizations in (None, [str(world.branch_org), str(world.other_org)], ["__all__"]):
        status, body = await manager.put(
            "/api/auth/roles/acl", {"roleId": viewer_role, "features": [], "organizations": organizations}
        )
        assert (status, body) == (200, {"ok": True, "sanitized": True})
        _, acl = await admin.get(f"/api/auth/roles/acl?roleId={viewer_role}")
        assert acl["organizations"] == [str(world.branch_org)]


async def test_role_acl_with_another_tenants_id_is_404_not_500(client, sessionmaker, platform):
    arena = await make_arena(sessionmaker)
    other = await make_world(sessionmaker)
    manager = await login(client, arena.manager)
    admin = await login(client, arena.world.admin_email)
    role = str(arena.world.role_ids["viewer"])
    for api in (manager, admin, platform):
        for tenant in (str(other.tenant_id), str(uuid.uuid4()), "not-a-uuid"):
            status, body = await api.put(
                "/api/auth/roles/acl", {"roleId": role, "tenantId": tenant, "features": []}
            )
            assert (status, body) == (404, {"error": "Not found"}), (tenant, body)
            assert (await api.get(f"/api/auth/roles/acl?roleId={role}&tenantId={tenant}"))[0] == 404
    # The role's own tenant stays addressable explicitly.
    status, _ = await admin.put(
        "/api/auth/roles/acl", {"roleId": role, "tenantId": str(arena.world.tenant_id), "features": []}
    )
    assert status == 200
