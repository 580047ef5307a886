"""Fixtures of the accounting tests: one tenant per module (an admin, an accountant and a reader in
its branch), another tenant's admin, and helpers creating selling entities and invoices."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ENTITIES = "/api/accounting/selling-entities"
INVOICES = "/api/accounting/invoices"
NEXT = "/api/accounting/selling-entities/next-invoice-number"
ROLES = {"accountant": ["accounting.*"], "reader": ["accounting.invoices.view"]}
ACCOUNT = "61109010140000071219812874"  # a valid NRB
NIP = "5252248481"


@pytest.fixture(scope="module")
async def aworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def boss(client: Any, aworld: World) -> Api:
    return await login(client, aworld.admin_email)


@pytest.fixture(scope="module")
async def accountant(client: Any, aworld: World) -> Api:
    return await login(client, aworld.emails["accountant"])


@pytest.fixture(scope="module")
async def reader(client: Any, aworld: World) -> Api:
    return await login(client, aworld.emails["reader"])


@pytest.fixture(scope="module")
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(client, (await make_world(sessionmaker)).admin_email)


async def selling_entity(api: Api, name: str = "Moto Test sp. z o.o.", **extra: Any) -> str:
    body = {"name": name, "nip": NIP, "bankAccount": ACCOUNT, "invoicePrefix": "FV", **extra}
    status, reply = await api.post(ENTITIES, body)
    assert status == 201, reply
    return reply["id"]


LINE = {"name": "Service", "quantity": "1", "unitNetPrice": "100.00", "vatRate": "23"}


async def invoice(api: Api, **extra: Any) -> dict[str, Any]:
    """Create an invoice and return it as listed."""
    body = {"documentKind": "issued", "issueDate": "2026-03-02", "lineItems": [LINE], **extra}
    status, reply = await api.post(INVOICES, body)
    assert status == 201, reply
    return await one(api, reply["id"])


async def one(api: Api, ident: str) -> dict[str, Any]:
    status, page = await api.get(INVOICES, params={"ids": ident})
    assert status == 200 and len(page["items"]) == 1, page
    return page["items"][0]
