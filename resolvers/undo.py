"""Undo of a recorded command: its steps reversed, last first, in one transaction.

Every transaction writes one action-log entry (``resolvers.events``): a single command keeps its
before/after snapshot, a compound command its list of steps. Steps on entities of the declarative
layer are undone generically (a create is deleted, an update restored, a delete revived); other
commands register an undo handler with :func:`undo_handler`. A command with a step nobody can
undo is refused whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, NotFound
from crmgraph.timefmt import parse_datetime
from models.audit import ActionLog
from resolvers.entity import ENTITIES, Entity

StepUndo = Callable[[RequestContext, UnitOfWork, dict[str, Any]], Awaitable[None]]
UNDO_HANDLERS: dict[str, StepUndo] = {}


def undo_handler(command_id: str) -> Callable[[StepUndo], StepUndo]:
    """Register how to undo steps of ``command_id`` that are not plain entity writes."""

    def register(fn: StepUndo) -> StepUndo:
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


def entity_of(resource_kind: str) -> Entity | None:
    module, _, name = resource_kind.partition(".")
    entity = ENTITIES.get(name)
    return entity if entity is not None and entity.module == module else None


async def undo_log(ctx: RequestContext, log: ActionLog) -> None:
    """Reverse every step of ``log`` (last first) in the caller's unit of work."""
    steps = steps_of(log)
    for step in steps:
        if step["commandId"] not in UNDO_HANDLERS and entity_of(step["resourceKind"]) is None:
            raise BadRequest("This action cannot be undone", commandId=step["commandId"])
    async with ctx.unit_of_work() as uow:
        for step in reversed(steps):
            handler = UNDO_HANDLERS.get(step["commandId"])
            if handler is not None:
                await handler(ctx, uow, step)
            else:
                await _undo_entity_step(uow, entity_of(step["resourceKind"]), step)
        log.execution_state = "undone"
        uow.session.add(log)


async def _undo_entity_step(uow: UnitOfWork, entity: Entity, step: dict[str, Any]) -> None:
    model = entity.model
    obj = await uow.session.get(model, uuid.UUID(step["resourceId"]), with_for_update=True)
    before, after = step.get("before"), step.get("after")
    if before is None:  # created: delete it
        if obj is None:
            raise NotFound("The record no longer exists")
        if entity.soft_delete:
            obj.deleted_at = func.now()
        else:
            await uow.session.delete(obj)
    elif after is None and obj is not None and entity.soft_delete:  # soft-deleted: revive
        obj.deleted_at = None
        _restore(entity, obj, before)
    elif obj is None:  # hard-deleted: insert it again
        obj = model(id=uuid.UUID(step["resourceId"]))
        _restore(entity, obj, before)
        uow.session.add(obj)
    else:  # updated: put the previous values back
        _restore(entity, obj, before)
    await uow.session.flush()


def _restore(entity: Entity, obj: Any, snapshot: dict[str, Any]) -> None:
    for f in entity.fields:
        key = entity.key(f.attr)
        if f.read and key in snapshot and hasattr(obj, f.attr):
            setattr(obj, f.attr, _value(f.type, snapshot[key]))


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
    return value


async def find_log(ctx: RequestContext, token: str) -> ActionLog:
    """The caller's latest undoable entry, which must carry ``token`` (undo is a stack)."""
    principal = ctx.require_auth()
    async with ctx.read_session() as session:
        latest = await session.scalar(
            select(ActionLog)
            .where(ActionLog.actor == principal.subject, ActionLog.execution_state == "done")
            .order_by(ActionLog.created_at.desc(), ActionLog.id.desc())
            .limit(1)
        )
    if latest is None or latest.undo_token != token:
        raise BadRequest("Undo token not available")
    return latest
