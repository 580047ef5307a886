"""Fixtures of the inbox ops tests: a tenant with an admin, a ``clerk`` who manages proposals but
may not create people, and another tenant's admin; helpers for signed webhook calls."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "clerk": ["inbox_ops.proposals.view", "inbox_ops.proposals.manage", "inbox_ops.log.view"],
    "viewer": ["inbox_ops.proposals.view"],
}
WEBHOOK = "/api/inbox_ops/webhook/inbound"
ORDER_TEXT = (
    "Hello,\nplease send\n3 x Blue Widget @ 12.50\n2 pcs Gadget\nPhone: +48 600 100 200\nPO# PO-77\nEUR"
)


@pytest.fixture
async def iworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def admin(client: Any, iworld: World) -> Api:
    return await login(client, iworld.admin_email)


@pytest.fixture
async def clerk(client: Any, iworld: World) -> Api:
    return await login(client, iworld.emails["clerk"])


@pytest.fixture
async def viewer(client: Any, iworld: World) -> Api:
    return await login(client, iworld.emails["viewer"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    return await login(client, (await make_world(sessionmaker)).admin_email)


async def extract(api: Api, text: str = ORDER_TEXT, **extra: Any) -> dict[str, Any]:
    body = {
        "text": text,
        "subject": "Order",
        "fromAddress": "jane.doe@acme.test",
        "fromName": "Jane Doe",
        **extra,
    }
    status, reply = await api.post("/api/inbox_ops/extract", body)
    assert status == 201, reply
    return reply


async def proposal(api: Api, proposal_id: str) -> dict[str, Any]:
    status, reply = await api.get(f"/api/inbox_ops/proposals/{proposal_id}")
    assert status == 200, reply
    return reply


async def patch(api: Api, path: str, body: Any) -> tuple[int, Any]:
    return await api.call("PATCH", path, json=body)


def signed(secret: str, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Inbox-Signature": f"sha256={signature}", "Content-Type": "application/json"}
