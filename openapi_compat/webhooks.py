"""REST routes of the webhooks module written by hand: the inbound endpoint, which verifies the
provider's signature over the raw body and headers (everything else is declared operations)."""

from typing import Any

from openapi_compat.routing import RestRequest, route
from resolvers.webhooks.inbound import MAX_BODY, receive


@route("POST", "/webhooks/inbound/{endpointId}", auth=False, features=[])
async def inbound(request: RestRequest) -> Any:
    """Accept a provider's message signed per Standard Webhooks with the endpoint's secret (401 otherwise)."""
    body = await request.http.content.read(MAX_BODY + 1)
    return await receive(request.ctx, request.match["endpointId"], body, request.http.headers)
