"""Fixtures of the data sync tests: a tenant with an admin, an ``operator`` who runs syncs but
cannot configure them, another tenant's admin, and one burst of the real arq worker."""

from __future__ import annotations

from typing import Any

import pytest
from arq import Worker

from tests.conftest import Api, login
from tests.factories import World, make_world
from workers.settings import worker_settings

ROLES = {"operator": ["data_sync.view", "data_sync.run"]}
MAPPINGS = "/api/data_sync/mappings"
PEOPLE_MAP = {"first": "firstName", "last": "lastName", "mail": "primaryEmail"}


@pytest.fixture
async def dworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def admin(client: Any, dworld: World) -> Api:
    return await login(client, dworld.admin_email)


@pytest.fixture
async def operator(client: Any, dworld: World) -> Api:
    return await login(client, dworld.emails["operator"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    return await login(client, (await make_world(sessionmaker)).admin_email)


async def run_worker(settings: Any) -> None:
    """One burst of the real worker: every queued job (sync runs, event dispatch), then stop."""
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.05, cron_jobs=[]))
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def mapping(api: Api, direction: str = "import", **extra: Any) -> str:
    body = {"name": f"People {direction}", "entity": "person", "direction": direction, "fieldMap": PEOPLE_MAP}
    status, reply = await api.post(MAPPINGS, {**body, **extra})
    assert status == 201, reply
    return reply["id"]
