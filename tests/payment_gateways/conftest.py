"""Fixtures of the payment_gateways and checkout tests: a local Stripe-speaking server, an app whose
Stripe settings point at it, a tenant (admin, a cashier, a viewer) and another tenant's admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from crmgraph.app import create_app
from tests.conftest import Api, login
from tests.factories import World, make_world
from tests.payment_gateways.stripe_server import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, signed

ROLES = {
    "cashier": ["payment_gateways.view", "payment_gateways.manage", "payment_gateways.capture", "checkout.*"],
    "viewer": ["payment_gateways.view", "checkout.view"],
}
SESSIONS = "/api/payment_gateways/sessions"
TRANSACTIONS = "/api/payment_gateways/transactions"
WEBHOOK = "/api/payment_gateways/webhook/stripe"


@pytest.fixture(scope="module")
async def stripe() -> AsyncIterator[FakeStripe]:
    fake = FakeStripe()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    yield fake
    await server.close()


@pytest.fixture(scope="module")
async def papp(settings: Any, stripe: FakeStripe) -> AsyncIterator[TestClient]:
    """The app with the Stripe provider configured against the local server."""
    configured = replace(
        settings,
        stripe_api_url=stripe.url,  # type: ignore[attr-defined]
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
    )
    client = TestClient(TestServer(create_app(configured)), cookie_jar=DummyCookieJar())
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture(scope="module")
async def pworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def boss(papp: TestClient, pworld: World) -> Api:
    return await login(papp, pworld.admin_email)


@pytest.fixture(scope="module")
async def cashier(papp: TestClient, pworld: World) -> Api:
    return await login(papp, pworld.emails["cashier"])


@pytest.fixture(scope="module")
async def viewer(papp: TestClient, pworld: World) -> Api:
    return await login(papp, pworld.emails["viewer"])


@pytest.fixture(scope="module")
async def outsider(papp: TestClient, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(papp, (await make_world(sessionmaker)).admin_email)


@pytest.fixture(scope="module")
def public(papp: TestClient) -> Api:
    return Api(papp)


async def session(api: Api, **body: Any) -> dict[str, Any]:
    status, reply = await api.post(
        SESSIONS, {"providerKey": "stripe", "amount": "12.34", "currencyCode": "EUR", **body}
    )
    assert status == 201, reply
    return reply


async def deliver(api: Api, event: dict[str, Any], **sign: Any) -> tuple[int, Any]:
    body, headers = signed(event, **sign)
    return await api.call("POST", WEBHOOK, data=body, headers=headers)


async def transaction(api: Api, ident: str) -> dict[str, Any]:
    status, reply = await api.get(f"{TRANSACTIONS}/{ident}")
    assert status == 200, reply
    return reply


async def history(api: Api, ident: str) -> list[dict[str, Any]]:
    reply = await api.gql(
        "query($id: UUID!) { paymentTransaction(id: $id) { events { kind eventType providerEventId fromStatus toStatus amount outcome } } }",
        {"id": ident},
    )
    assert "errors" not in reply, reply
    return reply["data"]["paymentTransaction"]["events"]
