"""REST routes of the auth module."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from openapi_compat.crud import crud_routes
from openapi_compat.routing import BODY, JSON, Query, Reply, RestRequest, expose, route
from resolvers.auth import acl, profile, sessions
from resolvers.auth.entities import ROLE, USER
from resolvers.features import registry

crud_routes(ROLE)
crud_routes(USER)


def _cookie_options(request: RestRequest, max_age: int | None) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "Lax",
        "path": "/",
        "secure": request.http.secure,
        **({"max_age": max_age} if max_age else {}),
    }


def _token_cookies(request: RestRequest, tokens: sessions.IssuedTokens, remember: bool) -> list:
    settings = request.ctx.settings
    return [
        ("auth_token", tokens.access_token, _cookie_options(request, settings.access_token_ttl)),
        (
            "session_token",
            tokens.refresh_token,
            _cookie_options(request, settings.refresh_token_ttl if remember else None),
        ),
    ]


@route("POST", "/auth/login")
async def login(request: RestRequest) -> Any:
    body = await request.body()
    tokens, _roles = await sessions.login(request.ctx, body)
    remember = str((body or {}).get("remember", "")).lower() in ("1", "true", "on", "yes")
    return Reply(
        {
            "ok": True,
            "token": tokens.access_token,
            "redirect": "/backend",
            "refreshToken": tokens.refresh_token,
        },
        set_cookies=_token_cookies(request, tokens, remember),
    )


@route("POST", "/auth/session/refresh")
async def refresh_post(request: RestRequest) -> Any:
    body = await request.body()
    token = body.get("refreshToken") if isinstance(body, dict) else None
    tokens = await sessions.refresh(request.ctx, token)
    return Reply(
        {
            "ok": True,
            "accessToken": tokens.access_token,
            "expiresIn": request.ctx.settings.access_token_ttl,
            "refreshToken": tokens.refresh_token,
        },
        set_cookies=_token_cookies(request, tokens, True),
    )


def _safe_redirect(target: str | None, default: str) -> str:
    """Only same-origin relative paths: never an open redirect.

    Browsers read a backslash as ``/`` and drop tabs and newlines, so ``/<backslash>evil`` and
    ``/<tab>/evil`` become ``//evil``: any backslash or control character is refused, then the
    target must parse as a bare path starting with a single ``/``.
    """
    if not target or any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return target


@route("GET", "/auth/session/refresh")
async def refresh_get(request: RestRequest) -> Any:
    target = _safe_redirect(request.query.get("redirect"), "/backend")
    cookie = request.http.cookies.get("session_token")
    try:
        tokens = await sessions.refresh(request.ctx, cookie)
    except sessions.LoginFailed:
        return Reply(
            redirect=f"/login?redirect={quote(target, safe='/')}",
            delete_cookies=["auth_token", "session_token"],
        )
    return Reply(redirect=target, set_cookies=_token_cookies(request, tokens, True))


async def _logout(request: RestRequest) -> Any:
    await sessions.logout(request.ctx, request.http.cookies.get("session_token"))
    return Reply(redirect="/login", delete_cookies=["auth_token", "session_token"])


route("GET", "/auth/logout")(_logout)
route("POST", "/auth/logout")(_logout)


expose("GET", "/auth/profile", profile.get_profile)
expose("PUT", "/auth/profile", profile.put_profile, JSON, body_model=profile.ProfileInput)
expose("POST", "/auth/reset", sessions.request_reset, BODY)
expose("POST", "/auth/reset/confirm", sessions.confirm_reset, BODY)
expose("POST", "/auth/feature-check", acl.feature_check, BODY)
expose("GET", "/auth/features", lambda ctx: registry())
expose("GET", "/auth/admin/nav", profile.admin_nav)
expose("GET", "/auth/sidebar/preferences", profile.get_sidebar)
expose("PUT", "/auth/sidebar/preferences", profile.put_sidebar, JSON, body_model=profile.SidebarInput)
expose("GET", "/auth/roles/acl", acl.get_role_acl, Query("roleId"), Query("tenantId"))
expose("PUT", "/auth/roles/acl", acl.put_role_acl, JSON)
expose("GET", "/auth/users/acl", acl.get_user_acl, Query("userId"))
expose("PUT", "/auth/users/acl", acl.put_user_acl, JSON)
expose("GET", "/auth/users/consents", profile.user_consents, Query("userId"))


@route("GET", "/auth/locale")
async def get_locale(request: RestRequest) -> Any:
    return profile.locale_payload(request.http.cookies.get("locale"))


@route("POST", "/auth/locale")
async def set_locale(request: RestRequest) -> Any:
    result = await profile.set_locale(request.ctx, await request.body())
    return Reply(result, set_cookies=[("locale", result["locale"], {"path": "/", "samesite": "Lax"})])
