"""Item 8: deployments sharing one Redis never work each other's queue, and stale pending events
are queued again whatever Redis remembers about earlier jobs."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import update
from sqlalchemy.engine import make_url

from crmgraph.config import Settings
from models.events import OutboxEvent
from tests.test_events_worker import stored_event
from workers.events import enqueue_dispatch, requeue_undelivered, sweep_outbox
from workers.queue import ForeignQueue
from workers.runner import run_worker

STALE = {"created_at": datetime.now(UTC) - timedelta(minutes=5)}


def _other_deployment(settings: Settings, **changes) -> Settings:
    url = make_url(settings.database_url).set(database=f"{make_url(settings.database_url).database}_other")
    return replace(settings, database_url=url.render_as_string(hide_password=False), **changes)


async def _pool(settings: Settings):
    return await create_pool(
        RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
    )


async def _event(sessionmaker, event_id):
    async with sessionmaker() as session:
        return await session.get(OutboxEvent, event_id)


async def _burst(settings: Settings) -> None:
    await run_worker(settings, burst=True, poll_delay=0.05, cron_jobs=[])


def test_default_queue_is_named_after_the_database(settings):
    mine = Settings(database_url=settings.database_url, queue_name="")
    other = Settings(database_url=_other_deployment(settings).database_url, queue_name="")
    assert mine.queue_name != other.queue_name and mine.queue_name != "crmgraph:queue"
    assert mine.deployment_id in mine.queue_name


async def test_another_deployment_refuses_this_ones_queue(settings, sessionmaker):
    shared = f"{settings.queue_name}:shared"
    mine, theirs = replace(settings, queue_name=shared), _other_deployment(settings, queue_name=shared)
    await _burst(mine)  # registers the queue to this deployment
    event_id = await stored_event(sessionmaker, "security.queue.created", "shared")
    pool = await _pool(mine)
    try:
        await enqueue_dispatch(pool, [event_id], "test")
        with pytest.raises(ForeignQueue):
            await _burst(theirs)
        assert await pool.zcard(shared) == 1  # the job is still there, untouched
    finally:
        await pool.aclose()
    await _burst(mine)
    assert (await _event(sessionmaker, event_id)).status == "dispatched"


async def test_sweep_requeues_stale_pending_events_whatever_the_result_keys(settings, sessionmaker):
    event_id = await stored_event(sessionmaker, "security.sweep.created", "sweep", **STALE)
    pool = await _pool(settings)
    try:
        assert await sweep_outbox({"sessionmaker": sessionmaker, "redis": pool}) >= 1
        await _burst(settings)
        assert (await _event(sessionmaker, event_id)).status == "dispatched"
        # As if a job had been swallowed: its result key exists, the row is pending again.
        async with sessionmaker() as session:
            await session.execute(
                update(OutboxEvent).where(OutboxEvent.id == event_id).values(status="pending")
            )
            await session.commit()
        await asyncio.sleep(1.1)  # the next sweep
        assert await sweep_outbox({"sessionmaker": sessionmaker, "redis": pool}) >= 1
    finally:
        await pool.aclose()
    await _burst(settings)
    event = await _event(sessionmaker, event_id)
    assert (event.status, event.attempts) == ("dispatched", 2)


async def test_retry_events_covers_failed_and_stale_pending(settings, sessionmaker):
    failed = await stored_event(sessionmaker, "security.retry.created", "failed", status="failed", attempts=3)
    pending = await stored_event(sessionmaker, "security.retry.created", "pending", **STALE)
    fresh = await stored_event(sessionmaker, "security.retry.created", "fresh")
    pool = await _pool(settings)
    try:
        assert await requeue_undelivered(sessionmaker, pool) >= 2
    finally:
        await pool.aclose()
    await _burst(settings)
    for event_id in (failed, pending):
        assert (await _event(sessionmaker, event_id)).status == "dispatched"
    # Not stale, so not re-queued (its own job would deliver it); a batch takes every due event,
    # so the same run delivers it, once.
    fresh_event = await _event(sessionmaker, fresh)
    assert (fresh_event.status, fresh_event.attempts) == ("dispatched", 1)
