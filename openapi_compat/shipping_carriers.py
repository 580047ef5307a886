"""REST routes of the shipping carriers module: every documented operation is declared in
``resolvers.shipping_carriers`` except the providers' webhook, which is verified against the raw
body's signature (a parsed and re-encoded body would not match it), so it is read here as bytes."""

from __future__ import annotations

from typing import Any

from openapi_compat.routing import RestRequest, route
from resolvers.shipping_carriers.webhooks import SIGNATURE_HEADER, receive_webhook


@route("POST", "/shipping-carriers/webhook/{provider}", auth=False, features=[])
async def carrier_webhook(request: RestRequest) -> Any:
    """A provider's signed status event (``X-Signature``: hex HMAC-SHA256 of the body)."""
    raw = await request.http.read()
    signature = request.http.headers.get(SIGNATURE_HEADER)
    return await receive_webhook(request.ctx, request.match["provider"], raw, signature)
