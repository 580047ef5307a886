"""Fixtures of the cases/playbooks/dashboards tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "agent": [
        "cases.*",
        "playbooks.*",
        "customers.*",
        "messages.view",
        "dashboards.view",
        "dashboards.configure",
    ],
    "reader": ["cases.view", "playbooks.view", "dashboards.view"],
}
STEPS = [
    {"key": "intake", "title": "Intake call", "dueInDays": 1},
    {"title": "Inspect the bike", "description": "Full checklist"},
    {"title": "Send the quote"},
]


@pytest.fixture
async def cworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, cworld: World) -> Api:
    return await login(client, cworld.admin_email)


@pytest.fixture
async def agent(client: Any, cworld: World) -> Api:
    return await login(client, cworld.emails["agent"])


@pytest.fixture
async def reader(client: Any, cworld: World) -> Api:
    return await login(client, cworld.emails["reader"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    other = await make_world(sessionmaker)
    return await login(client, other.admin_email)


async def created(api: Api, path: str, body: dict[str, Any]) -> str:
    status, reply = await api.post(path, body)
    assert status == 201, (path, reply)
    return reply["id"]


async def playbook(api: Api, title: str = "Winter storage", **extra: Any) -> str:
    return await created(api, "/api/playbooks", {"title": title, "procedureDefinition": STEPS, **extra})


async def case(api: Api, title: str = "Bike does not start", **extra: Any) -> str:
    return await created(api, "/api/cases", {"title": title, **extra})
