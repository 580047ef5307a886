"""Item 1: no built-in signing secret; every access token needs a live session."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crmgraph.app import create_app
from crmgraph.db import create_engine, drop_database, ensure_database
from crmgraph.installation import InsecureConfiguration, ensure_secret, read_secret
from crmgraph.security import issue_access_token
from models.auth import User
from tests.conftest import Api, login

OLD_CONSTANT = "dev-only-change-me-" + "x" * 24


async def _user_id(sessionmaker, email: str) -> uuid.UUID:
    async with sessionmaker() as session:
        return await session.scalar(select(User.id).where(User.email == email))


async def test_migrate_generated_a_random_installation_secret(settings, database):
    engine = create_engine(database)
    try:
        async with engine.begin() as conn:
            stored = await read_secret(conn)
            assert await ensure_secret(conn) is False  # idempotent: never replaced
    finally:
        await engine.dispose()
    assert stored and len(stored) >= 48 and stored != OLD_CONSTANT
    assert settings.jwt_secret == stored


async def test_token_signed_with_the_old_constant_is_refused(client, world, sessionmaker, settings):
    admin_id = await _user_id(sessionmaker, world.admin_email)
    api = await login(client, world.admin_email)
    assert (await api.get("/api/auth/profile"))[0] == 200
    forged_settings = replace(settings, jwt_secret=OLD_CONSTANT)
    sid = str(uuid.uuid4())
    for claims in ({"sub": str(admin_id)}, {"sub": str(admin_id), "sid": sid}):
        forged = issue_access_token(forged_settings, claims)
        assert await Api(client, {"Authorization": f"Bearer {forged}"}).get("/api/auth/profile") == (
            401,
            {"error": "Unauthorized"},
        )


async def test_token_without_a_live_session_is_refused(client, world, sessionmaker, settings):
    admin_id = await _user_id(sessionmaker, world.admin_email)
    no_sid = issue_access_token(settings, {"sub": str(admin_id)})
    unknown_sid = issue_access_token(settings, {"sub": str(admin_id), "sid": str(uuid.uuid4())})
    for token in (no_sid, unknown_sid):
        status, _ = await Api(client, {"Authorization": f"Bearer {token}"}).get("/api/auth/profile")
        assert status == 401


async def test_app_refuses_to_start_without_a_secret(base_settings):
    url = make_url(base_settings.database_url).set(database=f"crmgraph_nosecret_{uuid.uuid4().hex[:8]}")
    empty = replace(base_settings, database_url=url.render_as_string(hide_password=False), jwt_secret="")
    await ensure_database(empty.database_url)
    try:
        server = TestServer(create_app(empty, redis=False))
        with pytest.raises(InsecureConfiguration):
            await server.start_server()
        await server.close()
    finally:
        await drop_database(empty.database_url)


async def test_short_configured_secret_is_refused(base_settings):
    server = TestServer(create_app(replace(base_settings, jwt_secret="short"), redis=False))
    with pytest.raises(InsecureConfiguration):
        await server.start_server()
    await server.close()
