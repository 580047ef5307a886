"""The procedure of a case: applying a playbook (one unit of work: the procedure and all its tasks,
or nothing), reading it, and moving its tasks through the procedure-status machine."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.cases import Case, CaseProcedure, CaseProcedureTask
from models.playbooks import Playbook
from resolvers.cases.common import add_entry, check_user, load_case, record_command
from resolvers.cases.entities import PROCEDURE, TASK
from resolvers.entity import serialize
from resolvers.operations import Rest, operation, reloaded
from resolvers.playbooks.operations import TASK_STATUS, procedure_status
from resolvers.scope import load_in_scope, parse_uuid
from resolvers.validation import SafeDatetime, text


async def apply_playbook(ctx: RequestContext, uow: UnitOfWork, case: Case, playbook_id: Any) -> CaseProcedure:
    """Give ``case`` the procedure of an active playbook in scope: one task per step, in order."""
    if case.procedure_id is not None:
        raise Conflict("Procedure already applied", code="procedure_exists")
    playbook = await load_in_scope(ctx, uow.session, Playbook, playbook_id, "Playbook")
    if not playbook.is_active:
        raise ValidationFailed([issue("playbookId", "Playbook is not active", "inactive")])
    if not playbook.procedure_definition:
        raise ValidationFailed([issue("playbookId", "Playbook has no procedure steps", "empty")])
    scope = {"tenant_id": case.tenant_id, "organization_id": case.organization_id}
    procedure = CaseProcedure(
        id=uuid.uuid4(),
        case_id=case.id,
        playbook_id=playbook.id,
        playbook_version=playbook.version,
        display_label=f"{playbook.title} v{playbook.version}",
        status="pending",
        applied_by_user_id=ctx.require_auth().user_id,
        **scope,
    )
    uow.session.add(procedure)
    await uow.session.flush()
    now = datetime.now(UTC)
    for position, step in enumerate(playbook.procedure_definition, start=1):
        due = step.get("dueInDays")
        uow.session.add(
            CaseProcedureTask(
                id=uuid.uuid4(),
                procedure_id=procedure.id,
                case_id=case.id,
                step_key=step["key"],
                position=position,
                title=step["title"],
                description=step.get("description"),
                status=TASK_STATUS.initial,
                due_at=now + timedelta(days=due) if due is not None else None,
                **scope,
            )
        )
    case.procedure_id, case.playbook_id = procedure.id, playbook.id
    add_entry(ctx, uow, case, "procedure_applied", procedure.display_label, {"playbookId": str(playbook.id)})
    await uow.session.flush()
    tasks = (
        await uow.session.execute(
            select(CaseProcedureTask).where(CaseProcedureTask.procedure_id == procedure.id)
        )
    ).scalars()
    record_command(
        ctx,
        uow,
        entity="case_procedure",
        verb="create",
        event="created",
        resource_id=procedure.id,
        tenant_id=case.tenant_id,
        organization_id=case.organization_id,
        after={**serialize(PROCEDURE, procedure), "tasks": [serialize(TASK, t) for t in tasks]},  # for redo
        payload={"caseId": str(case.id), "playbookId": str(playbook.id)},
    )
    return procedure


async def procedure_body(session: Any, case: Case) -> dict[str, Any]:
    """``{procedure, tasks}`` of a case (``procedure`` null when none was applied)."""
    if case.procedure_id is None:
        return {"procedure": None, "tasks": []}
    procedure = await session.get(CaseProcedure, case.procedure_id)
    tasks = (
        await session.execute(
            select(CaseProcedureTask)
            .where(CaseProcedureTask.procedure_id == procedure.id)
            .order_by(CaseProcedureTask.position, CaseProcedureTask.id)
        )
    ).scalars()
    return {"procedure": serialize(PROCEDURE, procedure), "tasks": [serialize(TASK, t) for t in tasks]}


async def refresh_procedure_status(session: Any, procedure_id: uuid.UUID) -> CaseProcedure:
    """Set the procedure's status from its tasks' (after any task change)."""
    query = select(CaseProcedureTask.status).where(CaseProcedureTask.procedure_id == procedure_id)
    statuses = list((await session.execute(query)).scalars())
    procedure = await session.get(CaseProcedure, procedure_id)
    procedure.status = procedure_status(statuses)
    await session.flush()
    return procedure


class CaseRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    caseId: str


class ApplyInput(CaseRef):
    playbookId: uuid.UUID | None = None


@operation(
    "case_procedure_overview",
    "cases",
    input=CaseRef,
    kind="query",
    features=("cases.view",),
    rest=Rest("GET", "/cases/{caseId}/procedure"),
)
async def get_procedure(ctx: RequestContext, data: CaseRef) -> dict[str, Any]:
    """The case's procedure and its tasks in step order."""
    async with ctx.read_session() as session:
        return await procedure_body(session, await load_case(ctx, session, data.caseId))


@operation(
    "apply_case_procedure",
    "cases",
    input=ApplyInput,
    output=PROCEDURE,
    graphql_result=reloaded(PROCEDURE, lambda r: r["procedure"]["id"]),
    features=("cases.view",),
    rest=Rest("POST", "/cases/{caseId}/procedure", status=201),
)
async def apply_procedure(ctx: RequestContext, data: ApplyInput) -> dict[str, Any]:
    """Apply a playbook (``playbookId``, default the case's own) to the case: 409 when it already
    has a procedure; the procedure and every task are written together or not at all."""
    async with ctx.unit_of_work(command="cases.case_procedure.apply", about="cases.case_procedure") as uow:
        case = await load_case(ctx, uow.session, data.caseId, lock=True)
        playbook_id = data.playbookId or case.playbook_id
        if playbook_id is None:
            raise ValidationFailed([issue("playbookId", "A playbook is required", "invalid_type")])
        await apply_playbook(ctx, uow, case, playbook_id)
        return {"ok": True, **await procedure_body(uow.session, case)}


class TaskRef(CaseRef):
    taskId: str


class TaskPatch(TaskRef):
    status: text(30) | None = None
    note: text(20_000) | None = None
    assigneeUserId: uuid.UUID | None = None
    dueAt: SafeDatetime | None = None


async def load_task(
    ctx: RequestContext, session: Any, data: TaskRef, *, lock: bool = False
) -> CaseProcedureTask:
    """A task of a case in scope, else 404 (a task of another case too)."""
    case = await load_case(ctx, session, data.caseId)
    query = select(CaseProcedureTask).where(
        CaseProcedureTask.id == parse_uuid(data.taskId), CaseProcedureTask.case_id == case.id
    )
    task = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if parse_uuid(data.taskId) is None or task is None:
        raise NotFound("Task not found")
    return task


@operation(
    "case_procedure_task_detail",
    "cases",
    input=TaskRef,
    output=TASK,
    graphql_result=reloaded(TASK, lambda r: r["id"]),
    kind="query",
    features=("cases.view",),
    rest=Rest("GET", "/cases/{caseId}/procedure-tasks/{taskId}"),
)
async def get_task(ctx: RequestContext, data: TaskRef) -> dict[str, Any]:
    """One task of the case's procedure."""
    async with ctx.read_session() as session:
        return serialize(TASK, await load_task(ctx, session, data))


@operation(
    "update_case_procedure_task",
    "cases",
    input=TaskPatch,
    output=TASK,
    graphql_result=reloaded(TASK, lambda r: r["task"]["id"]),
    features=("cases.edit",),
    rest=Rest("PATCH", "/cases/{caseId}/procedure-tasks/{taskId}"),
)
async def update_task(ctx: RequestContext, data: TaskPatch) -> dict[str, Any]:
    """Change a task's status (through the procedure-status machine), note, assignee or due date;
    the procedure's status follows its tasks'."""
    async with ctx.unit_of_work(
        command="cases.case_procedure_task.update", about="cases.case_procedure_task"
    ) as uow:
        task = await load_task(ctx, uow.session, data, lock=True)
        before = serialize(TASK, task)
        sent = data.model_fields_set
        if data.status is not None and data.status != task.status:
            TASK_STATUS.check(task.status, data.status)
            case = await uow.session.get(Case, task.case_id)
            add_entry(
                ctx,
                uow,
                case,
                "task_status_changed",
                task.title,
                {"taskId": str(task.id), "from": task.status, "to": data.status},
            )
            task.status = data.status
            task.completed_at = datetime.now(UTC) if data.status == "done" else None
        if "assigneeUserId" in sent:
            await check_user(ctx, uow.session, data.assigneeUserId, "assigneeUserId")
            task.assignee_user_id = data.assigneeUserId
        if "note" in sent:
            task.note = data.note
        if "dueAt" in sent:
            task.due_at = data.dueAt
        await uow.session.flush()
        procedure = await refresh_procedure_status(uow.session, task.procedure_id)
        await uow.session.refresh(task)
        after = serialize(TASK, task)
        record_command(
            ctx,
            uow,
            entity="case_procedure_task",
            verb="update",
            event="updated",
            resource_id=task.id,
            tenant_id=task.tenant_id,
            organization_id=task.organization_id,
            before=before,
            after=after,
            payload={"caseId": str(task.case_id), "status": task.status},
        )
        return {"ok": True, "task": after, "procedureStatus": procedure.status}
