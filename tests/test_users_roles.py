"""Users and roles: CRUD, role assignment, filters, consents, profile, preferences, navigation."""

from __future__ import annotations

from tests.conftest import login


async def test_user_lifecycle(client, world, admin):
    status, body = await admin.post(
        "/api/auth/users",
        {
            "email": "New.User@example.com",
            "password": "first-pass",
            "organizationId": str(world.other_org),
            "roles": ["viewer"],
            "consents": [{"consentType": "marketing", "isGranted": True, "source": "signup"}],
        },
    )
    assert status == 201, body
    user_id = body["id"]
    _, page = await admin.get(f"/api/auth/users?id={user_id}")
    item = page["items"][0]
    assert item["email"] == "New.User@example.com" and item["roles"] == ["viewer"]
    assert item["organizationId"] == str(world.other_org) and item["organizationName"].startswith("Other")
    new_user = await login(client, "new.user@example.com", "first-pass")
    assert (await new_user.get("/api/auth/profile"))[1]["roles"] == ["viewer"]
    status, _ = await admin.post("/api/auth/users", {"email": "new.user@example.com", "password": "x-pass-1"})
    assert status == 409
    assert (await admin.put("/api/auth/users", {"id": user_id, "password": "second-pass", "roles": []}))[
        0
    ] == 200
    assert (await new_user.get("/api/auth/profile"))[0] == 401  # password change revoked sessions
    again = await login(client, "new.user@example.com", "second-pass")
    assert (await again.get("/api/auth/profile"))[1]["roles"] == []
    status, consents = await admin.get(f"/api/auth/users/consents?userId={user_id}")
    assert status == 200 and consents["items"][0]["consentType"] == "marketing"
    assert consents["items"][0]["integrityValid"] is True
    assert (await admin.delete(f"/api/auth/users?id={user_id}")) == (200, {"ok": True})
    assert (await again.get("/api/auth/profile"))[0] == 401
    assert (await admin.delete(f"/api/auth/users?id={user_id}"))[0] == 404


async def test_user_validation_and_filters(client, world, admin):
    status, body = await admin.post("/api/auth/users", {"email": "not-an-email", "password": "abcdefgh"})
    assert status == 400 and body["details"][0]["path"] == ["email"]
    status, body = await admin.post("/api/auth/users", {"email": "short@example.com", "password": "abc"})
    assert status == 400 and body["details"][0]["path"] == ["password"]
    status, body = await admin.post(
        "/api/auth/users", {"email": "r@example.com", "password": "abcdefgh", "roles": ["nope"]}
    )
    assert status == 400 and "Unknown role" in body["details"][0]["message"]
    _, page = await admin.get(f"/api/auth/users?roleIds={world.role_ids['viewer']}")
    assert [u["email"] for u in page["items"]] == [world.emails["viewer"]]
    _, page = await admin.get(
        f"/api/auth/users?organizationId={world.branch_org}&sortField=email&sortDir=desc"
    )
    assert [u["email"] for u in page["items"]] == sorted(
        [world.emails["viewer"], world.emails["employee"]], reverse=True
    )


async def test_roles_crud_and_in_use(client, world, admin):
    status, body = await admin.post("/api/auth/roles", {"name": "auditor"})
    assert status == 201
    role_id = body["id"]
    assert (await admin.post("/api/auth/roles", {"name": "Auditor"}))[0] == 409
    _, page = await admin.get(f"/api/auth/roles?id={role_id}")
    assert page["items"][0] == {
        "id": role_id,
        "name": "auditor",
        "tenantId": str(world.tenant_id),
        "createdAt": page["items"][0]["createdAt"],
        "usersCount": 0,
        "tenantName": page["items"][0]["tenantName"],
    }
    assert (await admin.put("/api/auth/roles", {"id": role_id, "name": "auditors"})) == (200, {"ok": True})
    status, body = await admin.delete(f"/api/auth/roles?id={world.role_ids['viewer']}")
    assert status == 400 and body["error"] == "Role has assigned users"
    assert (await admin.delete(f"/api/auth/roles?id={role_id}")) == (200, {"ok": True})


async def test_profile_update(client, world):
    api = await login(client, world.emails["viewer"])
    status, body = await api.put("/api/auth/profile", {"password": "brand-new-pass"})
    assert status == 400 and body["details"][0]["path"] == ["currentPassword"]
    status, body = await api.put(
        "/api/auth/profile", {"password": "brand-new-pass", "currentPassword": "secret-pass"}
    )
    assert status == 200 and body == {"ok": True, "email": world.emails["viewer"]}
    await login(client, world.emails["viewer"], "brand-new-pass")


async def test_locale_sidebar_and_nav(client, world, admin, anonymous):
    assert (await anonymous.get("/api/auth/locale"))[1]["locale"] == "en"
    response = await client.post("/api/auth/locale", json={"locale": "pl"})
    assert response.status == 200 and response.cookies["locale"].value == "pl"
    assert (await anonymous.post("/api/auth/locale", {"locale": "xx"}))[0] == 400
    status, prefs = await admin.get("/api/auth/sidebar/preferences")
    assert status == 200 and prefs["canApplyToRoles"] is True and prefs["settings"]["version"] == 1
    _, nav = await admin.get("/api/auth/admin/nav")
    first_href = nav["groups"][0]["items"][0]["href"]
    status, body = await admin.put(
        "/api/auth/sidebar/preferences",
        {
            "settings": {
                "groupOrder": ["directory"],
                "hiddenItems": [first_href],
                "groupLabels": {"directory": "Org"},
            },
            "applyToRoles": [str(world.role_ids["viewer"])],
        },
    )
    assert status == 200 and body["appliedRoles"] == [str(world.role_ids["viewer"])]
    _, nav = await admin.get("/api/auth/admin/nav")
    assert nav["groups"][0]["id"] == "directory" and nav["groups"][0]["name"] == "Org"
    hidden = [i for g in nav["groups"] for i in g["items"] if i["href"] == first_href]
    assert hidden[0]["enabled"] is False
    viewer = await login(client, world.emails["viewer"])
    _, nav = await viewer.get("/api/auth/admin/nav")
    groups = {g["id"]: g for g in nav["groups"]}
    assert "directory" not in groups and "api_keys" not in groups  # only what the viewer's features allow
    assert [i["href"] for i in groups["auth"]["items"]] == ["/backend/auth/users"]


async def test_features_registry(admin, world, client):
    status, body = await admin.get("/api/auth/features")
    assert status == 200
    ids = {f["id"] for f in body["items"]}
    assert {"auth.users.list", "customers.people.view", "directory.tenants.manage"} <= ids
    assert {"id": "auth", "title": "Auth"} in body["modules"]
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/auth/features"))[0] == 403
