"""Fixtures of the entities and attachments tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "clerk": ["entities.records.*", "entities.definitions.view", "customers.*", "attachments.*"],
    "reader": ["entities.records.view", "attachments.view"],
}
TRACK_DAY = "user:track_day"


@pytest.fixture
async def eworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, eworld: World) -> Api:
    return await login(client, eworld.admin_email)


@pytest.fixture
async def clerk(client: Any, eworld: World) -> Api:
    return await login(client, eworld.emails["clerk"])


@pytest.fixture
async def reader(client: Any, eworld: World) -> Api:
    return await login(client, eworld.emails["reader"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(client, (await make_world(sessionmaker)).admin_email)


async def ok(api: Api, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    code, reply = await api.call(method, path, json=body)
    assert code == status, (method, path, code, reply)
    return reply


async def track_day(api: Api, **extra: Any) -> None:
    """The custom entity ``user:track_day`` with a title (required), a circuit (select), laps and a
    booking code (encrypted, with a hash field)."""
    await ok(
        api,
        "POST",
        "/api/entities/entities",
        {"entityId": TRACK_DAY, "label": "Track day", "labelField": "title", **extra},
    )
    definitions = [
        {"key": "title", "kind": "text", "configJson": {"required": True}},
        {"key": "circuit", "kind": "select", "configJson": {"options": ["Poznan", "Brno", "Slovakiaring"]}},
        {"key": "laps", "kind": "integer"},
        {"key": "booking_code", "kind": "text"},
    ]
    await ok(
        api, "POST", "/api/entities/definitions.batch", {"entityId": TRACK_DAY, "definitions": definitions}
    )


async def record(api: Api, values: dict[str, Any], entity_id: str = TRACK_DAY) -> str:
    reply = await ok(api, "POST", "/api/entities/records", {"entityId": entity_id, "values": values})
    return reply["item"]["recordId"]
