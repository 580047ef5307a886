"""The built-in offline provider: a payment someone confirms by hand (cash, bank transfer). Every
step succeeds at once; there are no webhooks."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal

from resolvers.payment_gateways.providers.base import (
    PaymentRequest,
    ProviderPayment,
    ProviderRefund,
    WebhookEvent,
    WebhookRejected,
)


class ManualProvider:
    key = "manual"
    name = "Manual payment"
    description = "Offline payments (cash, bank transfer) captured by hand."
    capabilities = ("capture", "partial_capture", "refund", "partial_refund", "cancel")
    webhooks = False

    def configured(self) -> bool:
        return True

    async def create(self, request: PaymentRequest) -> ProviderPayment:
        return ProviderPayment(f"manual_{secrets.token_hex(12)}", "pending")

    async def capture(self, gateway_id: str, amount: Decimal, currency: str, key: str) -> ProviderPayment:
        return ProviderPayment(gateway_id, "captured", captured=amount)

    async def cancel(self, gateway_id: str, key: str) -> ProviderPayment:
        return ProviderPayment(gateway_id, "cancelled")

    async def refund(self, gateway_id: str, amount: Decimal, currency: str, key: str) -> ProviderRefund:
        return ProviderRefund(f"manual_re_{secrets.token_hex(12)}", amount, "succeeded")

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise WebhookRejected("This provider sends no webhooks")
