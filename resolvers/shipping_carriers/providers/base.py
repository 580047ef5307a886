"""What every carrier provider offers: rates, shipments (create, read, cancel), tracking, pickup
points and reading its webhook events. Amounts are ``Decimal``; errors are :class:`ProviderError`
with a message fit for the caller (a 502: the carrier failed, not the request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from crmgraph.config import Settings
from crmgraph.errors import DomainError, ValidationFailed, issue


class ProviderError(DomainError):
    """The carrier could not do what was asked (down, slow, garbage, or it refused)."""

    status = 502
    code = "carrier_error"


class ProviderRejected(DomainError):
    """The carrier refused the request itself (e.g. a shipment it can no longer cancel)."""

    status = 409
    code = "carrier_rejected"


class UnknownProvider(ValidationFailed):
    def __init__(self, name: str) -> None:
        super().__init__([issue("provider", f"Unknown provider: {name}", "invalid_enum_value")])


@dataclass(frozen=True)
class Rate:
    service: str
    label: str
    amount: Decimal
    currency_code: str = "PLN"


@dataclass(frozen=True)
class BookedShipment:
    """What the carrier answered for a shipment: its id there, tracking number, status, cost."""

    external_id: str
    status: str  # one of ``statuses.STATES``
    provider_status: str | None = None
    tracking_number: str | None = None
    cost_amount: Decimal | None = None
    currency_code: str | None = None


@dataclass(frozen=True)
class TrackingEvent:
    status: str
    provider_status: str | None
    occurred_at: datetime | None
    description: str | None = None


@dataclass(frozen=True)
class Tracking:
    tracking_number: str
    status: str | None
    provider_status: str | None
    events: list[TrackingEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Point:
    name: str
    type: str | None
    status: str | None
    address: str | None
    city: str | None
    post_code: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    description: str | None = None


@dataclass(frozen=True)
class WebhookUpdate:
    """A status change announced by a webhook, for the shipment the carrier knows as ``external_id``
    (or by ``tracking_number``); ``event_key`` identifies the event (None: the body's digest)."""

    external_id: str | None
    tracking_number: str | None
    status: str | None
    provider_status: str | None
    event_type: str | None = None
    event_key: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class ShipmentRequest:
    service: str
    receiver: dict[str, Any]
    sender: dict[str, Any] | None
    parcels: list[dict[str, Any]]
    target_point: str | None = None
    reference: str | None = None


class CarrierProvider(Protocol):
    key: ClassVar[str]
    label: ClassVar[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> CarrierProvider: ...

    def configured(self) -> bool: ...

    def services(self) -> list[str]: ...

    async def rates(self, request: ShipmentRequest) -> list[Rate]: ...

    async def create_shipment(self, request: ShipmentRequest) -> BookedShipment: ...

    async def track(self, tracking_number: str) -> Tracking: ...

    async def cancel(self, external_id: str) -> None: ...

    async def points(self, query: dict[str, str]) -> list[Point]: ...

    def webhook_update(self, body: dict[str, Any]) -> WebhookUpdate: ...
