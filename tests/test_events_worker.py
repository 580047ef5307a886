"""Outbox events are written with the command and dispatched by a real arq worker over Redis."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from arq import Worker, create_pool
from arq.connections import RedisSettings
from sqlalchemy import select

from models.events import EventDelivery, OutboxEvent
from resolvers.events import subscribe
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
