"""A local server speaking the Stripe payments API on 127.0.0.1, for tests: PaymentIntents (create,
capture, cancel), refunds, bearer secret keys and idempotency keys (a repeated key replays the
first answer), Stripe's error bodies; plus what Stripe.js and Stripe's webhooks would do
(``pay``: the customer confirms; ``event``/``signed``: a signed webhook delivery)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from aiohttp import web

SECRET_KEY = "sk_test_local"
WEBHOOK_SECRET = "whsec_local_test_secret"
FORM = web.RequestKey("form", dict)


def _error(status: int, message: str, code: str = "", kind: str = "invalid_request_error") -> web.Response:
    return web.json_response({"error": {"type": kind, "code": code, "message": message}}, status=status)


class FakeStripe:
    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # {path, form, idempotency_key}
        self.replays: dict[str, tuple[str, int, Any]] = {}
        self.outage = False  # answer 503 to everything (the provider is down)
        self.app = web.Application(middlewares=[self._middleware])
        self.app.router.add_post("/v1/payment_intents", self.create)
        self.app.router.add_post("/v1/payment_intents/{id}/capture", self.capture)
        self.app.router.add_post("/v1/payment_intents/{id}/cancel", self.cancel)
        self.app.router.add_post("/v1/refunds", self.refund)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.outage:
            return web.Response(status=503, text="upstream connect error")
        if request.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            return _error(401, "Invalid API Key provided")
        if request.content_type != "application/x-www-form-urlencoded" and await request.read():
            return _error(400, "Invalid request: form-encoded bodies only")
        form = dict(await request.post())
        key = request.headers.get("Idempotency-Key")
        self.requests.append({"path": request.path, "form": form, "idempotency_key": key})
        if key and key in self.replays:
            path, status, body = self.replays[key]
            if path != request.path:
                return _error(400, "Keys for idempotent requests can only be used for the same request")
            return web.json_response(body, status=status, headers={"Idempotent-Replayed": "true"})
        request[FORM] = form
        response = await handler(request)
        if key and isinstance(response, web.Response) and response.status < 500:
            self.replays[key] = (request.path, response.status, json.loads(response.text))
        return response

    async def create(self, request: web.Request) -> web.Response:
        form = request[FORM]
        try:
            amount = int(form["amount"])
        except (KeyError, ValueError):
            return _error(400, "Missing required param: amount.", "parameter_missing")
        if amount < 1 or not form.get("currency"):
            return _error(400, "Invalid amount or currency.", "parameter_invalid_integer")
        ident = f"pi_{secrets.token_hex(12)}"
        intent = {
            "id": ident,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "currency": form["currency"],
            "capture_method": form.get("capture_method", "automatic"),
            "client_secret": f"{ident}_secret_{secrets.token_hex(8)}",
            "description": form.get("description"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "status": "requires_payment_method",
            "amount_refunded": 0,
        }
        self.intents[ident] = intent
        return web.json_response(intent)

    def _intent(self, request: web.Request) -> dict[str, Any] | None:
        return self.intents.get(request.match_info["id"])

    async def capture(self, request: web.Request) -> web.Response:
        intent = self._intent(request)
        if intent is None:
            return _error(404, "No such payment_intent", "resource_missing")
        if intent["status"] != "requires_capture":
            return _error(
                400,
                f"This PaymentIntent could not be captured: {intent['status']}",
                "payment_intent_unexpected_state",
            )
        amount = int(request[FORM].get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            return _error(400, "amount_to_capture is greater than amount_capturable", "amount_too_large")
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        return web.json_response(intent)

    async def cancel(self, request: web.Request) -> web.Response:
        intent = self._intent(request)
        if intent is None:
            return _error(404, "No such payment_intent", "resource_missing")
        if intent["status"] in ("succeeded", "canceled"):
            return _error(
                400,
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                "payment_intent_unexpected_state",
            )
        intent["status"] = "canceled"
        return web.json_response(intent)

    async def refund(self, request: web.Request) -> web.Response:
        form = request[FORM]
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return _error(404, "No such payment_intent", "resource_missing")
        if intent["status"] != "succeeded":
            return _error(400, "This PaymentIntent has not been captured.", "charge_not_captured")
        remaining = intent["amount_received"] - intent["amount_refunded"]
        amount = int(form.get("amount", remaining))
        if amount > remaining or amount < 1:
            return _error(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount ({remaining})",
                "amount_too_large",
            )
        intent["amount_refunded"] += amount
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self.refunds.append(refund)
        return web.json_response(refund)

    # --- what happens outside the API: the customer pays, Stripe sends events ------------------

    def pay(self, ident: str) -> dict[str, Any]:
        """The customer confirms the payment (Stripe.js); returns the event Stripe would send."""
        intent = self.intents[ident]
        if intent["capture_method"] == "manual":
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
            return self.event("payment_intent.amount_capturable_updated", intent)
        intent.update(status="succeeded", amount_received=intent["amount"])
        return self.event("payment_intent.succeeded", intent)

    def fail(self, ident: str, message: str = "Your card was declined.") -> dict[str, Any]:
        intent = self.intents[ident]
        intent.update(status="requires_payment_method", last_payment_error={"message": message})
        return self.event("payment_intent.payment_failed", intent)

    def charge_refunded(self, ident: str) -> dict[str, Any]:
        intent = self.intents[ident]
        charge = {
            "id": f"ch_{secrets.token_hex(12)}",
            "object": "charge",
            "payment_intent": ident,
            "currency": intent["currency"],
            "amount": intent["amount_received"],
            "amount_refunded": intent["amount_refunded"],
        }
        return self.event("charge.refunded", charge)

    @staticmethod
    def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": dict(obj)},
        }


def signed(
    event: dict[str, Any], secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a webhook delivery of ``event``, signed as Stripe signs."""
    body = json.dumps(event).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={stamp},v1={mac}", "Content-Type": "application/json"}
