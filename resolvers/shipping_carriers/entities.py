"""Carrier shipments: read through the generic list/detail queries (GraphQL ``carrierShipments``,
``carrierShipment``); written only by the module's operations (booking, cancelling) and the
providers' webhooks, never by generic CRUD."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from models.shipping_carriers import CarrierShipment, CarrierShipmentEvent
from resolvers.entity import Entity, Features, Field, Relation, eq

MODULE = "shipping_carriers"
VIEW, MANAGE = "shipping_carriers.view", "shipping_carriers.manage"
READONLY = {"create": False, "update": False}

CARRIER_SHIPMENT = Entity(
    name="carrier_shipment",
    module=MODULE,
    model=CarrierShipment,
    path="/shipping-carriers/shipments",  # booked by the operation there; no CRUD routes (rest_verbs)
    graphql_name="CarrierShipment",
    plural="carrierShipments",
    features=Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE]),
    fields=[
        Field("provider", str, sort=True, **READONLY),
        Field("external_id", str, search=True, **READONLY),
        Field("tracking_number", str, search=True, **READONLY),
        Field("service", str, sort=True, **READONLY),
        Field("status", str, sort=True, **READONLY),
        Field("provider_status", str, **READONLY),
        Field("reference", str, search=True, **READONLY),
        Field("target_point", str, **READONLY),
        Field("receiver", dict, **READONLY),
        Field("sender", dict, **READONLY),
        Field("parcels", list, **READONLY),
        Field("cost_amount", Decimal, sort=True, description="Exact decimal, as a string.", **READONLY),
        Field("currency_code", str, **READONLY),
        Field("last_event_at", datetime, sort=True, **READONLY),
        Field("cancelled_at", datetime, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("provider", CarrierShipment.provider),
        eq("status", CarrierShipment.status),
        eq("trackingNumber", CarrierShipment.tracking_number),
    ],
    relations=[
        Relation(
            "events", "carrier_shipment_event", "many", target_fk="shipment_id", description="Its history."
        )
    ],
    rest_verbs=(),
    mutations=(),
    default_sort="created_at",
    description="A parcel booked with a carrier: its number there, tracking number, status and cost.",
)

CARRIER_SHIPMENT_EVENT = Entity(
    name="carrier_shipment_event",
    module=MODULE,
    model=CarrierShipmentEvent,
    path=None,
    graphql_name="CarrierShipmentEvent",
    plural="carrierShipmentEvents",
    soft_delete=False,
    features=Features(view=[VIEW]),
    fields=[
        Field("shipment_id", uuid.UUID, **READONLY),
        Field("provider", str, sort=True, **READONLY),
        Field("event_type", str, sort=True, **READONLY),
        Field("status", str, sort=True, **READONLY),
        Field("received_at", datetime, sort=True, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
    ],
    filters=[
        eq("shipmentId", CarrierShipmentEvent.shipment_id, uuid.UUID),
        eq("eventType", CarrierShipmentEvent.event_type),
    ],
    relations=[Relation("shipment", "carrier_shipment", "one", source_fk="shipment_id")],
    rest_verbs=(),
    mutations=(),
    default_sort="received_at",
    description="An event of a shipment: booked, cancelled, or a status the carrier reported.",
)


def shipment_event(
    shipment: CarrierShipment, event_type: str, key: str, **extra: Any
) -> CarrierShipmentEvent:
    """A history row of ``shipment`` (``key`` unique per tenant and provider)."""
    return CarrierShipmentEvent(
        id=uuid.uuid4(),
        tenant_id=shipment.tenant_id,
        organization_id=shipment.organization_id,
        shipment_id=shipment.id,
        provider=shipment.provider,
        event_key=key,
        event_type=event_type,
        status=shipment.status,
        **extra,
    )
