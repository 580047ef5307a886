"""One caller's live feed: the hub's events of its tenant that it may see, after an optional
backlog read from the outbox (resumption after the last event the client saw).

Used by the server-sent event stream and the GraphQL subscriptions alike. Reading it costs no
database work per event: the hub loaded the event once for every subscriber; the caller is only
re-checked (one query) when authentication state changed somewhere.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from crmgraph.eventhub import Closed, HubEvent, Subscription, hub_for
from models.events import OutboxEvent
from resolvers.event_stream.audience import Audience, audience_of, refreshed
from resolvers.scope import parse_uuid
from resolvers.validation import NUL

RESUME_LIMIT = 500  # events replayed after Last-Event-ID at most
MAX_NAMES = 50


def check_names(names: Sequence[str] | None) -> list[str] | None:
    """Event-name patterns (exact, or ending with ``*`` for a prefix), bounded."""
    if names is None:
        return None
    if len(names) > MAX_NAMES:
        raise ValidationFailed([issue("names", f"At most {MAX_NAMES} names", "too_big")])
    for i, name in enumerate(names):
        if not name or len(name) > 200 or NUL in name:
            raise ValidationFailed(
                [issue(["names", i], "An event name of 1 to 200 characters", "invalid_string")]
            )
    return list(names)


def matches(patterns: list[str] | None, name: str) -> bool:
    if patterns is None:
        return True
    return any(p == name or (p.endswith("*") and name.startswith(p[:-1])) for p in patterns)


class Feed:
    """Events for one caller (see the module docstring); :meth:`close` ends the subscription."""

    def __init__(
        self,
        ctx: RequestContext,
        audience: Audience,
        subscription: Subscription,
        backlog: list[HubEvent],
        names: list[str] | None,
    ) -> None:
        self.ctx = ctx
        self.audience = audience
        self.subscription = subscription
        self.backlog = deque(backlog)
        self.replayed = {event.id for event in backlog}
        self.names = names

    async def next(self, timeout: float) -> HubEvent | None:
        """The next visible event, or None when ``timeout`` seconds passed without one. Raises
        :class:`~crmgraph.eventhub.Closed` when the feed ended (caller signed out, hub shut down,
        client too slow)."""
        while self.backlog:
            event = self.backlog.popleft()
            if self._wanted(event):
                return event
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            event = await self.subscription.next(remaining)
            if self.subscription.auth_changed:
                await self._recheck()
            if event is not None and event.id not in self.replayed and self._wanted(event):
                return event

    def _wanted(self, event: HubEvent) -> bool:
        return matches(self.names, event.name) and self.audience.sees(event)

    async def _recheck(self) -> None:
        self.subscription.auth_checked()
        fresh = await refreshed(self.ctx)
        if fresh is None:
            self.subscription.close("signed out")
            raise Closed("signed out")
        self.ctx, self.audience = fresh

    async def close(self) -> None:
        self.subscription.close("done")


async def open_feed(ctx: RequestContext, *, names: Sequence[str] | None = None, after: Any = None) -> Feed:
    """Subscribe the caller (features and scope checked now), then read what it missed since the
    event ``after`` (a Last-Event-ID; unknown or malformed ids replay nothing)."""
    patterns = check_names(names)
    audience = await audience_of(ctx)
    hub = hub_for(ctx.sessionmaker, ctx.settings.database_url)
    subscription = await hub.subscribe(audience.tenant_id)
    try:
        backlog = await _missed(ctx, audience, parse_uuid(after)) if after else []
    except BaseException:
        subscription.close("failed")
        raise
    return Feed(ctx, audience, subscription, backlog, patterns)


async def _missed(ctx: RequestContext, audience: Audience, after: uuid.UUID | None) -> list[HubEvent]:
    """The tenant's events stored after ``after`` (by creation time, then id), oldest first."""
    if after is None:
        return []
    tenant = OutboxEvent.tenant_id == audience.tenant_id
    anchor = select(OutboxEvent.created_at).where(OutboxEvent.id == after, tenant).scalar_subquery()
    later = or_(
        OutboxEvent.created_at > anchor, and_(OutboxEvent.created_at == anchor, OutboxEvent.id > after)
    )
    query = (
        select(OutboxEvent)
        .where(tenant, later)
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(RESUME_LIMIT)
    )
    async with ctx.read_session() as session:
        rows = (await session.execute(query)).scalars()
        return [
            HubEvent(row.id, row.name, row.payload or {}, row.tenant_id, row.organization_id, row.created_at)
            for row in rows
        ]
