"""Fixtures of the scheduler, feature_toggles and configs tests."""

from __future__ import annotations

from typing import Any

import pytest
from arq import Worker, cron

from tests.conftest import Api, login
from tests.factories import World, make_world
from workers.scheduler import scheduler_tick
from workers.settings import worker_settings

ROLES = {
    "planner": ["scheduler.jobs.*", "customers.*", "configs.*"],
    "viewer": ["scheduler.jobs.view"],
}
ECHO = {"scheduleType": "cron", "scheduleValue": "0 2 * * *", "targetQueue": "scheduler_echo"}


@pytest.fixture
async def sworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, sworld: World) -> Api:
    """The tenant's super admin (sees every organization)."""
    return await login(client, sworld.admin_email)


@pytest.fixture
async def planner(client: Any, sworld: World, boss: Api) -> Api:
    """Manages schedules, in the branch organization only."""
    acl = {"roleId": str(sworld.role_ids["planner"]), "features": ROLES["planner"]}
    status, reply = await boss.put("/api/auth/roles/acl", {**acl, "organizations": [str(sworld.branch_org)]})
    assert status == 200, reply
    return await login(client, sworld.emails["planner"])


@pytest.fixture
async def viewer(client: Any, sworld: World) -> Api:
    return await login(client, sworld.emails["viewer"])


@pytest.fixture
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The super admin of another tenant."""
    other = await make_world(sessionmaker)
    return await login(client, other.admin_email)


async def schedule(api: Api, name: str = "Echo", **extra: Any) -> str:
    status, reply = await api.post("/api/scheduler/jobs", {"name": name, **ECHO, **extra})
    assert status == 201, reply
    return reply["id"]


async def run_worker(settings: Any, *, tick: bool = False) -> None:
    """A real arq worker in burst mode on the run's queue (the scheduler's cron evaluation once at
    start-up when ``tick``); returns when the queue is empty."""
    crons = [cron(scheduler_tick, run_at_startup=True)] if tick else []
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.05, cron_jobs=crons))
    try:
        await worker.async_run()
    finally:
        await worker.close()
