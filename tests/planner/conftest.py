"""Fixtures of the planner tests: one tenant per module (an admin, a reader with ``planner.view``)
and another tenant's admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

RULE_SETS = "/api/planner/availability-rule-sets"
RULES = "/api/planner/availability"
WEEKLY = "/api/planner/availability-weekly"
DATED = "/api/planner/availability-date-specific"


@pytest.fixture(scope="module")
async def pworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"reader": ["planner.view"]})


@pytest.fixture(scope="module")
async def planner_admin(client: Any, pworld: World) -> Api:
    return await login(client, pworld.admin_email)


@pytest.fixture(scope="module")
async def planner_reader(client: Any, pworld: World) -> Api:
    return await login(client, pworld.emails["reader"])


@pytest.fixture(scope="module")
async def planner_stranger(client: Any, sessionmaker: Any) -> Api:
    return await login(client, (await make_world(sessionmaker)).admin_email)
