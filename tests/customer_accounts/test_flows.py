"""Customer flows: signup and email verification, login and lockout, sessions with refresh rotation,
magic links, password reset and change, invitations; customer and staff tokens never cross."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.customer_accounts.conftest import (
    ADMIN,
    BASE,
    PASSWORD,
    customer,
    email,
    mailed_token,
    portal_login,
)


async def test_signup_verify_and_single_use_token(client: Any, sessionmaker: Any, cworld: Any, manager: Api):
    address = email()
    body = {"email": address, "password": PASSWORD, "displayName": "New", "tenantId": str(cworld.tenant_id)}
    status, reply = await Api(client).post(f"{BASE}/signup", body)
    assert status == 200 and reply["user"]["emailVerified"] is False, reply
    status, again = await Api(client).post(f"{BASE}/signup", body)
    assert status == 409 and again == {"ok": False, "error": "Email already registered"}
    status, bad = await Api(client).post(f"{BASE}/signup", {**body, "email": "nope", "password": "x"})
    assert status == 400 and {d["path"][0] for d in bad["details"]} >= {"email", "password"}, bad

    token = await mailed_token(sessionmaker, address)
    assert (await Api(client).post(f"{BASE}/email/verify", {"token": token})) == (200, {"ok": True})
    status, reused = await Api(client).post(f"{BASE}/email/verify", {"token": token})
    assert status == 400 and reused["ok"] is False
    status, found = await manager.get(f"{ADMIN}/users/{reply['user']['id']}")
    assert found["user"]["emailVerified"] is True


async def test_audiences_never_cross(client: Any, manager: Api):
    _id, address = await customer(client, manager)
    me, _cookies = await portal_login(client, address)
    assert (await me.get(f"{BASE}/portal/profile"))[0] == 200
    # A customer token is no staff credential, and a staff token no customer one.
    assert (await me.get(f"{ADMIN}/users"))[0] == 401
    assert (await me.get("/api/auth/profile"))[0] == 401
    assert (await manager.get(f"{BASE}/portal/profile"))[0] == 401
    query = {"query": "query($s: String) { customerUsersList(search: $s) }", "variables": {"s": address}}
    status, staff_view = await manager.post("/graphql", query)
    assert status == 200 and staff_view["data"]["customerUsersList"]["total"] == 1, staff_view
    status, customer_view = await me.post("/graphql", query)
    assert customer_view.get("data") is None or customer_view["data"]["customerUsersList"] is None
    assert customer_view["errors"], customer_view


async def test_login_failures_lock_the_account(client: Any, manager: Api):
    user_id, address = await customer(client, manager)
    anon = Api(client)
    for _ in range(5):
        status, body = await anon.post(f"{BASE}/login", {"email": address, "password": "wrong-password"})
        assert status == 401 and body == {"ok": False, "error": "Invalid email or password"}
    status, body = await anon.post(f"{BASE}/login", {"email": address, "password": PASSWORD})
    assert status == 423, body
    _, detail = await manager.get(f"{ADMIN}/users/{user_id}")
    assert detail["user"]["lockedUntil"] is not None
    assert (await manager.put(f"{ADMIN}/users/{user_id}", {"lockedUntil": None}))[0] == 200
    await portal_login(client, address)


async def test_sessions_refresh_rotation_and_logout(client: Any, manager: Api):
    _id, address = await customer(client, manager)
    me, cookies = await portal_login(client, address)
    other, _ = await portal_login(client, address)
    status, listed = await me.get(f"{BASE}/portal/sessions")
    assert status == 200 and len(listed["sessions"]) == 2
    assert sum(s["isCurrent"] for s in listed["sessions"]) == 1

    refresh = {"Cookie": f"customer_session_token={cookies['customer_session_token']}"}
    status, body = await Api(client).post(f"{BASE}/portal/sessions-refresh", headers=refresh)
    assert status == 200 and body == {"ok": True, "resolvedFeatures": []}
    # The rotated token used again: its whole family is revoked (the new session too).
    assert (await Api(client).post(f"{BASE}/portal/sessions-refresh", headers=refresh))[0] == 401
    assert (await me.get(f"{BASE}/portal/profile"))[0] == 401

    _, listed = await other.get(f"{BASE}/portal/sessions")
    current = next(s for s in listed["sessions"] if s["isCurrent"])
    assert (await other.delete(f"{BASE}/portal/sessions/{current['id']}"))[0] == 400
    assert (await other.post(f"{BASE}/portal/logout")) == (200, {"ok": True})
    assert (await other.get(f"{BASE}/portal/profile"))[0] == 401


async def test_magic_link_reset_and_password_change(client: Any, sessionmaker: Any, manager: Api):
    _id, address = await customer(client, manager)
    anon = Api(client)
    assert await anon.post(f"{BASE}/magic-link/request", {"email": address}) == (200, {"ok": True})
    assert await anon.post(f"{BASE}/magic-link/request", {"email": email()}) == (200, {"ok": True})
    token = await mailed_token(sessionmaker, address)
    status, body = await anon.post(f"{BASE}/magic-link/verify", {"token": token})
    assert status == 200 and body["user"]["emailVerified"] is True
    assert (await anon.post(f"{BASE}/magic-link/verify", {"token": token}))[0] == 400

    me, _ = await portal_login(client, address)
    change = {"currentPassword": "not-it-at-all", "newPassword": "Another-pass-2"}
    assert (await me.post(f"{BASE}/portal/password-change", change))[0] == 400
    change["currentPassword"] = PASSWORD
    assert (await me.post(f"{BASE}/portal/password-change", change)) == (200, {"ok": True})

    assert await anon.post(f"{BASE}/password/reset-request", {"email": address}) == (200, {"ok": True})
    token = await mailed_token(sessionmaker, address)
    assert (await anon.post(f"{BASE}/password/reset-confirm", {"token": token, "password": "Third-pass-3"}))[
        0
    ] == 200
    assert (await me.get(f"{BASE}/portal/profile"))[0] == 401  # every session revoked
    await portal_login(client, address, "Third-pass-3")
    assert (await anon.post(f"{BASE}/password/reset-confirm", {"token": token, "password": "Fourth-pass-4"}))[
        0
    ] == 400


async def test_invitation_roles_and_portal_admin(client: Any, sessionmaker: Any, cworld: Any, manager: Api):
    company = "0d6f3c2a-1111-4222-8333-444455556666"
    _, admin_role = await manager.post(
        f"{ADMIN}/roles", {"name": "Company admin", "slug": f"ca-{email()[:8]}"}
    )
    role_id = admin_role["role"]["id"]
    acl = {"features": ["portal.orders.view"], "isPortalAdmin": True}
    assert (await manager.put(f"{ADMIN}/roles/{role_id}/acl", acl)) == (200, {"ok": True})
    address = email()
    status, invited = await manager.post(
        f"{ADMIN}/users-invite", {"email": address, "roleIds": [role_id], "customerEntityId": company}
    )
    assert status == 200 and invited["invitation"]["email"] == address
    token = await mailed_token(sessionmaker, address)
    accept = {"token": token, "password": PASSWORD, "displayName": "Boss"}
    status, body = await Api(client).post(f"{BASE}/invitations/accept", accept)
    assert status == 200 and body["resolvedFeatures"] == ["portal.orders.view"], body

    boss, _ = await portal_login(client, address)
    status, profile = await boss.get(f"{BASE}/portal/profile")
    assert profile["isPortalAdmin"] is True and profile["roles"][0]["id"] == role_id
    status, granted = await boss.post(
        f"{BASE}/portal/feature-check", {"features": ["portal.orders.view", "x.y"]}
    )
    assert granted == {"ok": True, "granted": ["portal.orders.view", "x.y"]}  # portal admin holds all

    # A plain colleague in the same company may not manage users.
    colleague_id, colleague = await customer(client, manager, customerEntityId=company)
    plain, _ = await portal_login(client, colleague)
    status, denied = await plain.post(f"{BASE}/portal/users-invite", {"email": email(), "roleIds": []})
    assert status == 403 and denied["requiredFeatures"] == ["portal.users.manage"]
    _, users = await boss.get(f"{BASE}/portal/users")
    assert {u["email"] for u in users["users"]} == {address, colleague}
    # Roles staff keep to themselves are not assignable by customers.
    await manager.put(f"{ADMIN}/roles/{role_id}", {"customerAssignable": False})
    status, _ = await boss.put(f"{BASE}/portal/users/{colleague_id}/roles", {"roleIds": [role_id]})
    assert status == 403
    # Deleting a role still assigned is refused; deleting the colleague ends their sessions.
    assert (await manager.delete(f"{ADMIN}/roles/{role_id}"))[0] == 409
    assert (await boss.delete(f"{BASE}/portal/users/{colleague_id}")) == (200, {"ok": True})
    assert (await plain.get(f"{BASE}/portal/profile"))[0] == 401
