"""Feature ACLs: 403 without the feature, wildcard grants, super admin bypass, per-user overrides."""

from __future__ import annotations

from tests.conftest import login


async def test_missing_feature_is_403_with_required_features(client, world):
    viewer = await login(client, world.emails["viewer"])
    status, body = await viewer.post("/api/auth/users", {"email": "x@example.com", "password": "secret-pass"})
    assert status == 403
    assert body == {"error": "Forbidden", "requiredFeatures": ["auth.users.create"]}
    assert (await viewer.get("/api/auth/users"))[0] == 200
    assert (await viewer.get("/api/directory/tenants"))[0] == 403


async def test_wildcard_and_super_admin_grants(client, world, admin):
    employee = await login(client, world.emails["employee"])
    status, body = await employee.post(
        "/api/auth/feature-check",
        {"features": ["customers.people.view", "customers", "customersx.view", "auth.users.create"]},
    )
    assert status == 200
    assert body["granted"] == ["customers.people.view", "customers"]
    _, body = await admin.post("/api/auth/feature-check", {"features": ["anything.at.all"]})
    assert body["granted"] == ["anything.at.all"]
    assert (await employee.post("/api/auth/feature-check", {"features": "nope"}))[0] == 400


async def test_role_acl_roundtrip_and_sanitizing(client, world, admin):
    role_id = str(world.role_ids["viewer"])
    status, acl = await admin.get(f"/api/auth/roles/acl?roleId={role_id}")
    assert status == 200 and acl == {
        "isSuperAdmin": False,
        "features": ["auth.users.list"],
        "organizations": None,
    }
    status, body = await admin.put(
        "/api/auth/roles/acl",
        {
            "roleId": role_id,
            "features": ["auth.users.list", "auth.users.create", "bogus.feature", "customers.*"],
        },
    )
    assert status == 200 and body == {"ok": True, "sanitized": True}
    _, acl = await admin.get(f"/api/auth/roles/acl?roleId={role_id}")
    assert acl["features"] == ["auth.users.list", "auth.users.create", "customers.*"]
    # The new grant takes effect on the next request of a user holding the role.
    viewer = await login(client, world.emails["viewer"])
    status, _ = await viewer.post(
        "/api/auth/users", {"email": "new-by-viewer@example.com", "password": "secret-pass"}
    )
    assert status == 201
    assert (await admin.get("/api/auth/roles/acl?roleId=not-a-uuid"))[0] == 400


async def test_non_super_admin_cannot_escalate(client, world, admin):
    await admin.put(
        "/api/auth/roles/acl",
        {"roleId": str(world.role_ids["employee"]), "features": ["auth.acl.manage", "customers.*"]},
    )
    employee = await login(client, world.emails["employee"])
    status, body = await employee.put(
        "/api/auth/roles/acl",
        {"roleId": str(world.role_ids["employee"]), "isSuperAdmin": True, "features": ["*", "customers.*"]},
    )
    assert status == 200 and body["sanitized"] is True
    _, acl = await admin.get(f"/api/auth/roles/acl?roleId={world.role_ids['employee']}")
    assert acl["isSuperAdmin"] is False and acl["features"] == ["customers.*"]


async def test_user_acl_override_replaces_role_acl(client, world, admin):
    _, users = await admin.get(f"/api/auth/users?search={world.emails['viewer']}")
    user_id = users["items"][0]["id"]
    status, acl = await admin.get(f"/api/auth/users/acl?userId={user_id}")
    assert status == 200 and acl["hasCustomAcl"] is False
    status, body = await admin.put(
        "/api/auth/users/acl",
        {"userId": user_id, "features": ["directory.tenants.view"], "organizations": None},
    )
    assert (status, body) == (200, {"ok": True, "sanitized": False})
    _, acl = await admin.get(f"/api/auth/users/acl?userId={user_id}")
    assert acl == {
        "hasCustomAcl": True,
        "isSuperAdmin": False,
        "features": ["directory.tenants.view"],
        "organizations": None,
    }
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/directory/tenants"))[0] == 200
    assert (await viewer.get("/api/auth/users"))[0] == 403  # role grant no longer applies
    await admin.put("/api/auth/users/acl", {"userId": user_id, "clear": True})
    assert (await viewer.get("/api/auth/users"))[0] == 200


async def test_organization_visibility_limits_rows(client, world, admin):
    _, users = await admin.get(f"/api/auth/users?search={world.emails['employee']}")
    employee_id = users["items"][0]["id"]
    await admin.put(
        "/api/auth/users/acl",
        {"userId": employee_id, "features": ["auth.users.list"], "organizations": [str(world.other_org)]},
    )
    employee = await login(client, world.emails["employee"])
    # The employee's own org (branch) is not visible to them any more: only "other" (empty).
    status, body = await employee.get("/api/auth/users", headers={"Cookie": "om_selected_org=__all__"})
    assert status == 200 and body["items"] == []
    status, body = await employee.get(
        "/api/auth/users", headers={"Cookie": f"om_selected_org={world.root_org}"}
    )
    assert status == 422
