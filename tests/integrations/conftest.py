"""Fixtures of the integrations tests: one tenant per module (an admin, a viewer with
``integrations.view``) and another tenant's admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world


@pytest.fixture(scope="module")
async def iworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"viewer": ["integrations.view"]})


@pytest.fixture(scope="module")
async def integrator(client: Any, iworld: World) -> Api:
    return await login(client, iworld.admin_email)


@pytest.fixture(scope="module")
async def viewer(client: Any, iworld: World) -> Api:
    return await login(client, iworld.emails["viewer"])


@pytest.fixture(scope="module")
async def outsider(client: Any, sessionmaker: Any) -> Api:
    return await login(client, (await make_world(sessionmaker)).admin_email)
