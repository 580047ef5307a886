"""Fixtures of the example and onboarding tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "manager": ["example.*", "customers.*", "auth.users.list"],
    "viewer": ["example.todos.view"],
}


@pytest.fixture
async def eworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, eworld: World) -> Api:
    return await login(client, eworld.admin_email)


@pytest.fixture
async def manager(client: Any, eworld: World) -> Api:
    return await login(client, eworld.emails["manager"])


@pytest.fixture
async def viewer(client: Any, eworld: World) -> Api:
    return await login(client, eworld.emails["viewer"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(client, (await make_world(sessionmaker)).admin_email)


@pytest.fixture(scope="module")
async def proxied(settings: Any) -> AsyncIterator[TestClient]:
    """The app behind a trusted proxy (127.0.0.1): each test speaks from its own client address, so
    the public routes' per-address budgets are its own."""
    behind_proxy = replace(settings, trusted_proxies="127.0.0.1/32")
    async with TestClient(TestServer(create_app_for(behind_proxy)), cookie_jar=DummyCookieJar()) as client:
        yield client


def create_app_for(settings: Any) -> Any:
    from crmgraph.app import create_app

    return create_app(settings)


def visitor(client: TestClient, address: str | None = None) -> Api:
    """An anonymous caller from its own client address (default: a fresh one)."""
    address = address or f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    return Api(client, {"X-Forwarded-For": f"{address}, 127.0.0.1"})


async def created(api: Api, path: str, body: dict[str, Any]) -> str:
    status, reply = await api.post(path, body)
    assert status == 201, (path, reply)
    return reply["id"]


async def person(api: Api, name: str = "Ola Nowak") -> str:
    first, last = name.split(" ", 1)
    return await created(api, "/api/customers/people", {"firstName": first, "lastName": last})


async def company(api: Api, name: str = "Moto Sp. z o.o.") -> str:
    return await created(api, "/api/customers/companies", {"displayName": name})
