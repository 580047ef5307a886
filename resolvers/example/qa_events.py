"""QA capture: every domain event of the example module (``example.*``) is copied, once, by a
persistent outbox subscriber into ``example_qa_events``; ``GET /example/qa-events`` shows the
caller's tenant's latest ones (in its organization scope), ``DELETE`` clears them."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert

from crmgraph.context import OrgScope, RequestContext
from crmgraph.timefmt import format_datetime
from models.events import OutboxEvent
from models.example import ExampleQaEvent
from resolvers.events import record_command, subscribe
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope

OWN_EVENTS = "example.qa_event."  # clearing the capture is not captured
KEPT_PER_TENANT = 500
SHOWN = 100


@subscribe("example.*", "example.qa-capture")
async def capture(ctx: dict[str, Any], event: OutboxEvent) -> None:
    """Keep a copy of an example event for QA (idempotent per outbox event; the latest
    ``KEPT_PER_TENANT`` per tenant are kept)."""
    if event.name.startswith(OWN_EVENTS) or event.tenant_id is None:
        return
    async with ctx["sessionmaker"]() as session:
        await session.execute(
            insert(ExampleQaEvent)
            .values(
                id=uuid.uuid4(),
                source_event_id=event.id,
                tenant_id=event.tenant_id,
                organization_id=event.organization_id,
                event=event.name,
                payload=event.payload or {},
            )
            .on_conflict_do_nothing(index_elements=["source_event_id"])
        )
        newest = (
            select(ExampleQaEvent.id)
            .where(ExampleQaEvent.tenant_id == event.tenant_id)
            .order_by(ExampleQaEvent.captured_at.desc(), ExampleQaEvent.id.desc())
            .limit(KEPT_PER_TENANT)
        )
        await session.execute(
            delete(ExampleQaEvent).where(
                ExampleQaEvent.tenant_id == event.tenant_id, ExampleQaEvent.id.not_in(newest)
            )
        )
        await session.commit()


def _visible(scope: OrgScope) -> list[Any]:
    """The caller's tenant's captures: tenant-wide ones and those of organizations in scope."""
    conditions = [ExampleQaEvent.tenant_id == scope.tenant_id]
    if scope.org_ids is not None:
        conditions.append(
            or_(ExampleQaEvent.organization_id.is_(None), ExampleQaEvent.organization_id.in_(scope.org_ids))
        )
    return conditions


class QaEvent(BaseModel):
    model_config = ConfigDict(title="ExampleQaEvent")
    event: str
    payload: dict[str, Any]
    capturedAt: str


class QaEventList(BaseModel):
    model_config = ConfigDict(title="ExampleQaEventList")
    items: list[QaEvent]


class QaEventsCleared(BaseModel):
    model_config = ConfigDict(title="ExampleQaEventsCleared")
    ok: bool
    deleted: int


@operation(
    "example_qa_events",
    "example",
    output=QaEventList,
    kind="query",
    features=("example.view",),
    rest=Rest("GET", "/example/qa-events"),
)
async def list_qa_events(ctx: RequestContext) -> dict[str, Any]:
    """The latest captured example events of the caller's scope, oldest first."""
    scope = await org_scope(ctx)
    query = (
        select(ExampleQaEvent)
        .where(*_visible(scope))
        .order_by(ExampleQaEvent.captured_at.desc(), ExampleQaEvent.id.desc())
        .limit(SHOWN)
    )
    async with ctx.read_session() as session:
        rows = list((await session.execute(query)).scalars())
    return {
        "items": [
            {"event": row.event, "payload": row.payload, "capturedAt": format_datetime(row.captured_at)}
            for row in reversed(rows)
        ]
    }


@operation(
    "clear_example_qa_events",
    "example",
    output=QaEventsCleared,
    features=("example.view",),
    rest=Rest("DELETE", "/example/qa-events"),
)
async def clear_qa_events(ctx: RequestContext) -> dict[str, Any]:
    """Forget the captured example events of the caller's scope."""
    scope = await org_scope(ctx)
    async with ctx.unit_of_work() as uow:
        result = await uow.session.execute(delete(ExampleQaEvent).where(*_visible(scope)))
        record_command(
            ctx,
            uow,
            module="example",
            entity="qa_event",
            verb="clear",
            event="cleared",
            resource_id=None,
            tenant_id=scope.tenant_id,
            payload={"deleted": result.rowcount},
        )
    return {"ok": True, "deleted": result.rowcount}
