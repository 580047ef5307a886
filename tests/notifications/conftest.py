"""Fixtures of the notifications tests: a tenant with a sender, two plain members and a manager."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from models.auth import User
from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "sender": ["notifications.create"],
    "member": ["audit_logs.view_self", "audit_logs.undo_self", "audit_logs.redo_self"],
    "colleague": [],
    "manager": ["notifications.manage"],
    "writer": ["messages.*"],
}


@pytest.fixture
async def nworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, nworld: World) -> Api:
    return await login(client, nworld.admin_email)


@pytest.fixture
async def sender(client: Any, nworld: World) -> Api:
    return await login(client, nworld.emails["sender"])


@pytest.fixture
async def member(client: Any, nworld: World) -> Api:
    return await login(client, nworld.emails["member"])


@pytest.fixture
async def colleague(client: Any, nworld: World) -> Api:
    return await login(client, nworld.emails["colleague"])


@pytest.fixture
async def manager(client: Any, nworld: World) -> Api:
    return await login(client, nworld.emails["manager"])


@pytest.fixture
async def away(sessionmaker: Any) -> World:
    """Another tenant."""
    return await make_world(sessionmaker, roles={"member": []})


@pytest.fixture
async def stranger(client: Any, away: World) -> Api:
    return await login(client, away.admin_email)


async def user_id(sessionmaker: Any, email: str) -> str:
    async with sessionmaker() as session:
        return str(await session.scalar(select(User.id).where(User.email == email)))


@pytest.fixture
async def ids(sessionmaker: Any, nworld: World) -> dict[str, str]:
    """User ids by role name (``admin`` for the tenant's super admin)."""
    found = {name: await user_id(sessionmaker, email) for name, email in nworld.emails.items()}
    return {**found, "admin": await user_id(sessionmaker, nworld.admin_email)}


async def send(api: Api, recipient: str, **content: Any) -> str:
    body = {
        "type": "test.notice",
        "title": f"Notice {uuid.uuid4().hex[:6]}",
        **content,
        "recipientUserId": recipient,
    }
    status, reply = await api.post("/api/notifications", body)
    assert status == 201, reply
    return reply["id"]
