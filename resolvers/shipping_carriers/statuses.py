"""The shipment status machine, shared by every provider (each maps its own statuses onto it).

A cancelled, delivered or returned shipment is final. Webhooks arrive out of order, so an update
that the machine does not allow is recorded without changing the status (see ``webhooks``)."""

from __future__ import annotations

from resolvers.statemachine import machine

MOVING = ("in_transit", "out_for_delivery", "ready_for_pickup", "delivered", "failed", "returned")
SHIPMENT_STATUS = machine(
    "carrier_shipment",
    "status",
    "created",
    created=("confirmed", "cancelled", *MOVING),
    confirmed=("cancelled", *MOVING),
    in_transit=MOVING,
    out_for_delivery=MOVING,
    ready_for_pickup=MOVING,
    failed=MOVING,
    delivered=(),
    returned=(),
    cancelled=(),
)
STATES = SHIPMENT_STATUS.states
CANCELLABLE = ("created", "confirmed")
