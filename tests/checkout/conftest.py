"""Fixtures of the checkout tests: those of ``tests.payment_gateways`` (the local Stripe server, its
app, a tenant and an outsider) and helpers for templates, links and pay pages."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.payment_gateways.conftest import (  # noqa: F401 - fixtures
    boss,
    cashier,
    outsider,
    papp,
    public,
    pworld,
    stripe,
    viewer,
)

LINKS, TEMPLATES = "/api/checkout/links", "/api/checkout/templates"
TRANSACTIONS = "/api/checkout/transactions"


async def created(api: Api, path: str, **body: Any) -> str:
    status, reply = await api.post(path, body)
    assert status == 201, reply
    return reply["id"]


async def link(api: Api, **body: Any) -> dict[str, Any]:
    given = {"title": "Service", "amount": "25.00", **body}
    ident = await created(api, LINKS, **{k: v for k, v in given.items() if v is not None})
    status, reply = await api.get(f"{LINKS}/{ident}")
    assert status == 200, reply
    return reply


def pay(slug: str, tail: str = "") -> str:
    return f"/api/checkout/pay/{slug}{tail}"
