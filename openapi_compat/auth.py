"""REST routes of the auth module."""

from __future__ import annotations

from typing import Any

from openapi_compat.crud import crud_routes
from openapi_compat.routing import Reply, RestRequest, route
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
    """Only same-site relative paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return default


@route("GET", "/auth/session/refresh")
async def refresh_get(request: RestRequest) -> Any:
    target = _safe_redirect(request.query.get("redirect"), "/backend")
    cookie = request.http.cookies.get("session_token")
    try:
        tokens = await sessions.refresh(request.ctx, cookie)
    except sessions.LoginFailed:
        return Reply(redirect=f"/login?redirect={target}", delete_cookies=["auth_token", "session_token"])
    return Reply(redirect=target, set_cookies=_token_cookies(request, tokens, True))


async def _logout(request: RestRequest) -> Any:
    await sessions.logout(request.ctx, request.http.cookies.get("session_token"))
    return Reply(redirect="/login", delete_cookies=["auth_token", "session_token"])


route("GET", "/auth/logout")(_logout)
route("POST", "/auth/logout")(_logout)


@route("GET", "/auth/profile")
async def get_profile(request: RestRequest) -> Any:
    return await profile.get_profile(request.ctx)


@route("PUT", "/auth/profile")
async def put_profile(request: RestRequest) -> Any:
    return await profile.put_profile(request.ctx, await request.json_object())


@route("POST", "/auth/reset")
async def reset(request: RestRequest) -> Any:
    return await sessions.request_reset(request.ctx, await request.body())


@route("POST", "/auth/reset/confirm")
async def reset_confirm(request: RestRequest) -> Any:
    return await sessions.confirm_reset(request.ctx, await request.body())


@route("GET", "/auth/locale")
async def get_locale(request: RestRequest) -> Any:
    return profile.locale_payload(request.http.cookies.get("locale"))


@route("POST", "/auth/locale")
async def set_locale(request: RestRequest) -> Any:
    result = await profile.set_locale(request.ctx, await request.body())
    return Reply(result, set_cookies=[("locale", result["locale"], {"path": "/", "samesite": "Lax"})])


@route("POST", "/auth/feature-check")
async def feature_check(request: RestRequest) -> Any:
    return acl.feature_check(request.ctx, await request.body())


@route("GET", "/auth/features")
async def features(request: RestRequest) -> Any:
    return registry()


@route("GET", "/auth/admin/nav")
async def admin_nav(request: RestRequest) -> Any:
    return await profile.admin_nav(request.ctx)


@route("GET", "/auth/sidebar/preferences")
async def get_sidebar(request: RestRequest) -> Any:
    return await profile.get_sidebar(request.ctx)


@route("PUT", "/auth/sidebar/preferences")
async def put_sidebar(request: RestRequest) -> Any:
    return await profile.put_sidebar(request.ctx, await request.json_object())


@route("GET", "/auth/roles/acl")
async def get_role_acl(request: RestRequest) -> Any:
    return await acl.get_role_acl(request.ctx, request.query.get("roleId"), request.query.get("tenantId"))


@route("PUT", "/auth/roles/acl")
async def put_role_acl(request: RestRequest) -> Any:
    return await acl.put_role_acl(request.ctx, await request.json_object())


@route("GET", "/auth/users/acl")
async def get_user_acl(request: RestRequest) -> Any:
    return await acl.get_user_acl(request.ctx, request.query.get("userId"))


@route("PUT", "/auth/users/acl")
async def put_user_acl(request: RestRequest) -> Any:
    return await acl.put_user_acl(request.ctx, await request.json_object())


@route("GET", "/auth/users/consents")
async def user_consents(request: RestRequest) -> Any:
    return await profile.user_consents(request.ctx, request.query.get("userId"))
