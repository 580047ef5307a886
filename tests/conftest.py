"""Fixtures: one fresh PostgreSQL database and Redis queue per run, the app over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import shutil
import tempfile
import uuid

os.environ.setdefault("PASSWORD_HASH_PROFILE", "fast")  # before crmgraph.security is imported
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from crmgraph.app import create_app
from crmgraph.config import Settings, get_settings
from crmgraph.db import create_engine, drop_database, session_factory
from crmgraph.installation import with_installation_secret
from crmgraph.setup import migrate
from tests.factories import PASSWORD, World, make_platform_admin, make_world

RUN_ID = uuid.uuid4().hex[:10]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (``make test``) a file's tests run on one worker, in order, sharing their
    module fixtures; the fuzz shards (the longest tests) are scheduled one by one."""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return nodeid if path.endswith(PER_TEST_FILES) else path

    return FileScheduling(config, log)


PER_TEST_FILES = ("test_fuzz.py",)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    """Settings as configured for the run, before the installation secret is known."""
    base = get_settings()
    url = make_url(os.environ.get("TEST_DATABASE_URL", base.database_url))
    url = url.set(database=f"crmgraph_test_{RUN_ID}")
    return replace(
        base,
        database_url=url.render_as_string(hide_password=False),
        queue_name=f"crmgraph:test:{RUN_ID}",
        storage_dir=os.path.join(tempfile.gettempdir(), f"crmgraph-test-files-{RUN_ID}"),  # per worker
        login_rate_per_ip=10_000,
        login_rate_per_email=10_000,
        reset_rate_per_account=10_000,
        # Any test's burst worker may meet deliveries to endpoints earlier tests left behind (their
        # receivers gone): their retries must come due in moments, not minutes (burst waits for them).
        webhook_retry_base=0.05,
    )


@pytest.fixture(scope="session")
def database(base_settings: Settings) -> Any:
    # Parallel workers (pytest-xdist) each migrate their own database, but the roles are cluster-wide:
    # one migration at a time.
    with open(os.path.join(tempfile.gettempdir(), "crmgraph-test-migrate.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        migrate(base_settings)
    yield base_settings.database_url
    asyncio.run(drop_database(base_settings.database_url))
    shutil.rmtree(base_settings.storage_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def settings(base_settings: Settings, database: str) -> Settings:
    """The run's settings signed with the secret ``crmgraph migrate`` generated (unless JWT_SECRET)."""
    engine = create_engine(database)
    try:
        return await with_installation_secret(base_settings, engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def sessionmaker(database: str) -> AsyncIterator[Any]:
    engine = create_engine(database)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
async def client(settings: Settings, database: str) -> AsyncIterator[TestClient]:
    app = create_app(settings)
    async with TestClient(TestServer(app), cookie_jar=DummyCookieJar()) as test_client:
        yield test_client


class Api:
    """A thin client bound to one identity (headers)."""

    def __init__(self, client: TestClient, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, allow_redirects=False, **kwargs)
        try:
            body = await response.json(content_type=None)
        except ValueError:
            body = await response.text()
        return response.status, body

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("POST", path, json=json, **kw)

    async def put(self, path: str, json: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("PUT", path, json=json, **kw)

    async def delete(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("DELETE", path, **kw)

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        status, body = await self.post("/graphql", {"query": query, "variables": variables or {}})
        assert status == 200, body
        return body


async def login(client: TestClient, email: str, password: str = PASSWORD) -> Api:
    response = await client.post("/api/auth/login", data={"email": email, "password": password})
    body = await response.json()
    assert response.status == 200, body
    return Api(client, {"Authorization": f"Bearer {body['token']}"})


@pytest.fixture
async def world(sessionmaker: Any) -> World:
    return await make_world(
        sessionmaker,
        roles={
            "employee": ["customers.*", "directory.organizations.view", "auth.users.list"],
            "viewer": ["auth.users.list"],
        },
    )


@pytest.fixture
async def admin(client: TestClient, world: World) -> Api:
    return await login(client, world.admin_email)


@pytest.fixture
async def platform(client: TestClient, sessionmaker: Any) -> Api:
    return await login(client, await make_platform_admin(sessionmaker))


@pytest.fixture
def anonymous(client: TestClient) -> Api:
    return Api(client)


@contextlib.asynccontextmanager
async def app_beside(
    provider: web.Application, settings: Settings, configure: Callable[[str], dict[str, Any]]
) -> AsyncIterator[TestClient]:
    """The app configured to call ``provider`` — a local server on 127.0.0.1 speaking a provider's
    protocol — at its base URL (``configure(url)`` gives the settings to replace)."""
    server = TestServer(provider, host="127.0.0.1")
    await server.start_server()
    try:
        configured = replace(settings, **configure(str(server.make_url("")).rstrip("/")))
        async with TestClient(TestServer(create_app(configured)), cookie_jar=DummyCookieJar()) as client:
            yield client
    finally:
        await server.close()
