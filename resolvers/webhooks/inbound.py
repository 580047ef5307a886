"""Inbound webhooks: a provider posts to ``/webhooks/inbound/{endpointId}`` signed per the Standard
Webhooks spec with that endpoint's secret; the signature (and its timestamp, within five minutes)
is verified over the raw body before anything is accepted. Accepted messages are recorded as the
domain event ``webhooks.inbound.received`` (not delivered to outbound endpoints)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from standardwebhooks import Webhook

from crmgraph.context import RequestContext
from crmgraph.crypto import UndecryptableSecret
from crmgraph.errors import BadRequest, NotFound, Unauthorized
from models.webhooks import WebhookEndpoint
from resolvers.events import emit
from resolvers.scope import parse_uuid
from resolvers.webhooks.entities import MODULE
from resolvers.webhooks.security import unseal

MAX_BODY = 1024 * 1024
INBOUND_EVENT = f"{MODULE}.inbound.received"


async def receive(
    ctx: RequestContext, endpoint_ref: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    """Verify and record one inbound message: 404 for an unknown endpoint, 401 for a missing, bad
    or expired signature, 400 for a body that is not JSON."""
    ident = parse_uuid(endpoint_ref)
    if ident is None:
        raise NotFound()
    async with ctx.sessionmaker() as session:  # no caller: the signature is the credential
        endpoint = await session.scalar(
            select(WebhookEndpoint).where(WebhookEndpoint.id == ident, WebhookEndpoint.deleted_at.is_(None))
        )
    if endpoint is None:
        raise NotFound()
    if len(body) > MAX_BODY:
        raise BadRequest("Body too large")
    try:
        secrets = [unseal(ctx.settings, endpoint.secret_encrypted)]
        if endpoint.previous_secret_encrypted:
            secrets.append(unseal(ctx.settings, endpoint.previous_secret_encrypted))
    except UndecryptableSecret:
        raise Unauthorized("Invalid signature") from None
    text = body.decode("utf-8", "replace")
    if not any(_verified(secret, text, headers) for secret in secrets):
        raise Unauthorized("Invalid signature")
    try:
        payload = json.loads(text)
    except ValueError:
        raise BadRequest("Body must be JSON") from None
    message_id = headers.get("webhook-id", "")
    async with ctx.unit_of_work(system=True) as uow:
        emit(
            ctx,
            uow,
            INBOUND_EVENT,
            {
                "id": str(uuid.uuid4()),
                "webhookId": str(endpoint.id),
                "messageId": message_id[:200],
                "payload": payload,
            },
            endpoint.tenant_id,
            endpoint.organization_id,
        )
    return {"ok": True}


def _verified(secret: str, text: str, headers: Mapping[str, str]) -> bool:
    try:
        Webhook(secret).verify(text, dict(headers), json_parse=False)
    except Exception:  # missing, malformed, expired or wrong signature
        return False
    return True
