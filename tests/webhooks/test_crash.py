"""A real ``crmgraph worker`` process killed (SIGKILL) while it posts a backlog, then restarted: every
event reaches the receiver, at least once, and a repeat always carries the same ``webhook-id``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import func, select

from models.events import OutboxEvent
from models.webhooks import WebhookDelivery
from tests.webhooks.conftest import create_hook
from workers.events import enqueue_dispatch

EVENTS = 80
# Its own queue: jobs a SIGKILLed worker held stay "in progress" in arq for the longest job timeout
# (the outbox and delivery sweeps recover their work meanwhile); they must not stall the run's queue.
QUEUE_SUFFIX = ":crash"


def start_worker(settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CRMGRAPH_QUEUE": settings.queue_name + QUEUE_SUFFIX,
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "WEBHOOK_RETRY_BASE": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "crmgraph.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def until(condition, timeout: float = 90.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_killed_worker_loses_and_duplicates_nothing(manager, receiver, hook_settings, sessionmaker):
    hook = await create_hook(manager, receiver.url + "/crash", ["customers.person.updated"], timeoutMs=1000)
    status, detail = await manager.get(f"/api/webhooks/{hook['id']}")
    assert status == 200
    tenant_id, org_id = uuid.UUID(detail["tenantId"]), uuid.UUID(detail["organizationId"])
    created = datetime.now(UTC) - timedelta(minutes=1)  # a backlog the worker's start-up sweep finds too
    ids = [uuid.uuid4() for _ in range(EVENTS)]
    async with sessionmaker() as session:
        for n, event_id in enumerate(ids):
            payload = {"id": str(uuid.uuid4()), "tenantId": str(tenant_id), "n": n}
            session.add(
                OutboxEvent(
                    id=event_id,
                    name="customers.person.updated",
                    payload=payload,
                    tenant_id=tenant_id,
                    organization_id=org_id,
                    created_at=created,
                )
            )
        await session.commit()
    queue = hook_settings.queue_name + QUEUE_SUFFIX
    pool = await create_pool(RedisSettings.from_dsn(hook_settings.redis_url), default_queue_name=queue)
    try:
        await enqueue_dispatch(pool, ids, "crash-test")
        await _kill_and_restart(receiver, hook, hook_settings, sessionmaker)
    finally:
        await pool.delete(queue)  # what the killed worker left "in progress"
        await pool.aclose()


async def _kill_and_restart(receiver, hook, hook_settings, sessionmaker) -> None:
    receiver.delay = 0.3
    worker = start_worker(hook_settings)
    try:
        await until(lambda: _received_at_least(receiver, 10))
        worker.send_signal(signal.SIGKILL)  # mid-batch: deliveries in flight, others queued
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
    first_run = len(receiver.at("/crash"))
    assert first_run < EVENTS, "the worker finished before it was killed"
    receiver.delay = 0.0

    async def leases_over() -> bool:  # attempts in flight when it died are due again after their lease
        async with sessionmaker() as session:
            latest = await session.scalar(
                select(func.max(WebhookDelivery.next_retry_at)).where(
                    WebhookDelivery.webhook_id == uuid.UUID(hook["id"]), WebhookDelivery.status == "pending"
                )
            )
        return latest is None or latest < datetime.now(UTC)

    await until(leases_over, timeout=30)
    worker = start_worker(hook_settings)
    try:
        await until(lambda: _all_arrived(receiver))
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()

    by_event: dict[str, set[str]] = defaultdict(set)
    for post in receiver.at("/crash"):
        by_event[post["body"]].add(post["headers"]["webhook-id"])
    assert _distinct(receiver) == EVENTS  # nothing lost
    assert all(len(ids) == 1 for ids in by_event.values())  # a repeat carries the same webhook-id
    assert len(by_event) == EVENTS


async def _received_at_least(receiver, count: int) -> bool:
    return len(receiver.at("/crash")) >= count


def _distinct(receiver) -> int:
    return len({post["headers"]["webhook-id"] for post in receiver.at("/crash")})


async def _all_arrived(receiver) -> bool:
    return _distinct(receiver) == EVENTS
