"""Fixtures of the sales tests: one tenant per test module (an admin, a clerk who may only view
orders), another tenant, and a REST helper creating quotes, orders and their lines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {"clerk": ["sales.orders.view"]}


class Sales:
    """Creates sales records through the REST API as ``api`` and returns their ids."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, reply = await self.api.post(f"/api/sales/{path}", body)
        assert status == 201, (path, reply)
        return reply

    async def quote(self, currency: str = "PLN", **extra: Any) -> str:
        return (await self.create("quotes", {"currencyCode": currency, **extra}))["id"]

    async def order(self, currency: str = "PLN", **extra: Any) -> str:
        return (await self.create("orders", {"currencyCode": currency, **extra}))["id"]

    async def line(self, doc_kind: str, doc: str, **fields: Any) -> str:
        body = {f"{doc_kind}Id": doc, "name": "Service", "quantity": "1", **fields}
        return (await self.create(f"{doc_kind}-lines", body))["id"]

    async def adjustment(self, doc_kind: str, doc: str, **fields: Any) -> str:
        return (await self.create(f"{doc_kind}-adjustments", {f"{doc_kind}Id": doc, **fields}))["id"]

    async def list(self, path: str, **query: Any) -> dict[str, Any]:
        status, body = await self.api.get(f"/api/sales/{path}", params={k: str(v) for k, v in query.items()})
        assert status == 200, (path, body)
        return body

    async def one(self, path: str, ident: str) -> dict[str, Any]:
        items = (await self.list(path, id=ident))["items"]
        assert len(items) == 1, items
        return items[0]


@pytest.fixture(scope="module")
async def sworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def sadmin(client: Any, sworld: World) -> Api:
    return await login(client, sworld.admin_email)


@pytest.fixture(scope="module")
async def clerk(client: Any, sworld: World) -> Api:
    return await login(client, sworld.emails["clerk"])


@pytest.fixture(scope="module")
async def sales(sadmin: Api) -> Sales:
    return Sales(sadmin)


@pytest.fixture(scope="module")
async def outsider(client: Any, sessionmaker: Any) -> Sales:
    """The admin of another tenant."""
    other = await make_world(sessionmaker)
    return Sales(await login(client, other.admin_email))
