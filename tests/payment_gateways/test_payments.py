"""Payments against a real local server speaking the Stripe API: sessions, capture, refunds, cancel,
webhooks (signature, applied once), the status machine, features, validation and isolation."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import unquote

from tests.payment_gateways.conftest import (
    SESSIONS,
    TRANSACTIONS,
    WEBHOOK,
    deliver,
    history,
    session,
    transaction,
)
from tests.payment_gateways.stripe_server import SECRET_KEY, signed

CAPTURE, REFUND, CANCEL = (
    "/api/payment_gateways/capture",
    "/api/payment_gateways/refund",
    "/api/payment_gateways/cancel",
)


async def test_authorize_capture_and_refund_exactly(boss, cashier, stripe):
    opened = await session(cashier, amount="12.34", captureMethod="manual", description="Service A")
    assert opened["status"] == "pending" and opened["amount"] == "12.34" and opened["clientSecret"]
    sent = stripe.requests[-1]
    assert sent["path"] == "/v1/payment_intents"
    assert sent["form"]["amount"] == "1234" and sent["form"]["currency"] == "eur"
    assert sent["form"]["capture_method"] == "manual" and sent["idempotency_key"]
    assert sent["form"]["metadata[transaction_id]"] == opened["transactionId"]
    ident, intent = opened["transactionId"], opened["gatewayTransactionId"]

    status, reply = await deliver(boss, stripe.pay(intent))  # the customer confirms: authorized
    assert status == 200 and reply["applied"] and reply["status"] == "authorized", reply

    status, reply = await cashier.post(CAPTURE, {"transactionId": ident, "amount": "10.00"})
    assert status == 200, reply
    assert reply["transaction"]["status"] == "captured"
    assert reply["transaction"]["capturedAmount"] == "10.00"
    assert stripe.requests[-1]["form"] == {"amount_to_capture": "1000"}

    # refunds need their own feature; more than was captured is refused before asking the provider
    status, reply = await cashier.post(REFUND, {"transactionId": ident, "amount": "1.00"})
    assert status == 403 and reply["requiredFeatures"] == ["payment_gateways.refund"]
    asked = len(stripe.requests)
    status, reply = await boss.post(REFUND, {"transactionId": ident, "amount": "10.01"})
    assert status == 400 and reply["error"] == "Refund amount exceeds the captured amount", reply
    assert reply["details"][0]["path"] == ["amount"]
    assert len(stripe.requests) == asked

    status, reply = await boss.post(REFUND, {"transactionId": ident, "amount": "4.00"})
    assert status == 200 and reply["refund"]["amount"] == "4.00", reply
    assert reply["transaction"]["status"] == "partially_refunded"
    status, reply = await boss.post(REFUND, {"transactionId": ident})  # the rest
    assert status == 200 and reply["refund"]["amount"] == "6.00"
    assert reply["transaction"]["status"] == "refunded" and reply["transaction"]["refundedAmount"] == "10.00"
    status, reply = await boss.post(REFUND, {"transactionId": ident, "amount": "0.01"})
    assert status == 400 and reply["details"][0]["message"] == "At most 0.00 EUR can be refunded", reply

    # Stripe's own refund notice changes nothing (we already know), and is noted as ignored
    status, reply = await deliver(boss, stripe.charge_refunded(intent))
    assert status == 200 and not reply["applied"] and reply["status"] == "refunded"
    status, reply = await boss.post(CANCEL, {"transactionId": ident})
    assert status == 409, reply

    steps = [(e["kind"], e["toStatus"], e["amount"], e["outcome"]) for e in await history(boss, ident)]
    assert ("session", "pending", "12.34", "applied") in steps
    assert ("capture", "captured", "10.00", "applied") in steps
    assert ("refund", "partially_refunded", "4.00", "applied") in steps
    assert ("webhook", "refunded", None, "ignored") in steps
    status, reply = await boss.get("/api/payment_gateways/status", params={"transactionId": ident})
    assert status == 200 and reply["refundedAmount"] == "10.00" and reply["capturedAmount"] == "10.00"


async def test_a_webhook_delivered_twice_changes_the_transaction_once(boss, cashier, stripe):
    opened = await session(cashier, amount="99.99")
    event = stripe.pay(opened["gatewayTransactionId"])
    first = await deliver(boss, event)
    again = await deliver(boss, event)
    assert first == (200, {**first[1], "applied": True, "duplicate": False, "status": "captured"})
    assert again[0] == 200 and again[1]["duplicate"] and not again[1]["applied"]
    # two deliveries racing each other: still one change
    late = stripe.fail(opened["gatewayTransactionId"])
    results = await asyncio.gather(deliver(boss, late), deliver(boss, late))
    assert sorted(r[1]["duplicate"] for r in results) == [False, True]
    row = await transaction(boss, opened["transactionId"])
    assert row["status"] == "captured" and row["capturedAmount"] == "99.99" and row["paidAt"]
    webhooks = [e for e in await history(boss, opened["transactionId"]) if e["kind"] == "webhook"]
    assert sorted((e["eventType"], e["outcome"]) for e in webhooks) == [
        ("payment_intent.payment_failed", "ignored"),  # a captured payment cannot fail any more
        ("payment_intent.succeeded", "applied"),
    ]


async def test_webhook_signatures(boss, public, stripe):
    opened = await session(boss, amount="5.00")
    event = stripe.pay(opened["gatewayTransactionId"])
    body, headers = signed(event)
    status, reply = await public.call(
        "POST", WEBHOOK, data=body, headers={"Content-Type": "application/json"}
    )
    assert status == 400 and reply["error"] == "Missing Stripe-Signature header"
    status, reply = await public.call("POST", WEBHOOK, data=body, headers={"Stripe-Signature": "v1=abc"})
    assert status == 400 and reply["error"] == "Malformed Stripe-Signature header"
    assert (await deliver(public, event, secret="whsec_someone_else"))[0] == 401
    status, reply = await deliver(public, event, timestamp=int(time.time()) - 3600)  # outside the tolerance
    assert status == 401 and reply["error"] == "Invalid signature"
    tampered = body.replace(b'"amount_received": 500', b'"amount_received": 50')
    assert tampered != body
    assert (await public.call("POST", WEBHOOK, data=tampered, headers=headers))[0] == 401
    assert (await transaction(boss, opened["transactionId"]))["status"] == "pending"
    assert (await public.call("POST", "/api/payment_gateways/webhook/manual", data=body, headers=headers))[
        0
    ] == 404
    assert (await public.call("POST", "/api/payment_gateways/webhook/nope", data=body, headers=headers))[
        0
    ] == 404
    status, reply = await public.call("POST", WEBHOOK, data=body, headers=headers)  # the genuine one
    assert status == 200 and reply["applied"]
    unknown = stripe.event(
        "payment_intent.succeeded", {"id": "pi_unknown", "currency": "eur", "amount_received": 1}
    )
    status, reply = await deliver(public, unknown)
    assert status == 200 and reply == {"received": True, "duplicate": False, "applied": False}


async def test_manual_provider_rules_and_validation(boss, viewer, anonymous):
    status, opened = await boss.post(
        SESSIONS, {"providerKey": "manual", "amount": "250", "currencyCode": "pln"}
    )
    assert status == 201 and opened["currencyCode"] == "PLN" and opened["amount"] == "250.00"
    ident = opened["transactionId"]
    status, reply = await boss.post(CANCEL, {"transactionId": ident})
    assert status == 200 and reply["transaction"]["status"] == "cancelled"
    status, reply = await boss.post(CAPTURE, {"transactionId": ident})
    assert status == 409 and reply["error"] == "Invalid status transition"

    bad = [
        {"providerKey": "manual", "amount": "abc", "currencyCode": "EUR"},
        {"providerKey": "manual", "amount": "-1", "currencyCode": "EUR"},
        {"providerKey": "manual", "amount": "1.234", "currencyCode": "EUR"},
        {"providerKey": "manual", "amount": "10.5", "currencyCode": "JPY"},
        {"providerKey": "manual", "amount": "1", "currencyCode": "EURO"},
        {"providerKey": "paypal", "amount": "1", "currencyCode": "EUR"},
    ]
    for body in bad:
        status, reply = await boss.post(SESSIONS, body)
        assert status == 400 and reply["details"], (body, reply)
    status, reply = await viewer.post(
        SESSIONS, {"providerKey": "manual", "amount": "1", "currencyCode": "EUR"}
    )
    assert status == 403 and reply == {"error": "Forbidden", "requiredFeatures": ["payment_gateways.manage"]}
    assert (await anonymous.post(SESSIONS, {}))[0] == 401

    first = await session(boss, providerKey="manual", amount="7.00", idempotencyKey="order-42")
    status, again = await boss.post(
        SESSIONS,
        {"providerKey": "manual", "amount": "7.00", "currencyCode": "EUR", "idempotencyKey": "order-42"},
    )
    assert status == 200 and again["transactionId"] == first["transactionId"]


async def test_providers(viewer, client, admin):
    status, reply = await viewer.get("/api/payment_gateways/providers")
    assert status == 200 and {p["key"]: p["configured"] for p in reply["items"]} == {
        "manual": True,
        "stripe": True,
    }
    status, reply = await viewer.get("/api/payment_gateways/providers/stripe")
    assert status == 200 and reply["webhookPath"] == "/api/payment_gateways/webhook/stripe"
    assert (await viewer.get("/api/payment_gateways/providers/nope"))[0] == 404
    # the shared app has no Stripe key: listed as not configured, and refused for payments
    status, reply = await admin.get("/api/payment_gateways/providers/stripe")
    assert status == 200 and reply["configured"] is False
    status, reply = await admin.post(
        SESSIONS, {"providerKey": "stripe", "amount": "1", "currencyCode": "EUR"}
    )
    assert status == 400 and reply["details"][0]["code"] == "not_configured"


async def test_other_tenants_payments_are_invisible(boss, outsider, stripe):
    opened = await session(boss, amount="3.00")
    ident = opened["transactionId"]
    assert (await outsider.get(f"{TRANSACTIONS}/{ident}"))[0] == 404
    assert (await outsider.get("/api/payment_gateways/status", params={"transactionId": ident}))[0] == 404
    for path in (CAPTURE, CANCEL, REFUND):
        assert (await outsider.post(path, {"transactionId": ident}))[0] == 404
    status, page = await outsider.get(
        TRANSACTIONS, params={"gatewayTransactionId": opened["gatewayTransactionId"]}
    )
    assert status == 200 and page["items"] == []
    reply = await outsider.gql("query($id: UUID!) { paymentTransaction(id: $id) { id } }", {"id": ident})
    assert reply["data"]["paymentTransaction"] is None
    reply = await outsider.gql(
        "mutation($id: String!) { cancelPayment(transactionId: $id) { status } }", {"id": ident}
    )
    assert reply["errors"][0]["extensions"]["code"] in ("not_found", "NOT_FOUND"), reply
    assert (await transaction(boss, ident))["status"] == "pending"

    reply = await boss.gql(
        "query($g: String) { paymentTransactions(filter: {gatewayTransactionId: $g}) { items { id amount status events { kind } } } }",
        {"g": opened["gatewayTransactionId"]},
    )
    assert reply["data"]["paymentTransactions"]["items"] == [
        {"id": ident, "amount": "3.00", "status": "pending", "events": [{"kind": "session"}]}
    ]
    reply = await boss.gql(
        "mutation($id: String!) { cancelPayment(transactionId: $id) { id status } }", {"id": ident}
    )
    assert reply["data"]["cancelPayment"] == {"id": ident, "status": "cancelled"}
    assert stripe.requests[-1]["path"].endswith("/cancel")
    assert stripe.requests[-1]["idempotency_key"] == f"cancel-{ident}" and SECRET_KEY


async def test_graphql_commands_are_the_same_operations(boss, viewer):
    reply = await boss.gql(
        'mutation { createPaymentSession(providerKey: "manual", amount: "0.10", currencyCode: "USD") '
        "{ transactionId status amount currencyCode } }"
    )
    opened = reply["data"]["createPaymentSession"]
    assert (opened["status"], opened["amount"], opened["currencyCode"]) == ("pending", "0.10", "USD")
    query = "query($id: String!) { paymentStatus(transactionId: $id) { status amount capturedAmount } }"
    reply = await viewer.gql(
        query, {"id": opened["transactionId"]}
    )  # in a branch: the root's is out of scope
    assert reply["errors"][0]["extensions"]["code"] == "not_found"
    reply = await boss.gql(query, {"id": opened["transactionId"]})
    assert reply["data"]["paymentStatus"] == {"status": "pending", "amount": "0.10", "capturedAmount": "0.00"}
    reply = await viewer.gql(
        'mutation($id: String!) { capturePayment(transactionId: $id, amount: "0.10") { status } }',
        {"id": opened["transactionId"]},
    )
    assert reply["errors"][0]["extensions"]["requiredFeatures"] == ["payment_gateways.capture"], reply
    reply = await boss.gql(
        'mutation($id: String!) { capturePayment(transactionId: $id, amount: "0.10") { status capturedAmount } }',
        {"id": opened["transactionId"]},
    )
    assert reply["data"]["capturePayment"] == {"status": "captured", "capturedAmount": "0.10"}
    reply = await boss.gql(
        'mutation($id: String!) { refundPayment(transactionId: $id, amount: "0.11") { status } }',
        {"id": opened["transactionId"]},
    )
    assert reply["errors"][0]["message"] == "Refund amount exceeds the captured amount", reply


async def test_a_failing_provider_leaves_nothing_behind(boss, stripe):
    opened = await session(boss, amount="20.00", captureMethod="manual")
    await deliver(boss, stripe.pay(opened["gatewayTransactionId"]))
    before = await transaction(boss, opened["transactionId"])
    stripe.outage = True
    try:
        status, reply = await boss.post(
            SESSIONS,
            {"providerKey": "stripe", "amount": "1", "currencyCode": "EUR", "idempotencyKey": "down"},
        )
        assert status == 502 and reply["error"] == "Payment provider unavailable", reply
        status, reply = await boss.post(CAPTURE, {"transactionId": opened["transactionId"]})
        assert status == 502, reply
    finally:
        stripe.outage = False
    assert await transaction(boss, opened["transactionId"]) == before
    status, again = await boss.post(
        SESSIONS, {"providerKey": "stripe", "amount": "1", "currencyCode": "EUR", "idempotencyKey": "down"}
    )
    assert status == 201, again  # nothing was kept from the failed attempt
    # the provider refusing (over-capture at Stripe's side) is a 409 with its message, nothing changed
    status, reply = await boss.post(CAPTURE, {"transactionId": again["transactionId"]})
    assert status == 409 and "could not be captured" in reply["error"], reply
    assert (await transaction(boss, again["transactionId"]))["status"] == "pending"


async def test_payment_commands_cannot_be_undone(boss):
    opened = await session(boss, providerKey="manual", amount="8.00")
    response = await boss.client.post(
        CAPTURE, json={"transactionId": opened["transactionId"]}, headers=boss.headers
    )
    assert response.status == 200
    header = json.loads(unquote(response.headers["x-om-operation"].removeprefix("omop:")))
    status, reply = await boss.post(
        "/api/audit_logs/audit-logs/actions/undo", {"undoToken": header["undoToken"]}
    )
    assert status == 400 and reply["error"] == "Undo token not available", reply
    assert (await transaction(boss, opened["transactionId"]))["status"] == "captured"


async def test_amounts_keep_the_currency_places(boss):
    opened = await session(boss, providerKey="manual", amount="1000", currencyCode="JPY")
    status, reply = await boss.post(CAPTURE, {"transactionId": opened["transactionId"], "amount": "10.5"})
    assert status == 400 and reply["details"][0]["code"] == "invalid_precision", reply
    status, reply = await boss.post(CAPTURE, {"transactionId": opened["transactionId"], "amount": "1000.01"})
    assert status == 400, reply
    status, reply = await boss.post(CAPTURE, {"transactionId": opened["transactionId"], "amount": "600"})
    assert status == 200 and reply["transaction"]["capturedAmount"] == "600.00"
