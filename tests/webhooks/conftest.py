"""Fixtures of the webhooks tests: a tenant with a webhook manager, another tenant, a real local
receiver (aiohttp on 127.0.0.1) and an app whose ``WEBHOOK_ALLOWED_HOSTS`` lets deliveries reach it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer
from arq import Worker
from sqlalchemy import select, update

from crmgraph.app import create_app
from models.webhooks import WebhookDelivery, WebhookEndpoint
from tests.conftest import Api, login
from tests.factories import World, make_world
from workers.settings import worker_settings

ROLES = {"manager": ["webhooks.*", "customers.*"], "viewer": ["webhooks.view"]}


@dataclass
class Receiver:
    """A local webhook receiver: records every request; answers 500 to the next ``fail[path]``
    requests of a path, then 200."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0  # seconds each answer takes (a slow receiver)
    slow: dict[str, float] = field(default_factory=dict)  # seconds the answers of a path take
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        if self.delay or self.slow.get(request.path):
            await asyncio.sleep(self.delay + self.slow.get(request.path, 0.0))
        self.received.append({"headers": dict(request.headers), "body": body, "path": request.path})
        self.arrived.set()
        if self.fail.get(request.path, 0) > 0:
            self.fail[request.path] -= 1
            return web.Response(status=500, text="receiver down")
        return web.Response(text="ok")

    def at(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r["path"] == path]


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", found.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    found.url = f"http://127.0.0.1:{server.port}"
    yield found
    await server.close()


@pytest.fixture(scope="module")
def hook_settings(settings: Any) -> Any:
    """The run's settings letting webhooks reach 127.0.0.1, with a backoff of milliseconds."""
    return replace(settings, webhook_allowed_hosts="127.0.0.1", webhook_retry_base=0.05)


@pytest.fixture(scope="module")
async def hook_client(hook_settings: Any, database: str) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(hook_settings)), cookie_jar=DummyCookieJar()) as client:
        yield client


@pytest.fixture(scope="module")
async def wworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def away(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"manager": ["webhooks.*", "customers.*"]})


@pytest.fixture(scope="module")
async def boss(client: Any, wworld: World) -> Api:
    return await login(client, wworld.admin_email)


@pytest.fixture(scope="module")
async def manager(hook_client: Any, wworld: World) -> Api:
    return await login(hook_client, wworld.emails["manager"])


@pytest.fixture(scope="module")
async def viewer(client: Any, wworld: World) -> Api:
    return await login(client, wworld.emails["viewer"])


@pytest.fixture(scope="module")
async def stranger(hook_client: Any, away: World) -> Api:
    return await login(hook_client, away.emails["manager"])


async def run_worker(settings: Any) -> None:
    """A real arq worker over Redis, until the queue is empty (deferred retries included)."""
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.02, cron_jobs=[]))
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def create_hook(api: Api, url: str, events: list[str], **more: Any) -> dict[str, Any]:
    status, body = await api.post(
        "/api/webhooks", {"name": "Hook", "url": url, "subscribedEvents": events, **more}
    )
    assert status == 201, body
    return body


@pytest.fixture(autouse=True)
async def no_leftover_deliveries(sessionmaker: Any) -> AsyncIterator[None]:
    """Each test settles the deliveries it leaves pending (to receivers made to fail): a worker
    posts every due delivery, so they would otherwise be retried through the next tests' runs."""
    yield
    await settle_pending(sessionmaker)


async def settle_pending(sessionmaker: Any, *, deactivate_except: tuple[str, ...] = ()) -> None:
    """Mark every pending delivery failed; with ``deactivate_except``, also disable the other
    endpoints of those endpoints' tenant (a test counting deliveries sees only its own)."""
    async with sessionmaker() as session:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.status == "pending")
            .values(status="failed", next_retry_at=None, error_message="left pending by a test")
        )
        if deactivate_except:
            keep = [uuid.UUID(i) for i in deactivate_except]
            tenant = select(WebhookEndpoint.tenant_id).where(WebhookEndpoint.id.in_(keep))
            await session.execute(
                update(WebhookEndpoint)
                .where(
                    WebhookEndpoint.tenant_id.in_(tenant.scalar_subquery()), WebhookEndpoint.id.not_in(keep)
                )
                .values(is_active=False)
            )
        await session.commit()
