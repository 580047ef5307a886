"""Fixtures of the customer-accounts tests: one staff tenant per module (an admin, a manager with
``customer_accounts.*``, a viewer), another tenant's admin, and helpers driving the customer side."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from models.auth import EmailOutbox
from tests.conftest import Api, login
from tests.factories import World, make_world

BASE = "/api/customer_accounts"
ADMIN = f"{BASE}/admin"
PASSWORD = "Customer-pass-1"
ROLES = {"manager": ["customer_accounts.*"], "viewer": ["customer_accounts.view"]}


@pytest.fixture(scope="module")
async def cworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def boss(client: Any, cworld: World) -> Api:
    return await login(client, cworld.admin_email)


@pytest.fixture(scope="module")
async def manager(client: Any, cworld: World) -> Api:
    return await login(client, cworld.emails["manager"])


@pytest.fixture(scope="module")
async def viewer(client: Any, cworld: World) -> Api:
    return await login(client, cworld.emails["viewer"])


@pytest.fixture(scope="module")
async def stranger(client: Any, sessionmaker: Any) -> Api:
    """The admin of another tenant."""
    return await login(client, (await make_world(sessionmaker)).admin_email)


def email() -> str:
    return f"c{uuid.uuid4().hex[:10]}@example.com"


async def mailed_token(sessionmaker: Any, to: str) -> str:
    """The token of the newest mail sent to ``to``."""
    async with sessionmaker() as session:
        bodies = list(
            await session.scalars(
                select(EmailOutbox.body)
                .where(EmailOutbox.to_address == to)
                .order_by(EmailOutbox.created_at.desc())
            )
        )
    assert bodies, f"no mail to {to}"
    return re.search(r"token=([A-Za-z0-9_-]+)", bodies[0]).group(1)


async def customer(client: Any, manager: Api, **extra: Any) -> tuple[str, str]:
    """A customer user created by staff: (id, email)."""
    address = email()
    body = {"email": address, "password": PASSWORD, "displayName": "Cust Omer", **extra}
    status, reply = await manager.post(f"{ADMIN}/users", body)
    assert status == 200, reply
    return reply["user"]["id"], address


async def portal_login(client: Any, address: str, password: str = PASSWORD) -> tuple[Api, dict[str, str]]:
    """A customer client (bearer token) and the cookies the login set."""
    response = await client.post(f"{BASE}/login", json={"email": address, "password": password})
    body = await response.json()
    assert response.status == 200, body
    cookies = {name: morsel.value for name, morsel in response.cookies.items()}
    return Api(client, {"Authorization": f"Bearer {cookies['customer_auth_token']}"}), cookies
