"""``GET /events/stream``: the caller's tenant domain events as server-sent events.

Each event is ``id: <event id>``, ``event: <name>`` and ``data: {id, name, payload, tenantId,
organizationId, createdAt}``; a ``: heartbeat`` comment every 15 seconds keeps proxies from closing
an idle stream. A client that reconnects with ``Last-Event-ID`` first gets what it missed (from the
outbox, at most 500 events), then the live ones. A stream lasts at most an hour (EventSource
reconnects and resumes), so a credential that expired is noticed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema

from crmgraph.context import RequestContext
from crmgraph.eventhub import Closed, HubEvent
from crmgraph.timefmt import format_datetime
from resolvers.event_stream.feed import Feed, open_feed
from resolvers.operations import Rest, ServerSentEvent, operation

MODULE = "event_stream"
HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 3600.0
RETRY_MS = 3000  # the client's reconnection delay


def event_body(event: HubEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "name": event.name,
        "payload": event.payload,
        "tenantId": str(event.tenant_id) if event.tenant_id else None,
        "organizationId": str(event.organization_id) if event.organization_id else None,
        "createdAt": format_datetime(event.created_at),
    }


class EventStream:
    """The stream's items: a greeting (the client now receives everything committed from here on),
    then events and heartbeats until the feed ends or the stream's time is up."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.greeted = False
        self.ends_at = asyncio.get_running_loop().time() + MAX_STREAM_SECONDS

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> ServerSentEvent:
        if not self.greeted:
            self.greeted = True
            return ServerSentEvent(comment="connected", retry=RETRY_MS)
        left = self.ends_at - asyncio.get_running_loop().time()
        if left <= 0:
            raise StopAsyncIteration
        try:
            event = await self.feed.next(min(HEARTBEAT_SECONDS, left))
        except Closed:
            raise StopAsyncIteration from None
        if event is None:
            return ServerSentEvent(comment="heartbeat")
        return ServerSentEvent(event=event.name, id=str(event.id), data=event_body(event))

    async def aclose(self) -> None:
        await self.feed.close()


class StreamInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # From the Last-Event-ID header (the REST adapter passes it); not a documented parameter.
    lastEventId: SkipJsonSchema[str | None] = None


@operation(
    "events_stream",
    MODULE,
    input=StreamInput,
    kind="query",
    graphql=False,  # GraphQL: the ``events`` subscription
    rest=Rest("GET", "/events/stream", stream=True),
)
async def events_stream(ctx: RequestContext, data: StreamInput) -> EventStream:
    """Server-sent events of the caller's tenant as they commit: only kinds of record the caller
    may view (by the entity's view features; other kinds only for administrators), in its
    organizations. Resumes after ``Last-Event-ID``."""
    return EventStream(await open_feed(ctx, after=data.lastEventId))
