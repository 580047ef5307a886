"""Dispatch outbox events to persistent subscribers in batches: idempotent, retried with backoff,
never lost.

A ``dispatch_event`` job claims up to ``BATCH_SIZE`` due pending events (oldest first, ``FOR UPDATE
SKIP LOCKED``, so concurrent jobs take disjoint batches) and runs each event's subscribers; those
writing through the batch transaction (``transactional``: ``ctx["session"]``) each in a savepoint of
their own. A failing subscriber rolls back only its own work and only its event waits for a retry
(backoff per event, ``failed`` after ``MAX_ATTEMPTS``), while the others are marked dispatched. One
commit per batch. ``EventDelivery`` rows record each subscriber's success, so a retried event never
runs a subscriber twice. Subscribers may queue work for after the commit (``ctx["after_commit"]``:
coroutine functions). Every committed event queues a job (named after it); jobs coalesce into at most
``MAX_BATCHES`` batch loops per worker process, which go round while batches come back full or new
jobs arrived. The stale-event sweep queues what missed the queue.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update

from models.events import EventDelivery, OutboxEvent
from resolvers.events import subscribers_for
from workers.batches import BatchLoops

log = logging.getLogger("crmgraph.worker")

MAX_ATTEMPTS = 3
BASE_DELAY = 1.0  # seconds; doubles per attempt (1 s, 2 s, 4 s ...), with jitter
BATCH_SIZE = 200
MAX_BATCHES = 2  # batch loops per worker process (each holds a connection, subscribers may take one more)
MAX_LOOP_SECONDS = 20.0
STATE_KEY = "outbox.dispatch"
STALE_AFTER = timedelta(seconds=30)

AfterCommit = Callable[[], Awaitable[None]]
# Work a subscriber defers to the end of the batch, in its transaction (one statement for many events,
# say); may return what to do once the batch has committed.
BeforeCommit = Callable[[Any], Awaitable[AfterCommit | None]]


def _due() -> Any:
    return (OutboxEvent.status == "pending") & or_(
        OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= datetime.now(UTC)
    )


def batch_loops() -> BatchLoops:
    return BatchLoops("dispatch_event", loops=MAX_BATCHES, max_seconds=MAX_LOOP_SECONDS)


async def dispatch_event(ctx: dict[str, Any], event_id: str | None = None) -> str:
    """Dispatch due events in batches (``event_id`` names the event that queued the job; a batch takes
    whatever is due, it included); jobs coalesce into ``MAX_BATCHES`` loops per worker process
    (``workers.batches``)."""

    async def batch() -> tuple[Sequence[int], bool]:
        *counts, full = await dispatch_batch(ctx)
        return counts, full

    totals = await ctx.setdefault(STATE_KEY, batch_loops()).run(ctx, batch)
    if totals is None:
        return "coalesced"
    dispatched, retried, failed = totals
    if not (dispatched or retried or failed):
        return "skipped"
    return f"dispatched {dispatched}, retrying {retried}, failed {failed}"


async def dispatch_batch(ctx: dict[str, Any], size: int = BATCH_SIZE) -> tuple[int, int, int, bool]:
    """``(dispatched, retrying, failed, batch was full)`` of one batch."""
    retries: list[tuple[uuid.UUID, float]] = []
    after: list[AfterCommit] = []
    ran: list[dict[str, Any]] = []  # EventDelivery rows, written in one statement
    dispatched: list[uuid.UUID] = []
    failed = 0
    async with ctx["sessionmaker"]() as session:
        events = list(
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(_due())
                    .order_by(OutboxEvent.created_at)
                    .limit(size)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        if not events:
            return 0, 0, 0, False
        delivered = await session.execute(
            select(EventDelivery.event_id, EventDelivery.subscriber).where(
                EventDelivery.event_id.in_([e.id for e in events])
            )
        )
        done = {(row[0], row[1]) for row in delivered}
        batch = Batch(ctx, session, done, ran, after)
        by_id = {event.id: event for event in events}

        def attempt_failed(event: OutboxEvent, error: str) -> None:
            nonlocal failed
            event.attempts += 1
            event.last_error = error[:2000]
            if event.attempts >= MAX_ATTEMPTS:
                event.status, event.next_attempt_at = "failed", None
                failed += 1
            else:
                delay = BASE_DELAY * 2 ** (event.attempts - 1) * random.uniform(1.0, 1.25)
                event.next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
                retries.append((event.id, delay))
            log.warning("event %s attempt %s failed: %s", event.id, event.attempts, error)

        for event in events:
            error = await batch.run(event)
            if error is None:
                dispatched.append(event.id)
            else:
                attempt_failed(event, error)
        # Work deferred to the batch's end, each in a savepoint: a failure takes back its
        # subscriber's success on every event of the batch, and only those events are retried.
        for finish, owner in zip(batch.before, batch.owners, strict=True):
            try:
                async with session.begin_nested():
                    then = await finish(session)
            except Exception as exc:
                error = f"{owner}: {type(exc).__name__}: {exc}"
                hit = {row["event_id"] for row in ran if row["subscriber"] == owner}
                ran[:] = [row for row in ran if row["subscriber"] != owner]
                for event_id in [e for e in dispatched if e in hit]:
                    dispatched.remove(event_id)
                    attempt_failed(by_id[event_id], error)
                continue
            if then is not None:
                after.append(then)
        if ran:
            await session.execute(insert(EventDelivery), ran)
        if dispatched:
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(dispatched))
                .values(
                    status="dispatched",
                    dispatched_at=func.now(),
                    attempts=OutboxEvent.attempts + 1,
                    next_attempt_at=None,
                )
                .execution_options(synchronize_session=False)
            )
        await session.commit()
    for callback in after:
        try:
            await callback()
        except Exception as exc:  # the sweeps pick up what missed the queue
            log.warning("after-commit work of a dispatch batch failed: %s", exc)
    redis = ctx.get("redis")
    for event_id, delay in retries:
        if redis is not None:
            await redis.enqueue_job(
                "dispatch_event",
                str(event_id),
                _job_id=f"event:{event_id}:retry:{uuid.uuid4()}",
                _defer_by=delay,
            )
    return len(dispatched), len(retries), failed, len(events) == size


class Batch:
    """Runs the subscribers of a batch's events. A transactional subscriber gets the batch's session
    (``ctx["session"]``) inside a savepoint of its own; the others do their work elsewhere (their own
    sessions), so they need none. Every subscriber may queue work for after the commit
    (``ctx["after_commit"]``) or defer writes to the end of the batch (``ctx["before_commit"]``, once
    per batch: the context lives as long as the batch)."""

    def __init__(
        self,
        ctx: dict[str, Any],
        session: Any,
        done: set[tuple[uuid.UUID, str]],
        ran: list[dict[str, Any]],
        after: list[AfterCommit],
    ) -> None:
        self.before: list[BeforeCommit] = []
        self.owners: list[str] = []  # the subscriber that deferred each of ``before``
        self.plain: dict[str, Any] = {**ctx, "before_commit": self.before}
        self.transactional: dict[str, Any] = {**self.plain, "session": session}
        self.session, self.done, self.ran, self.after = session, done, ran, after

    async def run(self, event: OutboxEvent) -> str | None:
        """Run the event's pending subscribers (one failing does not hold the others back); the first
        error (as text) or None. Each success is recorded, so a retry never runs it again."""
        error = None
        for sub in subscribers_for(event.name):
            if (event.id, sub.name) in self.done:
                continue
            own: list[AfterCommit] = []
            ctx = self.transactional if sub.transactional else self.plain
            ctx["after_commit"] = own
            try:
                if sub.transactional:
                    async with self.session.begin_nested():
                        await sub.handler(ctx, event)
                else:
                    await sub.handler(ctx, event)
            except Exception as exc:  # only this subscriber's work is rolled back
                error = error or f"{sub.name}: {type(exc).__name__}: {exc}"
                continue
            finally:
                self.owners += [sub.name] * (len(self.before) - len(self.owners))
            self.done.add((event.id, sub.name))
            self.ran.append({"id": uuid.uuid4(), "event_id": event.id, "subscriber": sub.name})
            self.after.extend(own)
        return error


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Queue batches for due pending events older than STALE_AFTER (a crash between COMMIT and
    enqueue, or a retry whose job was lost)."""
    cutoff = datetime.now(UTC) - STALE_AFTER
    async with ctx["sessionmaker"]() as session:
        ids = list(
            (
                await session.execute(
                    select(OutboxEvent.id)
                    .where(_due(), OutboxEvent.created_at < cutoff)
                    .order_by(OutboxEvent.created_at)  # oldest first: a backlog drains in order
                    .limit(BATCH_SIZE * 10)
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
                    .values(status="pending", attempts=0, next_attempt_at=None)
                    .returning(OutboxEvent.id)
                )
            ).scalars()
        )
        await session.commit()
    return await enqueue_dispatch(redis, ids, f"retry:{uuid.uuid4()}")


async def enqueue_dispatch(redis: Any, event_ids: list[uuid.UUID], reason: str) -> int:
    """Queue one batch job per ``BATCH_SIZE`` events; the job id names why, so it never collides
    with the original. Returns how many events the jobs cover."""
    for start in range(0, len(event_ids), BATCH_SIZE):
        first = event_ids[start]
        await redis.enqueue_job("dispatch_event", str(first), _job_id=f"event:{first}:{reason}")
    return len(event_ids)
