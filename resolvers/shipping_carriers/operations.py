"""The documented carrier operations: providers, rates, booking a shipment, tracking, cancelling and
pickup points.

The carrier is always asked outside any transaction (a slow carrier holds no database locks); what
it answered is then stored in one unit of work. A shipment the carrier booked but that could not be
stored is cancelled there again (best effort), so no parcel is left booked without a record.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound
from crmgraph.timefmt import format_datetime
from models.shipping_carriers import CarrierShipment
from resolvers.crud import flush_or_conflict, service
from resolvers.customers.settings import selected_organization
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.operations import Rest, operation, reloaded
from resolvers.scope import entity_conditions, parse_uuid
from resolvers.shipping_carriers.entities import CARRIER_SHIPMENT, MANAGE, MODULE, VIEW, shipment_event
from resolvers.shipping_carriers.providers import PROVIDERS, provider
from resolvers.shipping_carriers.providers.base import Rate, ShipmentRequest
from resolvers.shipping_carriers.shapes import (
    CarrierPoints,
    CarrierPointsInput,
    CarrierProviders,
    CarrierRates,
    CarrierRatesInput,
    CarrierShipmentInput,
    CarrierShipmentRef,
    CarrierTracking,
    CarrierTrackingInput,
)
from resolvers.shipping_carriers.statuses import SHIPMENT_STATUS

log = logging.getLogger("crmgraph.shipping")


def shipment_request(data: CarrierRatesInput) -> ShipmentRequest:
    return ShipmentRequest(
        service=data.service or "",
        receiver=data.receiver.model_dump(exclude_none=True) if data.receiver else {},
        sender=data.sender.model_dump(exclude_none=True) if data.sender else None,
        parcels=[p.model_dump(mode="json", exclude_none=True) for p in data.parcels],
        target_point=data.targetPoint,
        reference=getattr(data, "reference", None),
    )


def rate_out(rate: Rate) -> dict[str, Any]:
    return {
        "service": rate.service,
        "label": rate.label,
        "amount": rate.amount,
        "currencyCode": rate.currency_code,
    }


@operation(
    "shipping_carrier_providers",
    MODULE,
    kind="query",
    output=CarrierProviders,
    features=(MANAGE,),
    rest=Rest("GET", "/shipping-carriers/providers"),
)
async def list_providers(ctx: RequestContext) -> dict[str, Any]:
    """The carrier providers, whether each is configured, and their services."""
    items = []
    for key in PROVIDERS:
        client = provider(key, ctx.settings)
        items.append(
            {
                "key": key,
                "label": client.label,
                "configured": client.configured(),
                "services": client.services(),
            }
        )
    return {"items": items}


@operation(
    "shipping_carrier_rates",
    MODULE,
    kind="query",
    input=CarrierRatesInput,
    output=CarrierRates,
    features=(MANAGE,),
    rest=Rest("POST", "/shipping-carriers/rates"),
)
async def rates(ctx: RequestContext, data: CarrierRatesInput) -> dict[str, Any]:
    """What a provider charges for the parcels, per service (exact amounts)."""
    found = await provider(data.provider, ctx.settings).rates(shipment_request(data))
    return {"provider": data.provider, "rates": [rate_out(r) for r in found]}


@operation(
    "create_carrier_shipment",
    MODULE,
    input=CarrierShipmentInput,
    output=CARRIER_SHIPMENT,
    features=(MANAGE,),
    transaction=False,  # the carrier is asked outside any transaction; storing is one unit of work
    graphql_result=reloaded(CARRIER_SHIPMENT, lambda r: r["shipment"]["id"]),
    rest=Rest("POST", "/shipping-carriers/shipments", status=201),
)
async def create_shipment(ctx: RequestContext, data: CarrierShipmentInput) -> dict[str, Any]:
    """Book a shipment with the provider and keep it (status, tracking number, cost)."""
    tenant_id, org_id = await selected_organization(ctx)
    carrier = provider(data.provider, ctx.settings)
    request = shipment_request(data)
    booked = await carrier.create_shipment(request)
    try:
        async with ctx.unit_of_work(command=f"{MODULE}.carrier_shipment.create") as uow:
            row = CarrierShipment(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                organization_id=org_id,
                provider=data.provider,
                external_id=booked.external_id,
                tracking_number=booked.tracking_number,
                service=request.service,
                status=booked.status,
                provider_status=booked.provider_status,
                reference=request.reference,
                target_point=request.target_point,
                receiver=request.receiver,
                sender=request.sender,
                parcels=request.parcels,
                cost_amount=booked.cost_amount,
                currency_code=booked.currency_code,
            )
            uow.session.add(row)
            await flush_or_conflict(uow, "The carrier returned a shipment that is already recorded")
            uow.session.add(shipment_event(row, "booked", f"booked:{row.id}"))
            await flush_or_conflict(uow)
            await uow.session.refresh(row)
            after = serialize(CARRIER_SHIPMENT, row)
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity=CARRIER_SHIPMENT.name,
                verb="create",
                event="created",
                resource_id=row.id,
                tenant_id=tenant_id,
                organization_id=org_id,
                after=after,
            )
    except BaseException:
        try:
            await carrier.cancel(booked.external_id)
        except Exception:  # the original error matters more; the orphan is logged for an operator
            log.warning("could not cancel orphaned %s shipment %s", data.provider, booked.external_id)
        raise
    return {"shipment": after}


async def shipment_in_scope(
    ctx: RequestContext, ident: Any = None, tracking: str | None = None
) -> CarrierShipment:
    """A live shipment the caller may see, by id or tracking number (404 otherwise, any tenant's)."""
    query = select(CarrierShipment).where(*await entity_conditions(ctx, CARRIER_SHIPMENT))
    if ident is not None:
        parsed = parse_uuid(ident)
        if parsed is None:
            raise NotFound("Shipment not found")
        query = query.where(CarrierShipment.id == parsed)
    else:
        query = query.where(CarrierShipment.tracking_number == tracking).order_by(
            CarrierShipment.created_at.desc()
        )
    async with ctx.read_session() as session:
        found = (await session.execute(query.limit(1))).scalar_one_or_none()
    if found is None:
        raise NotFound("Shipment not found")
    return found


@operation(
    "carrier_shipment_tracking",
    MODULE,
    kind="query",
    input=CarrierTrackingInput,
    output=CarrierTracking,
    features=(VIEW,),
    rest=Rest("GET", "/shipping-carriers/tracking"),
)
async def tracking(ctx: RequestContext, data: CarrierTrackingInput) -> dict[str, Any]:
    """Where a shipment is: the carrier's tracking history, else the stored status."""
    shipment = await shipment_in_scope(ctx, data.shipmentId, data.trackingNumber)
    if data.provider is not None and data.provider != shipment.provider:
        raise NotFound("Shipment not found")
    carrier = provider(shipment.provider, ctx.settings)
    number = shipment.tracking_number
    if number is None:  # not yet numbered when booked: ask the carrier for the shipment again
        current = await carrier.get_shipment(shipment.external_id)
        number = current.tracking_number if current is not None else None
    found = await carrier.track(number) if number else None
    events = [
        {
            "status": e.status,
            "providerStatus": e.provider_status,
            "occurredAt": format_datetime(e.occurred_at) if e.occurred_at else None,
            "description": e.description,
        }
        for e in (found.events if found else [])
    ]
    return {
        "shipmentId": shipment.id,
        "provider": shipment.provider,
        "trackingNumber": number,
        "status": (found.status if found and found.status else None) or shipment.status,
        "providerStatus": (found.provider_status if found else None) or shipment.provider_status,
        "events": events,
    }


@operation(
    "cancel_carrier_shipment",
    MODULE,
    input=CarrierShipmentRef,
    output=CARRIER_SHIPMENT,
    features=(MANAGE,),
    transaction=False,  # the carrier cancels first, outside any transaction
    graphql_result=reloaded(CARRIER_SHIPMENT, lambda r: r["shipment"]["id"]),
    rest=Rest("POST", "/shipping-carriers/cancel"),
)
async def cancel(ctx: RequestContext, data: CarrierShipmentRef) -> dict[str, Any]:
    """Cancel a shipment not yet on its way (409 ``invalid_transition`` otherwise)."""
    shipment = await shipment_in_scope(ctx, data.shipmentId)
    SHIPMENT_STATUS.check(shipment.status, "cancelled")
    if shipment.status != "cancelled":
        await provider(shipment.provider, ctx.settings).cancel(shipment.external_id)
    async with ctx.unit_of_work(command=f"{MODULE}.carrier_shipment.cancel") as uow:
        row = await service(CARRIER_SHIPMENT).fetch(ctx, uow.session, shipment.id, lock=True)
        SHIPMENT_STATUS.check(row.status, "cancelled")
        if row.status != "cancelled":
            before = serialize(CARRIER_SHIPMENT, row)
            row.status, row.cancelled_at = "cancelled", datetime.now(UTC)
            uow.session.add(shipment_event(row, "cancelled", f"cancelled:{row.id}"))
            await flush_or_conflict(uow)
            await uow.session.refresh(row)
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity=CARRIER_SHIPMENT.name,
                verb="cancel",
                event="cancelled",
                resource_id=row.id,
                tenant_id=row.tenant_id,
                organization_id=row.organization_id,
                before=before,
                after=serialize(CARRIER_SHIPMENT, row),
            )
        body = serialize(CARRIER_SHIPMENT, row)
    return {"ok": True, "shipment": body}


@operation(
    "carrier_pickup_points",
    MODULE,
    kind="query",
    input=CarrierPointsInput,
    output=CarrierPoints,
    features=(VIEW,),
    rest=Rest("GET", "/shipping-carriers/points"),
)
async def points(ctx: RequestContext, data: CarrierPointsInput) -> dict[str, Any]:
    """A provider's pickup points (parcel lockers, shops) by name, city, post code or nearness."""
    query = {
        "name": data.name or "",
        "city": data.city or "",
        "post_code": data.postCode or "",
        "type": data.type or "",
        "relative_point": data.near or "",
        "per_page": str(data.limit),
    }
    found = await provider(data.provider, ctx.settings).points(query)
    items = [
        {
            "name": p.name,
            "type": p.type,
            "status": p.status,
            "address": p.address,
            "city": p.city,
            "postCode": p.post_code,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "description": p.description,
        }
        for p in found[: data.limit]
    ]
    return {"provider": data.provider, "items": items}
