"""Checkout: templates and links (CRUD, rules), password-protected pay pages with a rate-limited
password check, payments submitted through payment_gateways to the local Stripe server and settled
by its webhook, status polling, and isolation across REST and GraphQL."""

from __future__ import annotations

import json
from urllib.parse import unquote

from tests.checkout.conftest import LINKS, TEMPLATES, TRANSACTIONS, created, link, pay
from tests.payment_gateways.conftest import deliver


async def test_full_flow_link_password_submit_provider_webhook_paid(boss, cashier, public, stripe):
    template = await created(
        cashier,
        TEMPLATES,
        name="Deposit",
        title="Workshop deposit",
        amount="150.00",
        currencyCode="eur",
        providerKey="stripe",
        successMessage="Thank you!",
    )
    status, preview = await cashier.get(f"{TEMPLATES}/{template}/preview")
    assert status == 200 and preview["amount"] == "150.00" and preview["templateId"] == template
    page = await link(
        cashier, templateId=template, title=None, amount=None, password="s3cret", slug="deposit-flow"
    )
    assert page["amount"] == "150.00" and page["currencyCode"] == "EUR" and page["providerKey"] == "stripe"
    assert page["passwordProtected"] is True and not {"password", "passwordHash"} & set(page)

    status, locked = await public.get(pay("deposit-flow"))
    assert status == 200 and locked == {
        "slug": "deposit-flow",
        "title": "Workshop deposit",
        "requiresPassword": True,
        "unlocked": False,
    }
    status, reply = await public.post(pay("deposit-flow", "/submit"), {})
    assert status == 401
    status, reply = await public.post(pay("deposit-flow", "/verify-password"), {"password": "wrong"})
    assert status == 401 and reply == {"error": "Invalid password"}
    status, access = await public.post(pay("deposit-flow", "/verify-password"), {"password": "s3cret"})
    assert status == 200 and access["ok"] and access["accessToken"]
    token = access["accessToken"]
    status, shown = await public.get(pay("deposit-flow"), params={"accessToken": token})
    assert status == 200 and shown["unlocked"] and shown["amount"] == "150.00"

    status, paid = await public.post(
        pay("deposit-flow", "/submit"),
        {"accessToken": token, "customerEmail": "rider@example.com", "amount": "150"},
    )
    assert status == 201, paid
    assert paid["status"] == "pending" and paid["clientSecret"] and paid["amount"] == "150.00"
    assert stripe.requests[-1]["form"]["amount"] == "15000"
    intent = paid["gatewayTransactionId"]
    status, polled = await public.get(pay("deposit-flow", f"/status/{paid['transactionId']}"))
    assert (
        status == 200
        and polled["status"] == "pending"
        and polled["paid"] is False
        and polled["successMessage"] is None
    )

    status, reply = await deliver(public, stripe.pay(intent))  # the payer confirms; Stripe tells us
    assert status == 200 and reply["applied"], reply
    status, polled = await public.get(pay("deposit-flow", f"/status/{paid['transactionId']}"))
    assert (
        polled["status"] == "captured" and polled["paid"] is True and polled["successMessage"] == "Thank you!"
    )
    assert set(polled) == {
        "transactionId",
        "status",
        "paid",
        "amount",
        "currencyCode",
        "successMessage",
        "updatedAt",
    }

    status, row = await cashier.get(f"{TRANSACTIONS}/{paid['transactionId']}")
    assert status == 200 and row["status"] == "captured" and row["customerEmail"] == "rider@example.com"
    status, same = await cashier.get(f"{TRANSACTIONS}/by-gateway/{intent}")
    assert status == 200 and same["id"] == paid["transactionId"]
    status, payment = await cashier.get(f"/api/payment_gateways/transactions/{paid['paymentTransactionId']}")
    assert payment["status"] == "captured" and payment["capturedAmount"] == "150.00"
    assert (await cashier.get(f"{LINKS}/{page['id']}"))[1]["useCount"] == 1

    # changing the password revokes earlier access tokens
    assert (await cashier.put(f"{LINKS}/{page['id']}", {"password": "other"}))[0] == 200
    status, locked = await public.get(pay("deposit-flow"), params={"accessToken": token})
    assert locked["unlocked"] is False
    reply = await cashier.gql(
        "query($id: UUID!) { checkoutLink(id: $id) { slug useCount template { name } transactions { status paymentTransaction { status events { kind } } } } }",
        {"id": page["id"]},
    )
    found = reply["data"]["checkoutLink"]
    assert (found["slug"], found["useCount"], found["template"]) == ("deposit-flow", 1, {"name": "Deposit"})
    [row] = found["transactions"]
    assert row["status"] == row["paymentTransaction"]["status"] == "captured"
    assert sorted(e["kind"] for e in row["paymentTransaction"]["events"]) == ["session", "webhook"]


async def test_verify_password_is_rate_limited(cashier, public):
    await link(cashier, slug="limited-page", password="right")
    for _ in range(6):  # successes are not counted
        assert (await public.post(pay("limited-page", "/verify-password"), {"password": "right"}))[0] == 200
    answers = [
        (await public.post(pay("limited-page", "/verify-password"), {"password": "guess"}))[0]
        for _ in range(6)
    ]
    assert answers == [401] * 5 + [429]
    assert (await public.post(pay("limited-page", "/verify-password"), {"password": "right"}))[0] == 429


async def test_amount_rules_and_idempotent_submit(cashier, public):
    fixed = await link(cashier, amount="19.99")
    status, reply = await public.post(pay(fixed["slug"], "/submit"), {"amount": "5.00"})
    assert status == 400 and reply["details"][0]["path"] == ["amount"]
    custom = await link(
        cashier, amount=None, allowCustomAmount=True, minAmount="10", maxAmount="100", currencyCode="PLN"
    )
    for amount in (None, "9.99", "100.01", "1.001"):
        status, reply = await public.post(pay(custom["slug"], "/submit"), {"amount": amount})
        assert status == 400, (amount, reply)
    body = {"amount": "42.50", "idempotencyKey": "cart-" + "7" * 75, "customerName": "Ann"}
    status, first = await public.post(pay(custom["slug"], "/submit"), body)
    assert status == 201 and first["providerKey"] == "manual" and first["amount"] == "42.50"
    status, again = await public.post(pay(custom["slug"], "/submit"), body)
    assert status == 201 and again["transactionId"] == first["transactionId"]
    status, page = await cashier.get(TRANSACTIONS, params={"linkId": custom["id"]})
    assert status == 200 and page["total"] == 1 and page["items"][0]["amount"] == "42.50"

    for bad in (
        {"title": "x"},
        {"title": "x", "amount": "1", "providerKey": "paypal"},
        {"title": "x", "allowCustomAmount": True, "minAmount": "5", "maxAmount": "1"},
        {"title": "x", "amount": "1", "slug": "Bad Slug"},
        {"title": "x", "amount": "1", "maxUses": 0},
    ):
        status, reply = await cashier.post(LINKS, bad)
        assert status == 400, (bad, reply)
    await link(cashier, slug="taken-slug")
    assert (await cashier.post(LINKS, {"title": "x", "amount": "1", "slug": "taken-slug"}))[0] == 409


async def test_unavailable_pages_and_deletes(cashier, viewer, public):
    page = await link(cashier, maxUses=1)
    assert (await viewer.delete(f"{LINKS}/{page['id']}"))[0] == 403
    assert (await cashier.put(f"{LINKS}/{page['id']}", {"isActive": False}))[0] == 200
    assert (await public.get(pay(page["slug"])))[0] == 404
    assert (await cashier.put(f"{LINKS}/{page['id']}", {"isActive": True}))[0] == 200
    assert (await public.get(pay(page["slug"])))[0] == 200
    status, _ = await cashier.delete(f"{LINKS}/{page['id']}")
    assert status == 204
    assert (await public.get(pay(page["slug"])))[0] == 404
    assert (await cashier.get(f"{LINKS}/{page['id']}"))[0] == 404
    template = await created(cashier, TEMPLATES, name="T", title="T", amount="1")
    assert (await cashier.delete(f"{TEMPLATES}/{template}"))[0] == 204
    assert (await cashier.get(f"{TEMPLATES}/{template}/preview"))[0] == 404
    assert (await public.get(pay("no-such-page")))[0] == 404


async def test_other_tenants_checkout_is_invisible(cashier, outsider, public):
    page = await link(cashier)
    template = await created(cashier, TEMPLATES, name="Mine", title="Mine", amount="2")
    status, paid = await public.post(pay(page["slug"], "/submit"), {})
    assert status == 201
    for path in (
        f"{LINKS}/{page['id']}",
        f"{TEMPLATES}/{template}",
        f"{TEMPLATES}/{template}/preview",
        f"{TRANSACTIONS}/{paid['transactionId']}",
        f"{TRANSACTIONS}/by-gateway/{paid['gatewayTransactionId']}",
    ):
        assert (await outsider.get(path))[0] == 404, path
    assert (await outsider.put(f"{LINKS}/{page['id']}", {"title": "Mine now"}))[0] == 404
    assert (await outsider.delete(f"{TEMPLATES}/{template}"))[0] == 404
    assert (await outsider.post(LINKS, {"title": "x", "amount": "1", "templateId": template}))[0] == 404
    for path in (LINKS, TEMPLATES, TRANSACTIONS):
        status, listed = await outsider.get(path)
        assert status == 200 and listed["items"] == [], path
    reply = await outsider.gql(
        "query($l: UUID!, $t: UUID!) { checkoutLink(id: $l) { id } checkoutTemplate(id: $t) { id } checkoutTransactions { total } }",
        {"l": page["id"], "t": template},
    )
    assert reply["data"] == {
        "checkoutLink": None,
        "checkoutTemplate": None,
        "checkoutTransactions": {"total": 0},
    }
    reply = await outsider.gql("mutation($id: UUID!) { deleteCheckoutLink(id: $id) }", {"id": page["id"]})
    assert reply.get("errors"), reply
    # a payment is polled only through its own page
    other = await link(cashier)
    assert (await public.get(pay(other["slug"], f"/status/{paid['transactionId']}")))[0] == 404
    assert (await public.get(pay(page["slug"], "/status/not-a-uuid")))[0] == 404
    assert (await cashier.get(f"{LINKS}/{page['id']}"))[1]["title"] == "Service"
    reply = await cashier.gql(
        'mutation { createCheckoutLink(input: {title: "GraphQL page", amount: "9.90", currencyCode: "usd"}) { slug amount currencyCode passwordProtected } }'
    )
    made = reply["data"]["createCheckoutLink"]
    assert made["amount"] == "9.90" and made["currencyCode"] == "USD" and made["slug"].startswith("pay-")


async def test_a_password_change_is_not_undone(boss, public):
    page = await link(boss, password="first")
    response = await boss.client.put(
        f"{LINKS}/{page['id']}", json={"password": "second"}, headers=boss.headers
    )
    token = json.loads(unquote(response.headers["x-om-operation"].removeprefix("omop:")))["undoToken"]
    status, reply = await boss.post("/api/audit_logs/audit-logs/actions/undo", {"undoToken": token})
    assert status == 400, reply
    status, _ = await public.post(pay(page["slug"], "/verify-password"), {"password": "second"})
    assert status == 200
    response = await boss.client.put(f"{LINKS}/{page['id']}", json={"title": "Renamed"}, headers=boss.headers)
    token = json.loads(unquote(response.headers["x-om-operation"].removeprefix("omop:")))["undoToken"]
    status, reply = await boss.post("/api/audit_logs/audit-logs/actions/undo", {"undoToken": token})
    assert status == 200, reply
    assert (await boss.get(f"{LINKS}/{page['id']}"))[1]["title"] == "Service"


async def test_public_pages_over_graphql(cashier, public):
    page = await link(cashier, amount="3.50")
    reply = await public.gql(
        "query($s: String!) { checkoutPayPage(slug: $s) { title amount unlocked } }", {"s": page["slug"]}
    )
    assert reply["data"]["checkoutPayPage"] == {"title": "Service", "amount": "3.50", "unlocked": True}
    reply = await public.gql(
        'mutation($s: String!) { submitCheckoutPayment(slug: $s, customerName: "Eve") { transactionId status amount } }',
        {"s": page["slug"]},
    )
    paid = reply["data"]["submitCheckoutPayment"]
    assert paid["status"] == "pending" and paid["amount"] == "3.50"
    reply = await public.gql(
        "query($s: String!, $t: String!) { checkoutPaymentStatus(slug: $s, transactionId: $t) { status paid } }",
        {"s": page["slug"], "t": paid["transactionId"]},
    )
    assert reply["data"]["checkoutPaymentStatus"] == {"status": "pending", "paid": False}
    reply = await public.gql("{ checkoutTransactions { total } }")
    assert reply["errors"][0]["extensions"]["code"] == "unauthorized", reply
