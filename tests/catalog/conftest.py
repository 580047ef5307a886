"""Fixtures of the catalog tests: one tenant per test module (an admin in the root organization, a
``clerk`` who manages products but not pricing or settings, a ``reader`` who only views products),
another tenant's admin, and factories writing through REST."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "clerk": ["catalog.products.view", "catalog.products.manage", "catalog.categories.view"],
    "reader": ["catalog.products.view"],
}
API = "/api/catalog"


@pytest.fixture(scope="module")
async def cworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def boss(client: Any, cworld: World) -> Api:
    return await login(client, cworld.admin_email)


@pytest.fixture(scope="module")
async def clerk(client: Any, cworld: World) -> Api:
    return await login(client, cworld.emails["clerk"])


@pytest.fixture(scope="module")
async def reader(client: Any, cworld: World) -> Api:
    return await login(client, cworld.emails["reader"])


@pytest.fixture(scope="module")
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(client, (await make_world(sessionmaker)).admin_email)


async def make(api: Api, kind: str, **body: Any) -> str:
    """Create a ``kind`` (``products``, ``categories``...) and return its id."""
    status, reply = await api.post(f"{API}/{kind}", body)
    assert status == 201, (kind, reply)
    return reply["id"]


async def one(api: Api, kind: str, ident: str) -> dict[str, Any]:
    status, page = await api.get(f"{API}/{kind}", params={"ids": ident})
    assert status == 200 and len(page["items"]) == 1, page
    return page["items"][0]


async def price_kind(api: Api, code: str = "regular", **extra: Any) -> str:
    return await make(api, "price-kinds", code=code, title=code.title(), **extra)
