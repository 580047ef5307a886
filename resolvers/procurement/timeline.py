"""A process's timeline: system events written by the process commands (``process.created``,
``process.status_changed``, ``process.completed``) and notes users add, edit and delete."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.procurement import ProcessTimelineEvent, ProcurementProcess
from resolvers.entity import Entity, Features, Field, Relation, camel, to_jsonable
from resolvers.listing import MAX_PAGE, MAX_PAGE_SIZE, Page
from resolvers.operations import Rest, operation
from resolvers.procurement.common import MODULE, READONLY, VIEW, actor, load_process, record_command
from resolvers.validation import SafeDict, text

NOTE = "note"
SYSTEM_PREFIX = "process."
ITEM_ATTRS = (
    "id",
    "process_id",
    "event_type",
    "message",
    "actor_user_id",
    "actor_label",
    "event_metadata",
    "created_at",
    "organization_id",
    "tenant_id",
)

TIMELINE = Entity(
    name="procurement_timeline_event",
    module=MODULE,
    model=ProcessTimelineEvent,
    path=None,  # documented routes are the operations below (one process at a time)
    graphql_name="ProcurementTimelineEvent",
    plural="procurementTimelineEvents",
    features=Features(view=[VIEW]),
    soft_delete=False,
    mutations=(),
    default_sort="created_at",
    fields=[
        Field("process_id", uuid.UUID, **READONLY),
        Field("event_type", str, sort=True, **READONLY),
        Field("message", str, search=True, **READONLY),
        Field("actor_user_id", uuid.UUID, **READONLY),
        Field("actor_label", str, **READONLY),
        Field("event_metadata", dict, **READONLY, description="The event's metadata."),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
    ],
    relations=[Relation("process", "procurement_process", "one", source_fk="process_id")],
    description="An entry of a procurement process's timeline.",
)


def item(row: ProcessTimelineEvent) -> dict[str, Any]:
    """The documented timeline item."""
    out = {camel(a): to_jsonable(getattr(row, a)) for a in ITEM_ATTRS}
    out["metadata"] = out.pop("eventMetadata")
    return out


async def add_event(
    ctx: RequestContext,
    uow: UnitOfWork,
    process: ProcurementProcess,
    event_type: str,
    message: str,
    metadata: dict[str, Any] | None = None,
) -> ProcessTimelineEvent:
    """Append an entry to ``process``'s timeline, written by the calling user."""
    user_id, label = await actor(ctx, uow.session)
    row = ProcessTimelineEvent(
        id=uuid.uuid4(),
        process_id=process.id,
        tenant_id=process.tenant_id,
        organization_id=process.organization_id,
        event_type=event_type,
        message=message,
        actor_user_id=user_id,
        actor_label=label,
        event_metadata=metadata,
        created_at=datetime.now(UTC),  # not the transaction's start: a command's entries keep their order
    )
    uow.session.add(row)
    await uow.session.flush()
    return row


def _alias(*names: str) -> Any:
    return AliasChoices(*names)


class TimelineQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    process_id: uuid.UUID = PydanticField(validation_alias=_alias("processId", "process_id"))
    page: int = PydanticField(1, ge=1, le=MAX_PAGE)
    page_size: int = PydanticField(
        50, ge=1, le=MAX_PAGE_SIZE, validation_alias=_alias("pageSize", "page_size")
    )
    sort_dir: Literal["asc", "desc"] = PydanticField("desc", validation_alias=_alias("sortDir", "sort_dir"))


class NoteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    process_id: uuid.UUID = PydanticField(validation_alias=_alias("processId", "process_id"))
    event_type: text(100) = PydanticField(
        NOTE, validation_alias=_alias("eventType", "event_type"), min_length=1
    )
    message: text(10000) = PydanticField(min_length=1)
    metadata: SafeDict | None = None


class NoteEdit(BaseModel):
    model_config = ConfigDict(extra="ignore")
    process_id: uuid.UUID = PydanticField(validation_alias=_alias("processId", "process_id"))
    id: uuid.UUID
    message: text(10000) = PydanticField(min_length=1)


class NoteRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    process_id: uuid.UUID = PydanticField(validation_alias=_alias("processId", "process_id"))
    id: uuid.UUID


@operation(
    "procurement_process_timeline",
    MODULE,
    input=TimelineQuery,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/procurement/process-timeline"),
)
async def list_timeline(ctx: RequestContext, data: TimelineQuery) -> dict[str, Any]:
    """One process's timeline, newest first unless ``sortDir=asc``."""
    async with ctx.read_session() as session:
        process = await load_process(ctx, session, data.process_id)
        base = select(ProcessTimelineEvent).where(ProcessTimelineEvent.process_id == process.id)
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        order = ProcessTimelineEvent.created_at
        ordered = base.order_by(
            order.desc() if data.sort_dir == "desc" else order.asc(), ProcessTimelineEvent.id
        )
        offset = (data.page - 1) * data.page_size
        rows = (await session.execute(ordered.limit(data.page_size).offset(offset))).scalars()
        items = [item(row) for row in rows]
    return Page([], total, data.page, data.page_size).envelope(items)


def _validate_type(event_type: str) -> None:
    if event_type.startswith(SYSTEM_PREFIX):
        raise ValidationFailed([issue("eventType", "System event types are reserved", "invalid_enum_value")])


@operation(
    "add_procurement_timeline_note",
    MODULE,
    input=NoteInput,
    rest=Rest("POST", "/procurement/process-timeline", status=201),
)
async def add_note(ctx: RequestContext, data: NoteInput) -> dict[str, Any]:
    """Record a custom message (``eventType`` defaults to ``note``) on a process's timeline."""
    _validate_type(data.event_type)
    async with ctx.unit_of_work() as uow:
        process = await load_process(ctx, uow.session, data.process_id)
        row = await add_event(ctx, uow, process, data.event_type, data.message, data.metadata)
        _record(ctx, uow, row, "created", None, item(row))
    return {"ok": True, "id": str(row.id)}


async def _editable(ctx: RequestContext, uow: UnitOfWork, data: NoteEdit | NoteRef) -> ProcessTimelineEvent:
    """A note of a process in scope; other entries are a 409 (system events cannot change)."""
    process = await load_process(ctx, uow.session, data.process_id)
    row = await uow.session.scalar(
        select(ProcessTimelineEvent)
        .where(ProcessTimelineEvent.id == data.id, ProcessTimelineEvent.process_id == process.id)
        .with_for_update()
    )
    if row is None:
        raise NotFound("Timeline entry not found")
    if row.event_type != NOTE:
        raise Conflict("Only notes can be changed", code="not_editable")
    return row


@operation(
    "edit_procurement_timeline_note",
    MODULE,
    input=NoteEdit,
    rest=Rest("PUT", "/procurement/process-timeline"),
)
async def edit_note(ctx: RequestContext, data: NoteEdit) -> dict[str, Any]:
    """Change the message of a note (system events cannot be edited: 409)."""
    async with ctx.unit_of_work() as uow:
        row = await _editable(ctx, uow, data)
        before = item(row)
        row.message = data.message
        await uow.session.flush()
        _record(ctx, uow, row, "updated", before, {**before, "message": data.message})
    return {"ok": True}


@operation(
    "delete_procurement_timeline_note",
    MODULE,
    input=NoteRef,
    rest=Rest("DELETE", "/procurement/process-timeline"),
)
async def delete_note(ctx: RequestContext, data: NoteRef) -> dict[str, Any]:
    """Delete a note (system events cannot be deleted: 409)."""
    async with ctx.unit_of_work() as uow:
        row = await _editable(ctx, uow, data)
        before = item(row)
        await uow.session.delete(row)
        await uow.session.flush()
        _record(ctx, uow, row, "deleted", before, None)
    return {"ok": True}


def _record(
    ctx: RequestContext,
    uow: UnitOfWork,
    row: ProcessTimelineEvent,
    verb: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    record_command(
        ctx,
        uow,
        entity="timeline_note",
        verb=verb,
        resource_id=row.id,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        before=before,
        after=after,
        payload={"processId": str(row.process_id)},
    )
