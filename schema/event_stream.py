"""The ``events`` subscription: the caller's tenant domain events as they commit, over WebSocket
(graphql-transport-ws on ``/graphql``), with the same filtering as ``GET /events/stream``."""

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from crmgraph.eventhub import Closed
from resolvers.event_stream.feed import open_feed
from resolvers.event_stream.stream import HEARTBEAT_SECONDS


@strawberry.type(description="A committed domain event the caller may see (``<module>.<entity>.<verb>``).")
class DomainEvent:
    id: uuid.UUID
    name: str
    payload: JSON
    organization_id: uuid.UUID | None
    created_at: datetime


async def events(
    info: Info,
    names: Annotated[
        list[str] | None,
        strawberry.argument(description="Only these event names (a trailing `*` matches a prefix)."),
    ] = None,
) -> AsyncGenerator[DomainEvent, None]:
    feed = await open_feed(info.context, names=names)
    try:
        while True:
            try:
                event = await feed.next(HEARTBEAT_SECONDS)
            except Closed:
                return
            if event is not None:
                yield DomainEvent(
                    id=event.id,
                    name=event.name,
                    payload=event.payload,
                    organization_id=event.organization_id,
                    created_at=event.created_at,
                )
    finally:
        await feed.close()


def subscriptions() -> dict[str, Any]:
    return {
        "events": strawberry.subscription(
            resolver=events,
            description="Domain events of the caller's tenant as they commit, only kinds of record it may view.",
        )
    }
