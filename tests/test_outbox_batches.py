"""The batched outbox dispatcher: one transaction per batch, a savepoint per subscriber (a failure
rolls back only that subscriber's work and retries only its event, after a backoff), disjoint
concurrent batches (SKIP LOCKED), idempotent redelivery."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select, text, update

from models.events import EventDelivery, OutboxEvent
from resolvers.events import subscribe
from workers.events import dispatch_batch

SEEN: dict[str, list[str]] = {}
BAD: set[str] = set()
SIDE_EFFECT = "test.batch_side.effect"


@subscribe("test.batch.*", "test-batch-writer", transactional=True)
async def writer(ctx, event: OutboxEvent) -> None:
    """Writes through the batch's session, then fails for a 'bad' event (first time only)."""
    key = event.payload["key"]
    SEEN.setdefault(key, []).append(event.name)
    ctx["session"].add(
        OutboxEvent(id=uuid.uuid4(), name=SIDE_EFFECT, payload={"key": key}, status="dispatched")
    )
    if key in BAD:
        BAD.discard(key)
        raise RuntimeError("writer failed")


@pytest.fixture
async def quiet_outbox(sessionmaker):
    """Park the events earlier tests left pending in this database (a batch takes the oldest due
    events first, so a backlog would keep this test's events out of its batches); restored after."""
    async with sessionmaker() as session:
        parked = (
            (
                await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.status == "pending")
                    .values(next_attempt_at=func.now() + text("interval '1 day'"))
                    .returning(OutboxEvent.id)
                )
            )
            .scalars()
            .all()
        )
        await session.commit()
    yield
    async with sessionmaker() as session:
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(parked)).values(next_attempt_at=None)
        )
        await session.commit()


async def stored(sessionmaker, keys: list[str]) -> dict[str, uuid.UUID]:
    ids = {key: uuid.uuid4() for key in keys}
    async with sessionmaker() as session:
        for key, event_id in ids.items():
            session.add(OutboxEvent(id=event_id, name="test.batch.created", payload={"key": key}))
        await session.commit()
    return ids


async def side_effects(sessionmaker, key: str) -> int:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent.id).where(
                OutboxEvent.name == SIDE_EFFECT, OutboxEvent.payload["key"].astext == key
            )
        )
        return len(rows.all())


async def test_a_failing_subscriber_retries_only_its_event(world, sessionmaker, quiet_outbox):
    tag = uuid.uuid4().hex[:6]
    keys = [f"{tag}-{n}" for n in range(5)]
    ids = await stored(sessionmaker, keys)
    BAD.add(keys[2])
    ctx = {"sessionmaker": sessionmaker}
    await dispatch_batch(ctx)
    async with sessionmaker() as session:
        rows = {
            e.id: e
            for e in (
                await session.execute(select(OutboxEvent).where(OutboxEvent.id.in_(ids.values())))
            ).scalars()
        }
    bad = rows[ids[keys[2]]]
    assert bad.status == "pending" and bad.attempts == 1 and bad.next_attempt_at is not None
    assert "writer failed" in bad.last_error
    assert all(rows[ids[k]].status == "dispatched" for k in keys if k != keys[2])
    # The failed subscriber's own write was rolled back with its savepoint; the others' kept.
    assert await side_effects(sessionmaker, keys[2]) == 0
    assert await side_effects(sessionmaker, keys[0]) == 1

    await dispatch_batch(ctx)  # not due yet: waits for its backoff
    async with sessionmaker() as session:
        assert (await session.get(OutboxEvent, bad.id)).attempts == 1
    async with sessionmaker() as session:  # its backoff has passed (rather than waiting for it)
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id == bad.id).values(next_attempt_at=func.now())
        )
        await session.commit()
    await dispatch_batch(ctx)
    async with sessionmaker() as session:
        again = await session.get(OutboxEvent, bad.id)
        assert again.status == "dispatched" and again.attempts == 2
        done = (
            await session.execute(select(EventDelivery.subscriber).where(EventDelivery.event_id == bad.id))
        ).scalars()
        assert "test-batch-writer" in set(done)
    assert SEEN[keys[2]] == ["test.batch.created", "test.batch.created"]
    assert all(SEEN[k] == ["test.batch.created"] for k in keys if k != keys[2])  # never twice
    assert await side_effects(sessionmaker, keys[2]) == 1


async def test_concurrent_batches_are_disjoint(world, sessionmaker, quiet_outbox):
    tag = uuid.uuid4().hex[:6]
    keys = [f"{tag}-{n}" for n in range(30)]
    await stored(sessionmaker, keys)
    ctx = {"sessionmaker": sessionmaker}
    for _ in range(3):
        await asyncio.gather(*(dispatch_batch(ctx, size=7) for _ in range(4)))
    assert all(SEEN[k] == ["test.batch.created"] for k in keys)


DEFERRED_FAILS: set[str] = set()
DEFERRED_RUNS: list[list[str]] = []
DEFERRED_KEYS = "test.deferred.keys"


@subscribe("test.deferred.*", "test-deferred")
async def deferred(ctx, event: OutboxEvent) -> None:
    """Collects the batch's keys and does its work at the batch's end (``before_commit``), failing
    once when told to."""
    keys = ctx.get(DEFERRED_KEYS)
    if keys is None:
        keys = ctx[DEFERRED_KEYS] = []

        async def finish(session) -> None:
            DEFERRED_RUNS.append(list(keys))
            if DEFERRED_FAILS:
                DEFERRED_FAILS.clear()
                raise RuntimeError("deferred work failed")

        ctx["before_commit"].append(finish)
    keys.append(event.payload["key"])


@subscribe("test.deferred.*", "test-deferred-recorder")
async def deferred_recorder(ctx, event: OutboxEvent) -> None:
    SEEN.setdefault(event.payload["key"], []).append("recorded")


async def test_failing_deferred_work_retries_its_events_for_that_subscriber_only(
    world, sessionmaker, quiet_outbox
):
    tag = uuid.uuid4().hex[:6]
    keys = [f"{tag}-{n}" for n in range(3)]
    ids = {key: uuid.uuid4() for key in keys}
    async with sessionmaker() as session:
        for key, event_id in ids.items():
            session.add(OutboxEvent(id=event_id, name="test.deferred.created", payload={"key": key}))
        await session.commit()
    DEFERRED_FAILS.add("once")
    ctx = {"sessionmaker": sessionmaker}
    assert (await dispatch_batch(ctx))[:3] == (0, 3, 0)  # all retried: the batch still committed

    async with sessionmaker() as session:
        events = list(
            (await session.execute(select(OutboxEvent).where(OutboxEvent.id.in_(ids.values())))).scalars()
        )
        assert {(e.status, e.attempts) for e in events} == {("pending", 1)}
        assert all("test-deferred: RuntimeError: deferred work failed" in e.last_error for e in events)
        done = set(
            (
                await session.execute(
                    select(EventDelivery.subscriber).where(EventDelivery.event_id.in_(ids.values()))
                )
            ).scalars()
        )
        assert "test-deferred-recorder" in done and "test-deferred" not in done  # others' kept
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(ids.values())).values(next_attempt_at=func.now())
        )
        await session.commit()

    assert (await dispatch_batch(ctx))[:3] == (3, 0, 0)
    assert sorted(DEFERRED_RUNS[-1]) == sorted(keys)  # the deferred work ran again, for all three
    assert all(SEEN[k] == ["recorded"] for k in keys)  # the recorder never twice
