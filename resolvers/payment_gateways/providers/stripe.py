"""A client of the Stripe payments API (``STRIPE_API_URL``, bearer ``STRIPE_SECRET_KEY``).

- ``POST /v1/payment_intents`` (form-encoded ``amount`` in minor units, lower-case ``currency``,
  ``capture_method``, ``description``, ``metadata[...]``) answers the PaymentIntent ``{id, status,
  amount, amount_received, client_secret, ...}``; ``POST /v1/payment_intents/{id}/capture``
  (``amount_to_capture``) and ``/cancel``; ``POST /v1/refunds`` (``payment_intent``, ``amount``)
  answers ``{id, amount, status}``. Every write carries an ``Idempotency-Key``, so a retried command
  never pays, captures or refunds twice. Errors: ``{"error": {"type", "message"}}`` with a 4xx.
- Webhooks: ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``
  (several ``v1`` during secret rotation), refused outside ``tolerance`` seconds; the body is an
  event ``{id, type, data: {object}}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import aiohttp

from crmgraph.errors import Unauthorized
from resolvers.payment_gateways.money import from_minor, to_minor
from resolvers.payment_gateways.providers.base import (
    PaymentRequest,
    ProviderPayment,
    ProviderRefund,
    ProviderRefused,
    ProviderUnavailable,
    WebhookEvent,
    WebhookRejected,
)

TIMEOUT = 15.0
GATEWAY_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")
STATUSES = {
    "requires_payment_method": "pending",
    "requires_confirmation": "pending",
    "requires_action": "pending",
    "processing": "pending",
    "requires_capture": "authorized",
    "succeeded": "captured",
    "canceled": "cancelled",
}
# event type -> the status it announces (charge.refunded: from the amounts)
EVENTS = {
    "payment_intent.amount_capturable_updated": "authorized",
    "payment_intent.succeeded": "captured",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "cancelled",
    "charge.refunded": None,
}


class InvalidSignature(Unauthorized):
    code = "invalid_signature"

    def __init__(self) -> None:
        super().__init__("Invalid signature")


def sign(secret: str, payload: bytes, timestamp: int) -> str:
    """The ``Stripe-Signature`` header value for ``payload`` at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, payload: bytes, header: str | None, tolerance: int, now: float | None = None) -> None:
    """Raise unless ``header`` signs ``payload`` with ``secret`` within ``tolerance`` seconds."""
    if not header:
        raise WebhookRejected("Missing Stripe-Signature header")
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [v.strip() for k, v in parts if k.strip() == "t"]
    signatures = [v.strip() for k, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise WebhookRejected("Malformed Stripe-Signature header")
    timestamp = int(stamps[0])
    expected = hmac.new(secret.encode(), stamps[0].encode() + b"." + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise InvalidSignature()
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        raise InvalidSignature()


class StripeProvider:
    key = "stripe"
    name = "Stripe"
    description = "Card payments through the Stripe payments API (PaymentIntents, refunds, webhooks)."
    capabilities = ("capture", "partial_capture", "refund", "partial_refund", "cancel", "webhooks")
    webhooks = True

    def __init__(self, base_url: str, secret_key: str, webhook_secret: str, tolerance: int = 300) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.tolerance = tolerance

    def configured(self) -> bool:
        return bool(self.secret_key)

    async def _post(self, path: str, form: dict[str, str], key: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.secret_key}", "Idempotency-Key": key}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as http,
                http.post(f"{self.base_url}{path}", data=form, headers=headers) as response,
            ):
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, ValueError, UnicodeDecodeError):
            raise ProviderUnavailable(self.key) from None
        if not isinstance(body, dict):
            raise ProviderUnavailable(self.key)
        if 400 <= status < 500 and status not in (401, 403, 429):
            error = body.get("error") if isinstance(body.get("error"), dict) else {}
            message = str(error.get("message") or "The payment provider refused the request")[:300]
            raise ProviderRefused(message, providerCode=error.get("code") or error.get("type"))
        if status != 200:
            raise ProviderUnavailable(self.key)
        return body

    def _payment(self, intent: dict[str, Any], currency: str) -> ProviderPayment:
        gateway_id, status = intent.get("id"), STATUSES.get(str(intent.get("status")))
        if not isinstance(gateway_id, str) or not GATEWAY_ID.match(gateway_id) or status is None:
            raise ProviderUnavailable(self.key)
        received = intent.get("amount_received")
        return ProviderPayment(
            gateway_id,
            status,
            captured=from_minor(received, currency) if isinstance(received, int) and received else None,
            client_secret=intent.get("client_secret")
            if isinstance(intent.get("client_secret"), str)
            else None,
        )

    async def create(self, request: PaymentRequest) -> ProviderPayment:
        form = {
            "amount": str(to_minor(request.amount, request.currency)),
            "currency": request.currency.lower(),
            "capture_method": request.capture_method,
            "metadata[transaction_id]": str(request.transaction_id),
            **{f"metadata[{k}]": v for k, v in request.metadata.items()},
        }
        if request.description:
            form["description"] = request.description
        intent = await self._post("/v1/payment_intents", form, f"session-{request.transaction_id}")
        return self._payment(intent, request.currency)

    def _path(self, gateway_id: str, action: str) -> str:
        if not GATEWAY_ID.match(gateway_id):
            raise ProviderRefused("Unknown payment at the provider")
        return f"/v1/payment_intents/{gateway_id}/{action}"

    async def capture(self, gateway_id: str, amount: Decimal, currency: str, key: str) -> ProviderPayment:
        form = {"amount_to_capture": str(to_minor(amount, currency))}
        return self._payment(await self._post(self._path(gateway_id, "capture"), form, key), currency)

    async def cancel(self, gateway_id: str, key: str) -> ProviderPayment:
        intent = await self._post(self._path(gateway_id, "cancel"), {}, key)
        return self._payment(intent, str(intent.get("currency") or "eur").upper())

    async def refund(self, gateway_id: str, amount: Decimal, currency: str, key: str) -> ProviderRefund:
        form = {"payment_intent": gateway_id, "amount": str(to_minor(amount, currency))}
        refund = await self._post("/v1/refunds", form, key)
        refund_id, units = refund.get("id"), refund.get("amount")
        if not isinstance(refund_id, str) or not isinstance(units, int):
            raise ProviderUnavailable(self.key)
        if refund.get("status") == "failed":
            raise ProviderRefused("The payment provider could not refund the payment")
        return ProviderRefund(refund_id, from_minor(units, currency), str(refund.get("status")))

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        if not self.webhook_secret:
            raise WebhookRejected("Webhooks of this provider are not configured")
        verify(self.webhook_secret, payload, headers.get("Stripe-Signature"), self.tolerance)
        try:
            event = json.loads(payload)
            event_id, kind, obj = event["id"], event["type"], event["data"]["object"]
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("Unreadable event") from None
        if not isinstance(event_id, str) or not isinstance(kind, str) or not isinstance(obj, dict):
            raise WebhookRejected("Unreadable event")
        event_id, kind = event_id[:255], kind[:100]
        if kind not in EVENTS:
            return WebhookEvent(event_id, kind)
        currency = str(obj.get("currency") or "").upper()
        try:
            if kind == "charge.refunded":
                gateway_id = obj.get("payment_intent")
                return WebhookEvent(
                    event_id,
                    kind,
                    gateway_id if isinstance(gateway_id, str) else None,
                    refunded=from_minor(int(obj["amount_refunded"]), currency),
                    currency=currency,
                )
            received = obj.get("amount_received")
            error = (obj.get("last_payment_error") or {}).get("message") if kind.endswith("failed") else None
            return WebhookEvent(
                event_id,
                kind,
                obj.get("id") if isinstance(obj.get("id"), str) else None,
                status=EVENTS[kind],
                captured=from_minor(int(received), currency)
                if isinstance(received, int) and received
                else None,
                error=str(error)[:500] if error else None,
                currency=currency,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise WebhookRejected("Unreadable event") from None
