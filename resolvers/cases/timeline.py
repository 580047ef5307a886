"""A case's timeline (notes, messages and recorded changes) and its messages."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.cases import CaseTimelineEntry
from resolvers.cases.common import add_entry, load_case, record_command
from resolvers.cases.entities import TIMELINE_ENTRY
from resolvers.cases.procedure import CaseRef
from resolvers.customers.common import user_labels
from resolvers.entity import serialize
from resolvers.operations import Rest, operation, reloaded
from resolvers.validation import SafeDict, text

WRITABLE_KINDS = ("note", "message", "call", "email")


class TimelineQuery(CaseRef):
    limit: int = PydanticField(100, ge=1, le=500)


class TimelinePost(CaseRef):
    model_config = ConfigDict(extra="ignore")
    kind: Literal["note", "message", "call", "email"] = "note"
    body: text(20_000)
    direction: Literal["inbound", "outbound", "internal"] | None = None
    data: SafeDict | None = None


async def entries(
    ctx: RequestContext, data: TimelineQuery, kinds: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """``{items, total}``: the case's latest ``limit`` entries, oldest first, with their authors' names."""
    async with ctx.read_session() as session:
        case = await load_case(ctx, session, data.caseId)
        query = select(CaseTimelineEntry).where(CaseTimelineEntry.case_id == case.id)
        if kinds:
            query = query.where(CaseTimelineEntry.kind.in_(kinds))
        newest = (CaseTimelineEntry.created_at.desc(), CaseTimelineEntry.id.desc())
        rows = list((await session.execute(query.order_by(*newest).limit(data.limit))).scalars())[::-1]
    users = await user_labels(ctx, [r.author_user_id for r in rows])
    items = []
    for row in rows:
        author = users.get(row.author_user_id, {})
        items.append(
            {
                **serialize(TIMELINE_ENTRY, row),
                "authorName": author.get("name"),
                "authorEmail": author.get("email"),
            }
        )
    return {"items": items, "total": len(items)}


@operation(
    "case_timeline",
    "cases",
    input=TimelineQuery,
    kind="query",
    features=("cases.view",),
    rest=Rest("GET", "/cases/{caseId}/timeline"),
)
async def case_timeline(ctx: RequestContext, data: TimelineQuery) -> dict[str, Any]:
    """Every entry of the case: notes, messages, status changes, procedure and task changes."""
    return await entries(ctx, data)


@operation(
    "case_messages",
    "cases",
    input=TimelineQuery,
    kind="query",
    features=("cases.view", "messages.view"),
    rest=Rest("GET", "/cases/{caseId}/messages"),
)
async def case_messages(ctx: RequestContext, data: TimelineQuery) -> dict[str, Any]:
    """The messages exchanged on the case (timeline entries of kind ``message`` or ``email``)."""
    return await entries(ctx, data, ("message", "email"))


@operation(
    "add_case_timeline_entry",
    "cases",
    input=TimelinePost,
    output=TIMELINE_ENTRY,
    graphql_result=reloaded(TIMELINE_ENTRY, lambda r: r["id"]),
    features=("cases.edit",),
    rest=Rest("POST", "/cases/{caseId}/timeline", status=201),
)
async def add_timeline_entry(ctx: RequestContext, data: TimelinePost) -> dict[str, Any]:
    """Add a note, message, call or e-mail to the case's timeline."""
    async with ctx.unit_of_work() as uow:
        case = await load_case(ctx, uow.session, data.caseId)
        entry = add_entry(ctx, uow, case, data.kind, data.body, data.data, data.direction)
        await uow.session.flush()
        await uow.session.refresh(entry)
        record_command(
            ctx,
            uow,
            entity="case_timeline_entry",
            verb="create",
            event="created",
            resource_id=entry.id,
            tenant_id=entry.tenant_id,
            organization_id=entry.organization_id,
            after=serialize(TIMELINE_ENTRY, entry),
            payload={"caseId": str(case.id), "kind": entry.kind},
        )
    return {"id": str(entry.id)}
