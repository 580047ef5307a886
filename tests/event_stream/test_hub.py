"""The process's event hub over a real PostgreSQL: transactional delivery in commit order, a slow
subscriber dropped instead of growing memory, a lost listener connection re-established without
losing what committed meanwhile, and subscriptions ended at shutdown."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from crmgraph.eventhub import Closed, EventHub, HubEvent, listener_dsn
from models.events import OutboxEvent

WAIT = 10.0


@pytest.fixture
async def hub(settings: Any) -> AsyncIterator[EventHub]:
    hub = EventHub(listener_dsn(settings.database_url), limit=3, name=f"hub-test-{uuid.uuid4().hex[:8]}")
    yield hub
    await hub.close()


async def store(
    sessionmaker: Any, tenant: uuid.UUID, name: str = "customers.person.created", *, commit: bool = True
) -> uuid.UUID:
    ident = uuid.uuid4()
    async with sessionmaker() as session:
        session.add(OutboxEvent(id=ident, name=name, payload={"id": str(ident)}, tenant_id=tenant))
        await session.flush()
        if commit:
            await session.commit()
        else:
            await session.rollback()
    return ident


async def next_event(subscription: Any) -> HubEvent:
    """The next event; an authentication change (a reconnect counts as one) is acknowledged."""
    async with asyncio.timeout(WAIT):
        while True:
            event = await subscription.next(WAIT)
            if subscription.auth_changed:
                subscription.auth_checked()
            if event is not None:
                return event


async def test_only_committed_events_arrive_in_commit_order(hub: EventHub, sessionmaker: Any) -> None:
    tenant, other = uuid.uuid4(), uuid.uuid4()
    async with hub.subscription(tenant) as subscription:
        await store(sessionmaker, tenant, commit=False)  # rolled back: never announced
        await store(sessionmaker, other)  # another tenant's: not for this subscriber
        first, second = await store(sessionmaker, tenant), await store(sessionmaker, tenant)
        assert (await next_event(subscription)).id == first
        assert (await next_event(subscription)).id == second


async def test_a_slow_subscriber_is_dropped(hub: EventHub, sessionmaker: Any) -> None:
    tenant = uuid.uuid4()
    slow = await hub.subscribe(tenant)
    fast = await hub.subscribe(tenant)
    stored = []
    for _ in range(5):  # the fast one reads each event as it comes...
        stored.append(await store(sessionmaker, tenant))
        assert (await next_event(fast)).id == stored[-1]
    assert slow.closed == "too slow" and len(slow.buffer) == 3  # ...the one that never reads is cut off
    assert hub.subscriber_count == 1
    drained = [await slow.next(0) for _ in range(3)]
    assert [event.id for event in drained] == stored[:3]
    with pytest.raises(Closed):
        await slow.next(0)


async def test_the_listener_reconnects_and_catches_up(hub: EventHub, sessionmaker: Any) -> None:
    tenant = uuid.uuid4()
    async with hub.subscription(tenant) as subscription:
        async with sessionmaker() as session:
            await session.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": hub.name},
            )
            await session.commit()
        async with asyncio.timeout(WAIT):
            while hub._connected.is_set():  # the hub noticed the lost connection
                await asyncio.sleep(0.01)
        missed = await store(sessionmaker, tenant)  # committed while nobody listened
        assert (await next_event(subscription)).id == missed
        live = await store(sessionmaker, tenant)
        assert (await next_event(subscription)).id == live


async def test_closing_the_hub_ends_its_subscriptions(hub: EventHub) -> None:
    subscription = await hub.subscribe(uuid.uuid4())
    await hub.close()
    with pytest.raises(Closed):
        await subscription.next(WAIT)
    assert subscription.closed == "shutdown"
