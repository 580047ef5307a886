"""Login, tokens, refresh rotation/revocation, logout and token validation."""

from __future__ import annotations

import base64
import json

from crmgraph.security import issue_access_token
from tests.conftest import Api, login
from tests.factories import PASSWORD


async def test_login_form_sets_cookies_and_token_opens_profile(client, world):
    response = await client.post("/api/auth/login", data={"email": world.admin_email, "password": PASSWORD})
    body = await response.json()
    assert response.status == 200
    assert body["ok"] is True and body["token"] and body["refreshToken"]
    assert "redirect" in body
    cookie = response.cookies["auth_token"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "session_token" in response.cookies
    status, profile = await Api(client, {"Authorization": f"Bearer {body['token']}"}).get("/api/auth/profile")
    assert status == 200
    assert profile == {"email": world.admin_email, "roles": ["superadmin"]}
    # The cookie alone authenticates too.
    status, _ = await Api(client, {"Cookie": f"auth_token={body['token']}"}).get("/api/auth/profile")
    assert status == 200


async def test_login_json_and_generic_failures(client, world, anonymous):
    status, body = await anonymous.post("/api/auth/login", {"email": world.admin_email, "password": PASSWORD})
    assert status == 200 and body["ok"]
    wrong = await anonymous.post("/api/auth/login", {"email": world.admin_email, "password": "nope-nope"})
    unknown = await anonymous.post("/api/auth/login", {"email": "ghost@example.com", "password": "nope-nope"})
    assert wrong == unknown == (401, {"ok": False, "error": "Invalid email or password"})
    status, body = await anonymous.post("/api/auth/login", {"email": "", "password": ""})
    assert status == 400 and body["error"] == "Validation failed"


async def test_login_require_role(client, world, anonymous):
    email = world.emails["viewer"]
    status, body = await anonymous.post(
        "/api/auth/login", {"email": email, "password": PASSWORD, "requireRole": "superadmin"}
    )
    assert status == 403 and body["ok"] is False
    status, body = await anonymous.post(
        "/api/auth/login", {"email": email, "password": PASSWORD, "requireRole": "viewer"}
    )
    assert status == 200


async def test_protected_routes_need_a_token(anonymous):
    for path in ("/api/auth/profile", "/api/auth/users", "/api/directory/tenants", "/api/api_keys/keys"):
        assert await anonymous.get(path) == (401, {"error": "Unauthorized"})


async def test_invalid_tokens_are_rejected(client, world, settings):
    api = await login(client, world.admin_email)
    token = api.headers["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    tampered = f"{header}.{b64({**claims, 'tenantId': 'x'})}.{signature}"
    alg_none = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    expired_settings = settings.__class__(**{**settings.__dict__, "access_token_ttl": -10})
    expired = issue_access_token(expired_settings, {k: claims[k] for k in ("sub", "sid")})
    portal = issue_access_token(settings, {k: claims[k] for k in ("sub", "sid")}, audience="portal")
    other_issuer = issue_access_token(
        settings.__class__(**{**settings.__dict__, "jwt_issuer": "elsewhere"}), {"sub": claims["sub"]}
    )
    for bad in (tampered, alg_none, expired, portal, other_issuer, "garbage", token + "x"):
        status, body = await Api(client, {"Authorization": f"Bearer {bad}"}).get("/api/auth/profile")
        assert (status, body) == (401, {"error": "Unauthorized"}), bad


async def test_refresh_rotates_and_reuse_revokes_family(client, world, anonymous):
    _, first = await anonymous.post("/api/auth/login", {"email": world.admin_email, "password": PASSWORD})
    status, rotated = await anonymous.post(
        "/api/auth/session/refresh", {"refreshToken": first["refreshToken"]}
    )
    assert status == 200 and rotated["ok"] and rotated["expiresIn"] == 28800
    assert rotated["refreshToken"] != first["refreshToken"]
    fresh = Api(client, {"Authorization": f"Bearer {rotated['accessToken']}"})
    assert (await fresh.get("/api/auth/profile"))[0] == 200
    # Replaying the old token is theft: the whole family is revoked, including the rotated one.
    status, body = await anonymous.post("/api/auth/session/refresh", {"refreshToken": first["refreshToken"]})
    assert status == 401 and body["ok"] is False
    status, _ = await anonymous.post("/api/auth/session/refresh", {"refreshToken": rotated["refreshToken"]})
    assert status == 401
    assert (await fresh.get("/api/auth/profile"))[0] == 401
    assert (await anonymous.post("/api/auth/session/refresh", {}))[0] == 400
    assert (await anonymous.post("/api/auth/session/refresh", {"refreshToken": "nope"}))[0] == 401


async def test_refresh_get_uses_cookie_and_redirects(client, world, anonymous):
    _, first = await anonymous.post("/api/auth/login", {"email": world.admin_email, "password": PASSWORD})
    response = await client.get(
        "/api/auth/session/refresh?redirect=/backend/x",
        headers={"Cookie": f"session_token={first['refreshToken']}"},
        allow_redirects=False,
    )
    assert response.status == 302 and response.headers["Location"] == "/backend/x"
    assert response.cookies["auth_token"].value
    # Open redirects are refused; a missing cookie goes to the login page.
    response = await client.get(
        "/api/auth/session/refresh?redirect=https://evil.example", allow_redirects=False
    )
    assert response.status == 302 and response.headers["Location"].startswith("/login")


async def test_logout_revokes_session(client, world, anonymous):
    _, body = await anonymous.post("/api/auth/login", {"email": world.admin_email, "password": PASSWORD})
    api = Api(client, {"Authorization": f"Bearer {body['token']}"})
    assert (await api.get("/api/auth/profile"))[0] == 200
    status, _ = await api.post(
        "/api/auth/logout", headers={"Cookie": f"session_token={body['refreshToken']}"}
    )
    assert status == 302
    assert (await api.get("/api/auth/profile"))[0] == 401
    assert (await anonymous.post("/api/auth/session/refresh", {"refreshToken": body["refreshToken"]}))[
        0
    ] == 401


async def test_login_rate_limit(world, settings):
    """Five failures per minute per account (configurable); then even the right password is 429."""
    from dataclasses import replace

    from aiohttp import DummyCookieJar
    from aiohttp.test_utils import TestClient, TestServer

    from crmgraph.app import create_app

    limited = replace(settings, login_rate_per_email=3)
    async with TestClient(TestServer(create_app(limited)), cookie_jar=DummyCookieJar()) as limited_client:
        anonymous = Api(limited_client)
        statuses = [
            (
                await anonymous.post(
                    "/api/auth/login", {"email": world.emails["viewer"], "password": "wrong!"}
                )
            )[0]
            for _ in range(3)
        ]
        assert statuses == [401, 401, 401]
        status, body = await anonymous.post(
            "/api/auth/login", {"email": world.emails["viewer"], "password": PASSWORD}
        )
        assert status == 429 and body["error"]
