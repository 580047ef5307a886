"""Item 12: the refresh redirect accepts only same-origin relative paths."""

from __future__ import annotations

from urllib.parse import quote

from tests.factories import PASSWORD

HOSTILE = [
    "/\\evil.example/",
    "/\t/evil.example/",
    "//evil.example/",
    "/\n/evil.example",
    "https://evil.example/",
    "/\\/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


async def _location(client, target: str, cookie: str | None) -> str:
    headers = {"Cookie": f"session_token={cookie}"} if cookie else {}
    response = await client.get(
        f"/api/auth/session/refresh?redirect={quote(target, safe='')}", headers=headers, allow_redirects=False
    )
    assert response.status in (302, 303, 307), response.status
    return response.headers["Location"]


async def test_refresh_redirect_refuses_other_origins(client, world):
    for target in HOSTILE:
        response = await client.post(
            "/api/auth/login", data={"email": world.admin_email, "password": PASSWORD}
        )
        refresh = (await response.json())["refreshToken"]
        assert await _location(client, target, refresh) == "/backend", target
        assert await _location(client, target, None) == "/login?redirect=/backend", target
    target = "/backend/customers?tab=1"
    assert await _location(client, target, None) == "/login?redirect=/backend/customers%3Ftab%3D1"
