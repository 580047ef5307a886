"""Dispatch outbox events to persistent subscribers: idempotent, retried with backoff, never lost."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import Retry
from sqlalchemy import func, select, update

from models.events import EventDelivery, OutboxEvent
from resolvers.events import subscribers_for

log = logging.getLogger("crmgraph.worker")

MAX_ATTEMPTS = 3
BASE_DELAY = 1.0  # seconds; doubles per attempt (1 s, 2 s, 4 s ...)
STALE_AFTER = timedelta(seconds=30)


async def dispatch_event(ctx: dict[str, Any], event_id: str) -> str:
    """Run every subscriber of one event once. Failures retry; after MAX_ATTEMPTS the row is 'failed'."""
    sessionmaker = ctx["sessionmaker"]
    async with sessionmaker() as session:
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.id == uuid.UUID(event_id)).with_for_update(skip_locked=True)
        )
        if event is None or event.status == "dispatched":
            return "skipped"
        done = set(
            (
                await session.execute(
                    select(EventDelivery.subscriber).where(EventDelivery.event_id == event.id)
                )
            ).scalars()
        )
        event.attempts += 1
        try:
            for sub in subscribers_for(event.name):
                if sub.name in done:
                    continue
                await sub.handler(ctx, event)
                session.add(EventDelivery(id=uuid.uuid4(), event_id=event.id, subscriber=sub.name))
                await session.flush()
        except Exception as exc:  # a subscriber failed: keep progress, retry later
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            exhausted = event.attempts >= MAX_ATTEMPTS
            event.status = "failed" if exhausted else "pending"
            await session.commit()
            log.warning("event %s attempt %s failed: %s", event_id, event.attempts, exc)
            if exhausted:
                return "failed"
            raise Retry(defer=BASE_DELAY * 2 ** (event.attempts - 1)) from exc
        event.status = "dispatched"
        event.dispatched_at = func.now()
        await session.commit()
    return "dispatched"


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Re-enqueue pending events older than STALE_AFTER (a crash between COMMIT and enqueue)."""
    sessionmaker = ctx["sessionmaker"]
    cutoff = datetime.now(UTC) - STALE_AFTER
    async with sessionmaker() as session:
        ids = list(
            (
                await session.execute(
                    select(OutboxEvent.id)
                    .where(OutboxEvent.status == "pending", OutboxEvent.created_at < cutoff)
                    .order_by(OutboxEvent.created_at)  # oldest first: a backlog drains in order
                    .limit(500)
                )
            ).scalars()
        )
    # A fresh job id per sweep: an old job's result key (kept an hour) never blocks the re-queue.
    return await enqueue_dispatch(ctx["redis"], ids, f"sweep:{int(datetime.now(UTC).timestamp())}")


async def requeue_undelivered(sessionmaker: Any, redis: Any) -> int:
    """``crmgraph retry-events``: give failed events a fresh start (after the receiver is fixed) and
    queue stale pending ones again (they missed the queue or another worker swallowed the job)."""
    cutoff = datetime.now(UTC) - STALE_AFTER
    async with sessionmaker() as session:
        ids = list(
            (
                await session.execute(
                    update(OutboxEvent)
                    .where(
                        (OutboxEvent.status == "failed")
                        | ((OutboxEvent.status == "pending") & (OutboxEvent.created_at < cutoff))
                    )
                    .values(status="pending", attempts=0)
                    .returning(OutboxEvent.id)
                )
            ).scalars()
        )
        await session.commit()
    return await enqueue_dispatch(redis, ids, f"retry:{uuid.uuid4()}")


async def enqueue_dispatch(redis: Any, event_ids: list[uuid.UUID], reason: str) -> int:
    """Queue a dispatch per event; the job id names why, so it never collides with the original."""
    for event_id in event_ids:
        await redis.enqueue_job("dispatch_event", str(event_id), _job_id=f"event:{event_id}:{reason}")
    return len(event_ids)
