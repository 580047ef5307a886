"""Live domain events for this process: one PostgreSQL listener, fanned out to in-process subscribers.

Every ``outbox_events`` row announces its id on the channel ``crmgraph_events`` (a trigger, migration
0012). NOTIFY is transactional: it is delivered when the command commits, in commit order, and never
for a rolled-back one. One :class:`EventHub` per server process holds a dedicated asyncpg connection
that LISTENs (reconnecting with backoff), loads the announced rows in batches (one statement per
batch, whatever the number of subscribers) and pushes them to the subscribers of the event's tenant.

Subscribers (server-sent event streams, GraphQL subscriptions) read from a bounded buffer: one that
falls behind by more than ``limit`` events is closed rather than allowed to grow memory; its client
reconnects (and may resume from the outbox). Changes to authentication state (``auth_state``, channel
``crmgraph_auth``) wake every subscriber so it re-checks its caller before delivering more.

Nothing runs until the first subscriber: a process without live clients never connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
import weakref
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from crmgraph.errors import DomainError

log = logging.getLogger("crmgraph.eventhub")

EVENTS_CHANNEL = "crmgraph_events"
AUTH_CHANNEL = "crmgraph_auth"
BATCH = 500  # events loaded by one statement at most
CONNECT_TIMEOUT = 5.0  # seconds a new subscriber waits for the listener
MAX_BACKOFF = 30.0
CATCH_UP_MARGIN = timedelta(seconds=5)  # after a reconnect: events created this long before the gap
CATCH_UP_LIMIT = 5000
RECENT = 10_000  # ids remembered to skip duplicates after a catch-up
SUBSCRIBER_LIMIT = 1000  # buffered events per subscriber before it is dropped

COLUMNS = "id, name, payload::text AS payload, tenant_id, organization_id, created_at"
LOAD_SQL = f"SELECT {COLUMNS} FROM outbox_events WHERE id = ANY($1::uuid[])"
CATCH_UP_SQL = f"SELECT {COLUMNS} FROM outbox_events WHERE created_at >= $1 ORDER BY created_at, id LIMIT $2"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"

    def __init__(self, message: str = "Event stream unavailable") -> None:
        super().__init__(message)


class Closed(Exception):
    """The subscription ended: the hub shut down, or the subscriber fell too far behind."""


@dataclass(frozen=True)
class HubEvent:
    id: uuid.UUID
    name: str
    payload: dict[str, Any]
    tenant_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> HubEvent:
        return cls(
            row["id"],
            row["name"],
            json.loads(row["payload"] or "{}"),
            row["tenant_id"],
            row["organization_id"],
            row["created_at"],
        )


class Subscription:
    """One subscriber's bounded buffer of a tenant's events."""

    def __init__(self, hub: EventHub, tenant_id: uuid.UUID | None, limit: int) -> None:
        self.hub = hub
        self.tenant_id = tenant_id
        self.limit = limit
        self.buffer: deque[HubEvent] = deque()
        self.closed: str | None = None
        self.auth_epoch = hub.auth_epoch
        self._wake = asyncio.Event()

    def push(self, event: HubEvent) -> None:
        if self.closed:
            return
        if len(self.buffer) >= self.limit:
            self.close("too slow")  # never let one slow client grow the process's memory
            return
        self.buffer.append(event)
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = reason
            self.hub.unsubscribe(self)
        self._wake.set()

    @property
    def auth_changed(self) -> bool:
        """Whether authentication state changed since :meth:`auth_checked`."""
        return self.auth_epoch != self.hub.auth_epoch

    def auth_checked(self) -> None:
        self.auth_epoch = self.hub.auth_epoch

    async def next(self, timeout: float) -> HubEvent | None:
        """The next event; None after ``timeout`` seconds or when woken by an authentication change.
        Raises :class:`Closed` once the subscription ended and its buffer is drained."""
        if not self.buffer and not self.closed and not self.auth_changed:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
        if self.buffer:
            return self.buffer.popleft()
        if self.closed:
            raise Closed(self.closed)
        return None


_LOST = object()  # queued when the listening connection terminates


class EventHub:
    """The listener and fan-out of one process (see the module docstring)."""

    def __init__(self, dsn: str, limit: int = SUBSCRIBER_LIMIT, name: str = "crmgraph-eventhub") -> None:
        self.dsn = dsn
        self.limit = limit
        self.name = name  # the listening connection's application_name
        self.auth_epoch = 0
        self.loads = 0  # statements run to load announced events (one per batch)
        self._subscribers: dict[uuid.UUID | None, set[Subscription]] = {}
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Events created since then reached every subscriber (the newest delivered, or when the first
        # subscriber came): a reconnect catches up from here.
        self._watermark: datetime | None = None
        self._recent: deque[uuid.UUID] = deque(maxlen=RECENT)
        self._recent_ids: set[uuid.UUID] = set()

    # --- subscribers -------------------------------------------------------------------------
    async def subscribe(self, tenant_id: uuid.UUID | None) -> Subscription:
        """A subscription to ``tenant_id``'s events, once the listener is connected (else 503)."""
        if self._closing:
            raise Unavailable()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="crmgraph-eventhub")
        try:
            await asyncio.wait_for(self._connected.wait(), CONNECT_TIMEOUT)
        except TimeoutError:
            raise Unavailable() from None
        if not self._subscribers:  # nothing was loaded while no one listened: catch up from now on
            self._watermark = datetime.now(UTC)
        subscription = Subscription(self, tenant_id, self.limit)
        self._subscribers.setdefault(tenant_id, set()).add(subscription)
        return subscription

    @contextlib.asynccontextmanager
    async def subscription(self, tenant_id: uuid.UUID | None) -> AsyncIterator[Subscription]:
        subscription = await self.subscribe(tenant_id)
        try:
            yield subscription
        finally:
            subscription.close("done")

    def unsubscribe(self, subscription: Subscription) -> None:
        members = self._subscribers.get(subscription.tenant_id)
        if members is not None:
            members.discard(subscription)
            if not members:
                del self._subscribers[subscription.tenant_id]

    @property
    def subscriber_count(self) -> int:
        return sum(len(members) for members in self._subscribers.values())

    async def close(self) -> None:
        """Stop listening and end every subscription (server shutdown)."""
        self._closing = True
        for members in list(self._subscribers.values()):
            for subscription in list(members):
                subscription.close("shutdown")
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # --- listener ----------------------------------------------------------------------------
    async def _run(self) -> None:
        delay = 0.5
        while not self._closing:
            connection = None
            try:
                connection, queue = await self._listen()
                await self._catch_up(connection)
                self._connected.set()
                delay = 0.5
                await self._pump(connection, queue)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: keep trying, quietly
                log.warning("event listener disconnected (%s); reconnecting", type(exc).__name__)
            finally:
                self._connected.clear()
                if connection is not None:
                    connection.terminate()
            if not self._closing:
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)

    async def _listen(self) -> tuple[asyncpg.Connection, asyncio.Queue[Any]]:
        """A dedicated connection LISTENing on both channels; announced ids (and the loss of the
        connection) arrive on the queue."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        connection = await asyncpg.connect(
            self.dsn, server_settings={"application_name": self.name, "timezone": "UTC"}
        )
        try:
            connection.add_termination_listener(lambda _conn: queue.put_nowait(_LOST))
            await connection.add_listener(EVENTS_CHANNEL, lambda *args: queue.put_nowait(args[3]))
            await connection.add_listener(AUTH_CHANNEL, lambda *_args: self._auth_changed())
        except BaseException:
            connection.terminate()
            raise
        return connection, queue

    async def _catch_up(self, connection: asyncpg.Connection) -> None:
        """On (re)connect: authentication may have changed meanwhile, and events committed while no
        one listened are delivered now (those created shortly before the gap, minus ones already seen)."""
        if self._watermark is None:
            self._watermark = datetime.now(UTC)
            return
        self._auth_changed()
        if not self._subscribers:
            return
        rows = await connection.fetch(CATCH_UP_SQL, self._watermark - CATCH_UP_MARGIN, CATCH_UP_LIMIT)
        self.loads += 1
        self._dispatch([HubEvent.from_row(row) for row in rows])

    async def _pump(self, connection: asyncpg.Connection, queue: asyncio.Queue[Any]) -> None:
        """Load announced events in batches until the connection is lost."""
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < BATCH:
                batch.append(queue.get_nowait())
            if _LOST in batch:
                raise ConnectionError("listener connection lost")
            ids = [ident for ident in map(_uuid, batch) if ident is not None]
            if not ids or not self._subscribers:
                continue
            rows = await connection.fetch(LOAD_SQL, ids)
            self.loads += 1
            by_id = {row["id"]: HubEvent.from_row(row) for row in rows}
            self._dispatch([by_id[ident] for ident in ids if ident in by_id])

    def _dispatch(self, events: list[HubEvent]) -> None:
        for event in events:
            if event.id in self._recent_ids:
                continue
            if len(self._recent) == self._recent.maxlen:
                self._recent_ids.discard(self._recent[0])
            self._recent.append(event.id)
            self._recent_ids.add(event.id)
            if self._watermark is None or event.created_at > self._watermark:
                self._watermark = event.created_at
            for subscription in list(self._subscribers.get(event.tenant_id, ())):
                subscription.push(event)

    def _auth_changed(self) -> None:
        self.auth_epoch += 1
        for members in self._subscribers.values():
            for subscription in members:
                subscription.wake()


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def listener_dsn(database_url: str) -> str:
    """The asyncpg DSN of a SQLAlchemy URL (``postgresql+asyncpg://`` -> ``postgresql://``)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


_hubs: weakref.WeakKeyDictionary[Any, EventHub] = weakref.WeakKeyDictionary()


def hub_for(sessionmaker: Any, database_url: str) -> EventHub:
    """The hub of the process serving with ``sessionmaker`` (one per app)."""
    hub = _hubs.get(sessionmaker)
    if hub is None:
        hub = _hubs[sessionmaker] = EventHub(listener_dsn(database_url))
    return hub


async def close_hub(sessionmaker: Any) -> None:
    hub = _hubs.pop(sessionmaker, None) if sessionmaker is not None else None
    if hub is not None:
        await hub.close()
