"""REST bindings of the customer-audience operations (``resolvers.customer_accounts``): the
customer credential (bearer token or cookie) and the refresh cookie go in, the session cookies come
out. The staff authenticator never accepts these tokens (another audience), and these routes never
accept staff ones. The admin routes are ordinary declared operations (``openapi_compat.operations``)."""

from __future__ import annotations

from typing import Any

from openapi_compat.operations import rest_input, stream_events, with_last_event_id
from openapi_compat.routing import Reply, RestRequest, route
from resolvers.customer_accounts import common
from resolvers.operations import OPERATIONS, Operation, Rest, invoke


def _cookie(request: RestRequest, max_age: int) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "Lax",
        "path": "/",
        "secure": request.http.secure,
        "max_age": max_age,
    }


def customer_credential(request: RestRequest) -> str | None:
    scheme, _, value = request.http.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.http.cookies.get(common.ACCESS_COOKIE)


def reply(request: RestRequest, result: dict[str, Any]) -> Reply:
    body = dict(result)
    tokens: common.IssuedTokens | None = body.pop("_tokens", None)
    answer = Reply(body)
    if body.pop("_clear", False):
        answer.delete_cookies = [common.ACCESS_COOKIE, common.SESSION_COOKIE]
    if tokens is not None:
        settings = request.ctx.settings
        answer.set_cookies = [
            (common.ACCESS_COOKIE, tokens.access_token, _cookie(request, settings.access_token_ttl)),
            (common.SESSION_COOKIE, tokens.refresh_token, _cookie(request, settings.refresh_token_ttl)),
        ]
    return answer


def mount(op: Operation, binding: Rest) -> None:
    async def handler(request: RestRequest) -> Any:
        ctx = request.ctx
        ctx.cache[common.CREDENTIAL] = customer_credential(request)
        ctx.cache[common.REFRESH] = request.http.cookies.get(common.SESSION_COOKIE)
        ctx.cache[common.USER_AGENT] = request.http.headers.get("User-Agent", "")[:500] or None
        raw = await rest_input(request, binding, op)
        if binding.stream:
            raw = with_last_event_id(request, raw)
        _, result = await invoke(op, ctx, raw)
        if binding.stream:
            return await stream_events(request.http, result)
        return reply(request, result)

    handler.__doc__ = op.description
    route(binding.method, binding.path, auth=False, features=[], enforce=False, operation=op)(handler)


for _op in list(OPERATIONS.values()):
    if _op.module == common.MODULE and "customer_rest" in _op.extra:
        mount(_op, _op.extra["customer_rest"])
