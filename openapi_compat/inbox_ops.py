"""REST routes of the inbox ops module: the email and proposal lists and the email detail (entity
routes); every other documented operation is declared in ``resolvers.inbox_ops``, except the
inbound webhook, verified against the raw body's signature and so read here as bytes."""

from __future__ import annotations

from typing import Any

from openapi_compat.crud import crud_routes, item_routes
from openapi_compat.routing import Reply, RestRequest, route
from resolvers.inbox_ops.entities import INBOX_EMAIL, INBOX_PROPOSAL
from resolvers.inbox_ops.webhook import SIGNATURE_HEADER, receive_webhook

crud_routes(INBOX_EMAIL, ("GET",))
item_routes(INBOX_EMAIL, ("GET",))
crud_routes(INBOX_PROPOSAL, ("GET",))


@route("POST", "/inbox_ops/webhook/inbound", auth=False, features=[])
async def inbound_webhook(request: RestRequest) -> Any:
    """An inbound email (``X-Inbox-Signature``: hex HMAC-SHA256 of the body)."""
    raw = await request.http.read()
    body, status = await receive_webhook(request.ctx, raw, request.http.headers.get(SIGNATURE_HEADER))
    return Reply(body, status)
