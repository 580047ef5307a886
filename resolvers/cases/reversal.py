"""Undo and redo (``resolvers.undo``) of the cases commands that are more than one entity write:
applying a procedure (the procedure, its tasks and the case's pointer) and changing a task (the
procedure's status follows)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest
from models.cases import Case, CaseProcedure, CaseProcedureTask
from resolvers.cases.entities import PROCEDURE, TASK
from resolvers.cases.procedure import refresh_procedure_status
from resolvers.entity import serialize
from resolvers.events import emit
from resolvers.undo import NOT_AVAILABLE, Direction, restore_snapshot, undo_handler


def _gone() -> BadRequest:
    return BadRequest(NOT_AVAILABLE, reason="the record is gone")


async def _withdraw(uow: UnitOfWork, ident: uuid.UUID) -> CaseProcedure:
    procedure = await uow.session.get(CaseProcedure, ident, with_for_update=True)
    if procedure is None:
        raise _gone()
    await uow.session.execute(delete(CaseProcedureTask).where(CaseProcedureTask.procedure_id == ident))
    await uow.session.execute(update(Case).where(Case.procedure_id == ident).values(procedure_id=None))
    await uow.session.delete(procedure)
    return procedure


async def _reapply(uow: UnitOfWork, ident: uuid.UUID, snapshot: dict[str, Any]) -> CaseProcedure:
    procedure = CaseProcedure(id=ident)
    restore_snapshot(PROCEDURE, procedure, snapshot)
    case = await uow.session.get(Case, procedure.case_id, with_for_update=True)
    if case is None or case.deleted_at is not None or case.procedure_id is not None:
        raise BadRequest(NOT_AVAILABLE, reason="the case has another procedure")
    uow.session.add(procedure)
    await uow.session.flush()
    for task_snapshot in snapshot.get("tasks") or []:
        task = CaseProcedureTask(id=uuid.UUID(task_snapshot["id"]))
        restore_snapshot(TASK, task, task_snapshot)
        uow.session.add(task)
    case.procedure_id = ident
    return procedure


@undo_handler("cases.case_procedure.create")
async def procedure_applied(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Undo removes the procedure and its tasks; redo puts them back as they were applied."""
    ident = uuid.UUID(step["resourceId"])
    if direction == "undo":
        procedure, verb = await _withdraw(uow, ident), "deleted"
    else:
        procedure, verb = await _reapply(uow, ident, step["after"]), "created"
    await uow.session.flush()
    emit(
        ctx, uow, f"{PROCEDURE.event_prefix}.{verb}", {"id": str(ident), direction: True}, procedure.tenant_id
    )


@undo_handler("cases.case_procedure_task.update")
async def task_changed(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """The task back to (or forward to) its snapshot, and its procedure's status with it."""
    task = await uow.session.get(CaseProcedureTask, uuid.UUID(step["resourceId"]), with_for_update=True)
    if task is None:
        raise _gone()
    restore_snapshot(TASK, task, step["before"] if direction == "undo" else step["after"])
    await uow.session.flush()
    await refresh_procedure_status(uow.session, task.procedure_id)
    await uow.session.refresh(task)
    payload = {"id": step["resourceId"], direction: True, "after": serialize(TASK, task)}
    emit(ctx, uow, f"{TASK.event_prefix}.updated", payload, task.tenant_id)
