"""The interface every payment provider implements, and its value types: a session (a payment at the
provider), capture, cancel, refund, and reading the provider's signed webhook events.

Amounts are exact ``Decimal`` here; each provider converts to its wire format. Statuses are this
module's (``resolvers.payment_gateways.states``). A provider that cannot be reached or answers
garbage raises :class:`ProviderUnavailable` (502); one that refuses the request :class:`ProviderRefused`
(409, with its message).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from crmgraph.errors import Conflict, DomainError


class ProviderUnavailable(DomainError):
    status = 502
    code = "provider_unavailable"

    def __init__(self, provider: str) -> None:
        super().__init__("Payment provider unavailable", provider=provider)


class ProviderRefused(Conflict):
    code = "provider_refused"


class WebhookRejected(DomainError):
    """A webhook that is not signed as the provider signs (401) or cannot be read (400)."""

    status = 400
    code = "invalid_webhook"


@dataclass(frozen=True)
class PaymentRequest:
    transaction_id: uuid.UUID
    amount: Decimal
    currency: str
    capture_method: str  # automatic | manual
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider sees it (``status`` in this module's vocabulary)."""

    gateway_id: str
    status: str
    captured: Decimal | None = None
    client_secret: str | None = None
    redirect_url: str | None = None


@dataclass(frozen=True)
class ProviderRefund:
    refund_id: str
    amount: Decimal
    status: str


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event: what it says about the payment ``gateway_id`` (None: nothing)."""

    event_id: str
    type: str
    gateway_id: str | None = None
    status: str | None = None
    captured: Decimal | None = None
    refunded: Decimal | None = None
    error: str | None = None
    currency: str | None = None  # of the amounts, as the provider wrote it


class PaymentProvider(Protocol):
    key: str
    name: str
    description: str
    capabilities: tuple[str, ...]
    webhooks: bool

    def configured(self) -> bool: ...

    async def create(self, request: PaymentRequest) -> ProviderPayment: ...

    async def capture(self, gateway_id: str, amount: Decimal, currency: str, key: str) -> ProviderPayment: ...

    async def cancel(self, gateway_id: str, key: str) -> ProviderPayment: ...

    async def refund(self, gateway_id: str, amount: Decimal, currency: str, key: str) -> ProviderRefund: ...

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent: ...
