"""Payment providers: ``manual`` (built in, offline) and ``stripe`` (the Stripe payments API), behind
the interface of ``providers.base``."""

from __future__ import annotations

from typing import Any

from crmgraph.config import Settings
from resolvers.payment_gateways.providers.base import (
    PaymentProvider,
    PaymentRequest,
    ProviderPayment,
    ProviderRefund,
    ProviderRefused,
    ProviderUnavailable,
    WebhookEvent,
    WebhookRejected,
)
from resolvers.payment_gateways.providers.manual import ManualProvider
from resolvers.payment_gateways.providers.stripe import StripeProvider

__all__ = [
    "KEYS",
    "PaymentProvider",
    "PaymentRequest",
    "ProviderPayment",
    "ProviderRefund",
    "ProviderRefused",
    "ProviderUnavailable",
    "WebhookEvent",
    "WebhookRejected",
    "describe",
    "provider",
]

KEYS = ("manual", "stripe")


def provider(key: str, settings: Settings) -> PaymentProvider | None:
    """The provider ``key`` configured from ``settings`` (None: no such provider)."""
    if key == "manual":
        return ManualProvider()
    if key == "stripe":
        return StripeProvider(
            settings.stripe_api_url,
            settings.stripe_secret_key,
            settings.stripe_webhook_secret,
            settings.stripe_webhook_tolerance,
        )
    return None


def describe(p: PaymentProvider) -> dict[str, Any]:
    return {
        "key": p.key,
        "name": p.name,
        "description": p.description,
        "configured": p.configured(),
        "capabilities": list(p.capabilities),
        "supportsWebhooks": p.webhooks,
        "webhookPath": f"/api/payment_gateways/webhook/{p.key}" if p.webhooks else None,
    }
