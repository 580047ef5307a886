"""The integrations a tenant can configure: what each is, which credentials it takes, its API
versions and (optionally) a health probe registered by the module that talks to the provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound

# probe(ctx, credentials) -> (status, message): "healthy" or "unhealthy"
Probe = Callable[[RequestContext, dict[str, str]], Awaitable[tuple[str, str]]]


@dataclass(frozen=True)
class CredentialField:
    key: str
    label: str
    secret: bool = False
    required: bool = True


@dataclass
class Integration:
    id: str
    title: str
    category: str | None
    hub: str | None
    provider_key: str | None
    bundle_id: str | None
    description: str
    credentials: tuple[CredentialField, ...] = ()
    api_versions: tuple[str, ...] = ()
    probe: Probe | None = field(default=None, repr=False)

    @property
    def default_version(self) -> str | None:
        return self.api_versions[-1] if self.api_versions else None


REGISTRY: dict[str, Integration] = {
    item.id: item
    for item in (
        Integration(
            "sync_akeneo",
            "Akeneo PIM",
            "data_sync",
            "data_sync",
            "akeneo",
            "sync_akeneo",
            "Imports products from an Akeneo PIM (REST API, OAuth2 password grant).",
            (
                CredentialField("clientId", "Client id"),
                CredentialField("clientSecret", "Client secret", secret=True),
                CredentialField("username", "API user"),
                CredentialField("password", "API password", secret=True),
            ),
            ("v1",),
        ),
        Integration(
            "ai_assistant_openai",
            "OpenAI-compatible chat provider",
            "ai",
            "ai_assistant",
            "openai",
            "ai_assistant",
            "The chat-completions provider behind the AI assistant.",
            (
                CredentialField("apiKey", "API key", secret=True),
                CredentialField("model", "Model", required=False),
            ),
            ("v1",),
        ),
        Integration(
            "payment_gateway_stripe",
            "Stripe",
            "payment",
            "payment_gateways",
            "stripe",
            "payment_gateways",
            "Card payments through Stripe PaymentIntents.",
            (
                CredentialField("secretKey", "Secret key", secret=True),
                CredentialField("webhookSecret", "Webhook signing secret", secret=True, required=False),
            ),
            ("2024-06-20", "2025-01-27"),
        ),
        Integration(
            "carrier_inpost",
            "InPost ShipX",
            "shipping",
            "shipping_carriers",
            "inpost",
            "shipping_carriers",
            "Parcel lockers and courier shipments through InPost ShipX.",
            (
                CredentialField("apiToken", "API token", secret=True),
                CredentialField("organizationId", "Organization id"),
            ),
            ("v1",),
        ),
        Integration(
            "currency_nbp",
            "National Bank of Poland rates",
            "currencies",
            "currencies",
            "nbp",
            "currencies",
            "Daily exchange-rate tables of the National Bank of Poland (no credentials).",
        ),
    )
}


def integration(integration_id: str) -> Integration:
    found = REGISTRY.get(integration_id)
    if found is None:
        raise NotFound("Integration not found")
    return found


def probe(integration_id: str) -> Callable[[Probe], Probe]:
    """Decorator: register the health probe of an integration (by the module speaking to it)."""

    def register(fn: Probe) -> Probe:
        REGISTRY[integration_id].probe = fn
        return fn

    return register


def summary(item: Integration, state: Any) -> dict[str, Any]:
    """The documented list item of an integration under a tenant's state (None: defaults)."""
    return {
        "id": item.id,
        "title": item.title,
        "category": item.category,
        "hub": item.hub,
        "providerKey": item.provider_key,
        "bundleId": item.bundle_id,
        "hasCredentials": bool(state is not None and state.credentials),
        "isEnabled": True if state is None else state.is_enabled,
        "apiVersion": (state.api_version if state is not None else None) or item.default_version,
    }
