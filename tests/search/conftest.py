"""Fixtures of the search and query_index tests: a tenant with a searcher, a reader of companies
only and an indexer; a real arq worker run in burst mode (it dispatches the outbox events to the
index subscriber and runs the reindex jobs).

Every test runs once per search backend: PostgreSQL, and OpenSearch (``SEARCH_BACKEND=opensearch``)
when ``OPENSEARCH_URL`` reaches a server — skipped with that reason otherwise."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from arq import Worker

from crmgraph.app import create_app
from crmgraph.config import Settings
from tests.conftest import Api, login
from tests.factories import World, make_world
from workers.settings import worker_settings

ROLES = {
    "searcher": ["search.view", "customers.*"],
    "companies_only": ["search.view", "customers.companies.view"],
    "indexer": ["search.*", "query_index.*", "customers.*"],
    "no_search": ["customers.*"],
}


BACKENDS = ("postgres", "opensearch")


def opensearch_unreachable(url: str) -> str | None:
    """Why the OpenSearch runs are skipped (None when a server answers at ``url``)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            response.read()
    except OSError as exc:
        return f"no OpenSearch server at OPENSEARCH_URL={url} ({type(exc).__name__}); set it to run these"
    return None


@pytest.fixture(params=BACKENDS)
async def backend(request: Any, settings: Settings, client: TestClient) -> AsyncIterator[Any]:
    """(settings, client) of the app with the backend under test; the worker runs with the same settings."""
    if request.param == "postgres":
        yield settings, client
        return
    reason = opensearch_unreachable(settings.opensearch_url)
    if reason:
        pytest.skip(reason)
    opensearch = replace(settings, search_backend="opensearch")
    async with TestClient(TestServer(create_app(opensearch)), cookie_jar=DummyCookieJar()) as other:
        yield opensearch, other


@pytest.fixture
def bsettings(backend: Any) -> Settings:
    return backend[0]


@pytest.fixture
def bclient(backend: Any) -> TestClient:
    return backend[1]


@pytest.fixture
async def sworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(bclient: Any, sworld: World) -> Api:
    return await login(bclient, sworld.admin_email)


@pytest.fixture
async def searcher(bclient: Any, sworld: World) -> Api:
    return await login(bclient, sworld.emails["searcher"])


@pytest.fixture
async def companies_only(bclient: Any, sworld: World) -> Api:
    return await login(bclient, sworld.emails["companies_only"])


@pytest.fixture
async def indexer(bclient: Any, sworld: World) -> Api:
    return await login(bclient, sworld.emails["indexer"])


@pytest.fixture
async def other_world(sessionmaker: Any) -> World:
    return await make_world(sessionmaker)


@pytest.fixture
async def stranger(bclient: Any, other_world: World) -> Api:
    """The admin of another tenant."""
    return await login(bclient, other_world.admin_email)


async def run_worker(settings: Any) -> None:
    """One burst of the real worker: every queued event dispatch and search job, then stop."""
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.05, cron_jobs=[]))
    try:
        await worker.async_run()
    finally:
        await worker.close()


def unique(word: str) -> str:
    """A word no other test's records contain (letters only: the tokenizer keeps it whole)."""
    return word + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:6])


async def person(api: Api, org: Any, first: str, last: str, **extra: Any) -> str:
    """A person created through REST in organization ``org``."""
    payload = {"first_name": first, "last_name": last, "display_name": f"{first} {last}"}
    status, body = await api.post("/api/customers/people", {**payload, "organizationId": str(org), **extra})
    assert status == 201, body
    return body["id"]


async def company(api: Api, org: Any, name: str, **extra: Any) -> str:
    status, body = await api.post(
        "/api/customers/companies", {"display_name": name, "organizationId": str(org), **extra}
    )
    assert status == 201, body
    return body["id"]


async def found(api: Api, q: str, **params: str) -> list[dict[str, Any]]:
    status, body = await api.get("/api/search/search", params={"q": q, **params})
    assert status == 200, body
    return body["results"]
