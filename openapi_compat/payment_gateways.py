"""REST routes of the payment_gateways module: the transaction list and detail (declared entity), and
the provider webhook, which needs the raw body and the signature header (every other operation is
declared in ``resolvers.payment_gateways`` and mounted by ``openapi_compat.operations``)."""

from __future__ import annotations

from typing import Any

from crmgraph.errors import BadRequest
from openapi_compat.crud import crud_routes, item_routes
from openapi_compat.routing import RestRequest, route
from resolvers.operations import OPERATIONS, invoke
from resolvers.payment_gateways.entities import PAYMENT_TRANSACTION
from resolvers.payment_gateways.webhooks import MAX_PAYLOAD

crud_routes(PAYMENT_TRANSACTION)
item_routes(PAYMENT_TRANSACTION, ("GET",))


@route("POST", "/payment_gateways/webhook/{provider}", auth=False, features=[])
async def payment_webhook(request: RestRequest) -> Any:
    """A provider's signed event (Stripe: ``Stripe-Signature`` over the raw body)."""
    http = request.http
    if http.content_length is not None and http.content_length > MAX_PAYLOAD:
        raise BadRequest("Payload too large")
    raw = await http.content.read(MAX_PAYLOAD + 1)
    if len(raw) > MAX_PAYLOAD:
        raise BadRequest("Payload too large")
    try:
        payload = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("Payload must be UTF-8") from None
    body = {"provider": request.match["provider"], "payload": payload}
    if "Stripe-Signature" in http.headers:
        body["signature"] = http.headers["Stripe-Signature"]
    _, result = await invoke(OPERATIONS["receive_payment_webhook"], request.ctx, body)
    return result
