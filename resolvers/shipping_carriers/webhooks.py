"""``POST /shipping-carriers/webhook/{provider}``: status changes pushed by a carrier.

The body is verified before anything is read from it: ``X-Signature`` must be the hex HMAC-SHA256 of
the raw body under ``SHIPPING_WEBHOOK_SECRET`` (``sha256=`` prefix allowed; no secret configured: every
call is refused). The event is then applied once: it is recorded under its key (the provider's event
id, else the body's digest) in the shipment's tenant, in the same transaction as the change, so a
replay — even a concurrent one — changes nothing. Events arrive out of order: a status the machine
does not allow from the current one (``delivered`` then ``in_transit``) is recorded, not applied.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, NotFound, Unauthorized
from models.shipping_carriers import CarrierShipment, CarrierShipmentEvent
from resolvers.crud import flush_or_conflict
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.shipping_carriers.entities import CARRIER_SHIPMENT, MODULE
from resolvers.shipping_carriers.providers import PROVIDERS, provider
from resolvers.shipping_carriers.providers.base import WebhookUpdate
from resolvers.shipping_carriers.statuses import SHIPMENT_STATUS
from resolvers.validation import check_safe

SIGNATURE_HEADER = "X-Signature"
MAX_BODY = 64 * 1024


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None) -> None:
    """401 unless ``signature`` is the body's HMAC under ``secret``."""
    given = (signature or "").strip().removeprefix("sha256=").lower()
    if not secret or not given or not hmac.compare_digest(sign(secret, body), given):
        raise Unauthorized("Invalid signature")


async def _shipment(uow: Any, provider_key: str, update: WebhookUpdate) -> CarrierShipment:
    """The shipment the event is about, locked: by the carrier's id for it, else by tracking number."""
    if update.external_id:
        key = CarrierShipment.external_id == update.external_id
    elif update.tracking_number:
        key = CarrierShipment.tracking_number == update.tracking_number
    else:
        raise BadRequest("The event names no shipment")
    query = (
        select(CarrierShipment)
        .where(CarrierShipment.provider == provider_key, CarrierShipment.deleted_at.is_(None), key)
        .order_by(CarrierShipment.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    found = (await uow.session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("Shipment not found")
    return found


async def receive_webhook(
    ctx: RequestContext, provider_key: str, raw: bytes, signature: str | None
) -> dict[str, Any]:
    """Verify, then apply one provider event to its shipment (idempotently); the answer says whether
    it changed anything."""
    if provider_key not in PROVIDERS:
        raise NotFound()
    if len(raw) > MAX_BODY:
        raise BadRequest("Body too large")
    verify(ctx.settings.shipping_webhook_secret, raw, signature)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("Invalid JSON body") from None
    if not isinstance(body, dict):
        raise BadRequest("Expected a JSON object")
    check_safe(body)
    update = provider(provider_key, ctx.settings).webhook_update(body)
    key = update.event_key or "sha256:" + hashlib.sha256(raw).hexdigest()
    async with ctx.unit_of_work(system=True, command=f"{MODULE}.carrier_shipment.webhook") as uow:
        shipment = await _shipment(uow, provider_key, update)
        recorded = await uow.session.execute(
            insert(CarrierShipmentEvent)
            .values(
                tenant_id=shipment.tenant_id,
                organization_id=shipment.organization_id,
                shipment_id=shipment.id,
                provider=provider_key,
                event_key=key[:200],
                event_type=update.event_type,
                status=update.status,
                payload=body,
            )
            .on_conflict_do_nothing(constraint="uq_carrier_shipment_events_key")
            .returning(CarrierShipmentEvent.id)
        )
        if recorded.scalar_one_or_none() is None:
            return {"ok": True, "duplicate": True, "applied": False, "shipmentId": str(shipment.id)}
        applied = apply(ctx, uow, shipment, update)
        await flush_or_conflict(uow)
        if applied is not None:
            await uow.session.refresh(shipment)
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity=CARRIER_SHIPMENT.name,
                verb="update",
                event="status_changed",
                resource_id=shipment.id,
                tenant_id=shipment.tenant_id,
                organization_id=shipment.organization_id,
                before=applied,
                after=serialize(CARRIER_SHIPMENT, shipment),
            )
        return {
            "ok": True,
            "duplicate": False,
            "applied": applied is not None,
            "shipmentId": str(shipment.id),
            "status": shipment.status,
        }


def apply(
    ctx: RequestContext, uow: Any, shipment: CarrierShipment, update: WebhookUpdate
) -> dict[str, Any] | None:
    """Apply the update when the machine allows it; the row as it was before, or None (no change)."""
    target = update.status
    moves = (
        target is not None
        and target != shipment.status
        and target in SHIPMENT_STATUS.allowed_from(shipment.status)
    )
    numbered = update.tracking_number and not shipment.tracking_number
    if not (moves or numbered):
        return None
    before = serialize(CARRIER_SHIPMENT, shipment)
    if moves:
        shipment.status = target
        shipment.provider_status = update.provider_status
        shipment.last_event_at = update.occurred_at or datetime.now(UTC)
        if target == "cancelled":
            shipment.cancelled_at = shipment.last_event_at
    if numbered:
        shipment.tracking_number = update.tracking_number
    return before
