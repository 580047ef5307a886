"""Fixtures of the progress tests: a tenant with reporters, a manager, a reader, and helpers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from crmgraph.authn import load_user_principal
from crmgraph.context import RequestContext
from models.auth import User
from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "worker": ["progress.create", "progress.update", "progress.cancel"],
    "colleague": ["progress.create", "progress.update", "progress.cancel"],
    "manager": ["progress.*"],
    "reader": [],
}


@pytest.fixture
async def pworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, pworld: World) -> Api:
    return await login(client, pworld.admin_email)


@pytest.fixture
async def worker(client: Any, pworld: World) -> Api:
    return await login(client, pworld.emails["worker"])


async def create_job(api: Api, **body: Any) -> str:
    status, reply = await api.post("/api/progress/jobs", {"jobType": "test.import", "name": "Import", **body})
    assert status == 201, reply
    assert set(reply) == {"id"}
    return reply["id"]


async def job(api: Api, ident: str) -> dict[str, Any]:
    status, body = await api.get(f"/api/progress/jobs/{ident}")
    assert status == 200, body
    return body


async def context_of(sessionmaker: Any, settings: Any, email: str) -> RequestContext:
    """A request context for the user (as a worker process would build one)."""
    async with sessionmaker() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        principal = await load_user_principal(session, user_id)
    assert principal is not None
    return RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)


def ids(page: dict[str, Any]) -> set[str]:
    return {item["id"] for item in page["items"]}


def new_id() -> str:
    return str(uuid.uuid4())
