"""Fixtures of the dictionaries, currencies, translations and perspectives tests: a tenant whose
admin sits in the root organization and whose ``manager`` and ``reader`` sit in a branch below it,
another tenant's admin, and a client for writes that reads the operation header."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "manager": [
        "dictionaries.*",
        "currencies.*",
        "translations.*",
        "perspectives.use",
        "perspectives.role_defaults",
        "customers.*",
    ],
    "reader": [
        "dictionaries.view",
        "currencies.view",
        "currencies.rates.view",
        "translations.view",
        "perspectives.use",
    ],
}
ACTIONS = "/api/audit_logs/audit-logs/actions"


@pytest.fixture
async def xworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, xworld: World) -> Api:
    return await login(client, xworld.admin_email)


@pytest.fixture
async def manager(client: Any, xworld: World) -> Api:
    return await login(client, xworld.emails["manager"])


@pytest.fixture
async def reader(client: Any, xworld: World) -> Api:
    return await login(client, xworld.emails["reader"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(client, (await make_world(sessionmaker)).admin_email)


async def patch(api: Api, path: str, body: Any) -> tuple[int, Any]:
    return await api.call("PATCH", path, json=body)


async def created(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    status, reply = await api.post(path, body)
    assert status == 201, (path, reply)
    return reply


async def written(api: Api, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, Any]]:
    """Status, body and the operation header (id, undoToken, resourceId...) of a write."""
    response = await api.client.request(method, path, json=body, headers=api.headers)
    header = response.headers.get("x-om-operation", "")
    reply = await response.json(content_type=None) if response.status != 204 else None
    return response.status, reply, json.loads(unquote(header.removeprefix("omop:"))) if header else {}


def in_org(api: Api, org_id: Any) -> Api:
    """The same caller with another organization selected."""
    return Api(api.client, {**api.headers, "Cookie": f"om_selected_org={org_id}"})
