"""Undo and redo of recorded commands: a command's steps reversed (last first) or re-applied, in
one transaction.

Every transaction writes one action-log entry (``resolvers.events``): a single command keeps its
before/after snapshot, a compound command its list of steps. Steps on entities of the declarative
layer are undone and redone generically (a create is deleted or revived, an update restored or
re-applied, a delete revived or repeated); other commands register handlers with
:func:`undo_handler`. A command with a step nobody can reverse is refused whole.

Undo is a stack per caller: only the latest ``done`` entry may be undone, only the latest
``undone`` one redone; the entry is locked while it changes state, so two requests cannot both
claim it. Each reversed step publishes its entity event; no new action-log entry is written (the
entry itself moves between ``done`` and ``undone``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest
from crmgraph.timefmt import parse_datetime
from models.audit import ActionLog
from resolvers.entity import ENTITIES, Entity, serialize
from resolvers.events import emit

Direction = Literal["undo", "redo"]
StepHandler = Callable[[RequestContext, UnitOfWork, dict[str, Any], Direction], Awaitable[None]]
UNDO_HANDLERS: dict[str, StepHandler] = {}
NOT_AVAILABLE = "Undo token not available"


def undo_handler(command_id: str) -> Callable[[StepHandler], StepHandler]:
    """Register how to undo/redo steps of ``command_id`` that are not plain entity writes."""

    def register(fn: StepHandler) -> StepHandler:
        UNDO_HANDLERS[command_id] = fn
        return fn

    return register


def steps_of(log: ActionLog) -> list[dict[str, Any]]:
    """The steps of a log entry, first to last."""
    before = log.snapshot_before or {}
    if "steps" in before and log.snapshot_after is None:
        return list(before["steps"])
    return [
        {
            "commandId": log.command_id,
            "resourceKind": log.resource_kind,
            "resourceId": log.resource_id,
            "before": log.snapshot_before,
            "after": log.snapshot_after,
        }
    ]


def entity_of(resource_kind: str | None) -> Entity | None:
    module, _, name = (resource_kind or "").partition(".")
    entity = ENTITIES.get(name)
    return entity if entity is not None and entity.module == module else None


def _reversible(log: ActionLog) -> list[dict[str, Any]]:
    steps = steps_of(log)
    for step in steps:
        if step["commandId"] not in UNDO_HANDLERS and entity_of(step["resourceKind"]) is None:
            raise BadRequest(NOT_AVAILABLE, reason=f"{step['commandId']} cannot be undone")
    return steps


async def _latest(uow: UnitOfWork, actor: str, state: str) -> ActionLog | None:
    """The caller's latest entry in ``state``, locked for the state change."""
    return await uow.session.scalar(
        select(ActionLog)
        .where(ActionLog.actor == actor, ActionLog.execution_state == state)
        .order_by(ActionLog.updated_at.desc(), ActionLog.created_at.desc(), ActionLog.id.desc())
        .limit(1)
        .with_for_update()
    )


async def undo(ctx: RequestContext, token: str) -> ActionLog:
    """Undo the caller's latest undoable command, which must carry ``token``."""
    principal = ctx.require_auth()
    async with ctx.unit_of_work() as uow:
        log = await _latest(uow, principal.subject, "done")
        if log is None or not token or log.undo_token != token:
            raise BadRequest(NOT_AVAILABLE)
        for step in reversed(_reversible(log)):
            await _apply(ctx, uow, step, "undo")
        log.execution_state = "undone"
        log.undo_token = None
    return log


async def redo(ctx: RequestContext, log_id: uuid.UUID) -> ActionLog:
    """Re-apply the caller's latest undone command (``log_id``); it gets a new undo token."""
    principal = ctx.require_auth()
    async with ctx.unit_of_work() as uow:
        log = await _latest(uow, principal.subject, "undone")
        if log is None or log.id != log_id:
            raise BadRequest("Redo not available")
        for step in _reversible(log):
            await _apply(ctx, uow, step, "redo")
        log.execution_state = "done"
        log.undo_token = secrets.token_urlsafe(24)
    return log


async def _apply(ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction) -> None:
    handler = UNDO_HANDLERS.get(step["commandId"])
    if handler is not None:
        await handler(ctx, uow, step, direction)
        return
    await apply_entity_step(ctx, uow, entity_of(step["resourceKind"]), step, direction)


async def apply_entity_step(
    ctx: RequestContext, uow: UnitOfWork, entity: Entity, step: dict[str, Any], direction: Direction
) -> None:
    """The generic undo/redo of one entity write (handlers that add a rule call it after checking)."""
    before, after = step.get("before"), step.get("after")
    wanted = before if direction == "undo" else after  # the state the record must end up in
    obj = await uow.session.get(entity.model, uuid.UUID(step["resourceId"]), with_for_update=True)
    if wanted is None:  # it must not exist
        if obj is None:
            raise BadRequest(NOT_AVAILABLE, reason="the record is gone")
        if entity.soft_delete:
            obj.deleted_at = func.now()
        else:
            await uow.session.delete(obj)
        verb = "deleted"
    else:
        verb = (
            "updated" if obj is not None and (not entity.soft_delete or obj.deleted_at is None) else "created"
        )
        if obj is None:
            obj = entity.model(id=uuid.UUID(step["resourceId"]))
            uow.session.add(obj)
        if entity.soft_delete:
            obj.deleted_at = None
        restore_snapshot(entity, obj, wanted)
    await uow.session.flush()
    payload = {"id": step["resourceId"], direction: True}
    if verb != "deleted":
        await uow.session.refresh(obj)
        payload["after"] = serialize(entity, obj)
    emit(ctx, uow, f"{entity.event_prefix}.{verb}", payload, getattr(obj, "tenant_id", None))


def restore_snapshot(entity: Entity, obj: Any, snapshot: dict[str, Any]) -> None:
    for f in entity.fields:
        key = entity.key(f.attr)
        if f.read and key in snapshot and hasattr(obj, f.attr):
            setattr(obj, f.attr, _value(f.type, snapshot[key]))
    if entity.custom_fields:
        custom = {k[3:]: v for k, v in snapshot.items() if k.startswith("cf_")}
        setattr(obj, entity.custom_fields, custom or getattr(obj, entity.custom_fields))


def _value(type_: type, value: Any) -> Any:
    """A snapshot value (JSON) back to the column's Python type."""
    if value is None:
        return None
    if type_ is uuid.UUID:
        return uuid.UUID(str(value))
    if type_ is datetime:
        return parse_datetime(str(value))
    if type_ is date:
        return date.fromisoformat(str(value))
    if type_ is Decimal:
        return Decimal(str(value))
    return value
