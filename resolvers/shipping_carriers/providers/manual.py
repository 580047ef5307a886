"""The built-in ``manual`` provider: shipments handed over by the organization itself (its own
courier, a pickup at the workshop). Prices come from a fixed table, numbers are generated here,
statuses change through the webhook (or an integration posting to it) — no remote calls."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from crmgraph.config import Settings
from crmgraph.errors import ValidationFailed, issue
from resolvers.shipping_carriers.providers.base import (
    BookedShipment,
    Point,
    Rate,
    ShipmentRequest,
    Tracking,
    WebhookUpdate,
)
from resolvers.shipping_carriers.statuses import STATES

# service: (label, price per parcel up to FREE_KG, price per started kg above it)
PRICES = {
    "standard": ("Standard delivery", Decimal("15.00"), Decimal("1.50")),
    "express": ("Express delivery", Decimal("25.00"), Decimal("2.00")),
    "pickup": ("Pickup at the workshop", Decimal("0.00"), Decimal("0.00")),
}
FREE_KG = Decimal(5)


def parcel_price(service: str, parcel: dict[str, Any]) -> Decimal:
    _, base, per_kg = PRICES[service]
    weight = Decimal(str(parcel.get("weight") or 0))
    extra = max(Decimal(0), weight - FREE_KG).to_integral_value(rounding="ROUND_CEILING")
    return base + extra * per_kg


class ManualProvider:
    key: ClassVar[str] = "manual"
    label: ClassVar[str] = "Manual (own delivery)"

    @classmethod
    def from_settings(cls, settings: Settings) -> ManualProvider:
        return cls()

    def configured(self) -> bool:
        return True

    def services(self) -> list[str]:
        return list(PRICES)

    def _service(self, service: str) -> str:
        if service not in PRICES:
            raise ValidationFailed([issue("service", f"One of {', '.join(PRICES)}", "invalid_enum_value")])
        return service

    async def rates(self, request: ShipmentRequest) -> list[Rate]:
        wanted = [self._service(request.service)] if request.service else list(PRICES)
        return [
            Rate(s, PRICES[s][0], sum((parcel_price(s, p) for p in request.parcels), Decimal("0.00")))
            for s in wanted
        ]

    async def create_shipment(self, request: ShipmentRequest) -> BookedShipment:
        service = self._service(request.service)
        number = "MAN" + uuid.uuid4().hex[:16].upper()
        cost = sum((parcel_price(service, p) for p in request.parcels), Decimal("0.00"))
        return BookedShipment(number, "created", "created", number, cost, "PLN")

    async def get_shipment(self, external_id: str) -> BookedShipment | None:
        return None  # the stored shipment is the only record

    async def track(self, tracking_number: str) -> Tracking:
        return Tracking(tracking_number, None, None, [])  # the stored status is the only record

    async def cancel(self, external_id: str) -> None:
        return None

    async def points(self, query: dict[str, str]) -> list[Point]:
        return []

    def webhook_update(self, body: dict[str, Any]) -> WebhookUpdate:
        """``{"eventId", "shipmentId" (the manual number) or "trackingNumber", "status", "occurredAt"}``."""
        status = body.get("status")
        if status not in STATES:
            raise ValidationFailed([issue("status", f"One of {', '.join(STATES)}", "invalid_enum_value")])
        occurred = body.get("occurredAt")
        try:
            moment = (
                datetime.fromisoformat(occurred.replace("Z", "+00:00")) if isinstance(occurred, str) else None
            )
        except ValueError:
            moment = None
        text = lambda key: str(body[key])[:200] if isinstance(body.get(key), str | int) else None  # noqa: E731
        return WebhookUpdate(
            external_id=text("shipmentId"),
            tracking_number=text("trackingNumber"),
            status=status,
            provider_status=status,
            event_type="status_changed",
            event_key=text("eventId"),
            occurred_at=moment if moment and moment.tzinfo else None,
        )
