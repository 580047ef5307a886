"""Outbox events are written with the command and dispatched by a real arq worker over Redis."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from arq import Worker, create_pool
from arq.connections import RedisSettings
from sqlalchemy import select

from models.events import EventDelivery, OutboxEvent
from resolvers import events as events_module
from resolvers.events import DISPATCH_WINDOW, subscribe, wake_dispatcher
from workers.events import requeue_undelivered, sweep_outbox
from workers.settings import worker_settings

SEEN: dict[str, list[str]] = {}
FLAKY_FAILURES: dict[str, int] = {}


@subscribe("directory.organization.*", "test-recorder")
async def record(ctx, event: OutboxEvent) -> None:
    SEEN.setdefault(event.payload["tenantId"], []).append(event.name)


@subscribe("directory.organization.updated", "test-flaky")
async def flaky(ctx, event: OutboxEvent) -> None:
    key = str(event.id)
    if FLAKY_FAILURES.get(key, 0) < 1:
        FLAKY_FAILURES[key] = FLAKY_FAILURES.get(key, 0) + 1
        raise RuntimeError("receiver down")


async def run_worker(settings) -> None:
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.05, cron_jobs=[]))
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def test_event_is_dispatched_by_worker_and_retried(client, world, admin, settings, sessionmaker):
    status, body = await admin.post("/api/directory/organizations", {"name": "Evented"})
    assert status == 201
    org_id = body["id"]
    assert (await admin.put("/api/directory/organizations", {"id": org_id, "name": "Evented 2"}))[0] == 200
    async with sessionmaker() as session:
        events = list(
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.payload["id"].astext == org_id)
                    .order_by(OutboxEvent.created_at)
                )
            ).scalars()
        )
    assert [e.name for e in events] == ["directory.organization.created", "directory.organization.updated"]
    assert all(e.status == "pending" for e in events)

    await run_worker(settings)

    assert sorted(SEEN[str(world.tenant_id)]) == [
        "directory.organization.created",
        "directory.organization.updated",
    ]
    async with sessionmaker() as session:
        rows = {
            e.name: e
            for e in (
                await session.execute(select(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events])))
            ).scalars()
        }
        updated = rows["directory.organization.updated"]
        assert rows["directory.organization.created"].status == "dispatched"
        assert updated.status == "dispatched" and updated.attempts == 2
        assert "receiver down" in updated.last_error
        deliveries = (
            await session.execute(
                select(EventDelivery.subscriber).where(EventDelivery.event_id == updated.id)
            )
        ).scalars()
        # The recorder ran once even though the event was attempted twice (idempotent redelivery).
        # (Modules' own subscribers, such as the search index, deliver too: only the test's are checked.)
        assert sorted(d for d in deliveries if d.startswith("test-")) == ["test-flaky", "test-recorder"]


async def stored_event(sessionmaker, name: str, label: str, **columns) -> uuid.UUID:
    """An outbox row written directly (as a crash or exhausted retries would leave it)."""
    event_id = uuid.uuid4()
    async with sessionmaker() as session:
        session.add(
            OutboxEvent(
                id=event_id,
                name=name,
                payload={"id": str(uuid.uuid4()), "tenantId": f"{label}-{event_id}"},
                **columns,
            )
        )
        await session.commit()
    return event_id


async def with_queue(settings, job):
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
    )
    try:
        return await job(pool)
    finally:
        await pool.aclose()


async def test_failed_events_can_be_requeued(world, settings, sessionmaker):
    """An event that exhausted its attempts is never lost: ``crmgraph retry-events`` replays it."""
    event_id = await stored_event(
        sessionmaker,
        "directory.organization.deleted",
        "retry",
        status="failed",
        attempts=3,
        last_error="down",
    )
    assert await with_queue(settings, lambda pool: requeue_undelivered(sessionmaker, pool)) >= 1
    await run_worker(settings)
    assert SEEN[f"retry-{event_id}"] == ["directory.organization.deleted"]
    async with sessionmaker() as session:
        event = await session.get(OutboxEvent, event_id)
        assert event.status == "dispatched" and event.attempts == 1


async def test_sweeper_redelivers_events_that_missed_the_queue(world, settings, sessionmaker):
    """A crash between COMMIT and enqueue leaves a pending row; the sweeper enqueues it again."""
    event_id = await stored_event(
        sessionmaker,
        "directory.organization.created",
        "sweep",
        created_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    swept = await with_queue(
        settings, lambda pool: sweep_outbox({"sessionmaker": sessionmaker, "redis": pool})
    )
    assert swept >= 1
    await run_worker(replace(settings))
    assert SEEN[f"sweep-{event_id}"] == ["directory.organization.created"]
    async with sessionmaker() as session:
        assert (await session.get(OutboxEvent, event_id)).status == "dispatched"


async def test_a_burst_of_commits_wakes_the_dispatcher_once_per_window(settings):
    """Commands wake the dispatcher after their commit: 50 wakes within a moment queue one job per
    window (deferred to the window's end, its id naming the queue), and the next window gets its own."""
    queue = f"{settings.queue_name}:wake:{uuid.uuid4().hex[:8]}"
    mine = replace(settings, queue_name=queue)

    async def wakes(pool):
        ctx = SimpleNamespace(enqueue=pool.enqueue_job, settings=mine)
        for _ in range(50):
            await wake_dispatcher(ctx)
        first = await pool.queued_jobs()
        await asyncio.sleep(DISPATCH_WINDOW * 2)
        await wake_dispatcher(ctx)
        jobs = await pool.queued_jobs()
        for job in jobs:
            await pool.delete(f"arq:job:{job.job_id}")
        await pool.delete(queue)
        return first, jobs

    first, jobs = await with_queue(mine, wakes)
    assert 1 <= len(first) <= 2  # 50 wakes may straddle a window boundary
    assert all(job.job_id.startswith(f"dispatch:{queue}:") for job in jobs)
    assert len(jobs) == len(first) + 1
    for job in jobs:  # each runs when its window has ended
        window = int(job.job_id.rsplit(":", 1)[1])
        assert abs(job.score - (window + 1) * DISPATCH_WINDOW * 1000) <= 1


async def test_a_failed_wake_is_tried_again_by_the_next_commit(settings, monkeypatch):
    """A wake whose Redis call fails is not remembered: the next commit of the window queues the job;
    once queued, the window's later commits make no Redis call."""
    monkeypatch.setattr(events_module, "time", SimpleNamespace(time=lambda: 1_000_000.0))  # one window
    calls: list[str] = []
    failures = [ConnectionError("redis down")]

    async def enqueue(*args, **kwargs):
        calls.append(kwargs["_job_id"])
        if failures:
            raise failures.pop()

    ctx = SimpleNamespace(enqueue=enqueue, settings=settings)
    for _ in range(3):
        await wake_dispatcher(ctx)
    assert len(calls) == 2 and calls[0] == calls[1]
