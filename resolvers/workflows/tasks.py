"""User tasks: the list (with overdue and "my tasks"), claim and complete. Completing validates the
form data against the task's ``formSchema`` (``required`` keys; ``properties`` with ``type`` and
``enum``), merges it into the instance context and resumes the instance."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Text, cast, func, or_
from sqlalchemy.dialects.postgresql import ARRAY

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, ValidationFailed, issue
from models.workflows import WorkflowInstance, WorkflowUserTask
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.operations import Rest, operation
from resolvers.validation import SafeDict, text
from resolvers.workflows.common import WorkflowItemRef, WorkflowOffsetQuery, offset_page, record, reply_as
from resolvers.workflows.engine import add_event, definition_of, proceed, set_status
from resolvers.workflows.entities import INSTANCE, MODULE, OPEN_TASKS, TASK, TASK_STATUS

EXTERNAL_LINKS = (
    "procurementProcessTaskId",
    "procurementProcessId",
    "procurementProcessTitle",
    "serviceCaseId",
    "serviceCaseTitle",
    "assignedToDisplayName",
    "claimedByDisplayName",
)


def task_body(task: WorkflowUserTask) -> dict[str, Any]:
    """The documented task shape (links to procurement and cases are not made by workflows: null)."""
    return {**serialize(TASK, task), **dict.fromkeys(EXTERNAL_LINKS)}


class WorkflowTaskListQuery(WorkflowOffsetQuery):
    status: text(200) | None = None
    assignedTo: text(64) | None = None
    workflowInstanceId: text(64) | None = None
    overdue: bool | None = None
    myTasks: bool | None = None


def _uuid_or_none(raw: str | None, key: str) -> Any:
    import uuid

    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        raise ValidationFailed([issue(key, "Invalid id", "invalid_string")]) from None


@operation(
    "list_workflow_tasks",
    MODULE,
    input=WorkflowTaskListQuery,
    kind="query",
    rest=Rest("GET", "/workflows/tasks"),
    graphql=False,  # GraphQL: workflowTasks(filter: {...})
)
async def list_tasks(ctx: RequestContext, data: WorkflowTaskListQuery) -> dict[str, Any]:
    """User tasks, oldest first; ``status`` takes a comma-separated list."""
    principal = ctx.require_auth()
    conditions: list[Any] = []
    if data.status:
        conditions.append(WorkflowUserTask.status.in_([s.strip().upper() for s in data.status.split(",")]))
    if (assignee := _uuid_or_none(data.assignedTo, "assignedTo")) is not None:
        conditions.append(WorkflowUserTask.assigned_to == assignee)
    if (instance := _uuid_or_none(data.workflowInstanceId, "workflowInstanceId")) is not None:
        conditions.append(WorkflowUserTask.workflow_instance_id == instance)
    if data.overdue is not None:
        late = (WorkflowUserTask.due_date < func.now()) & WorkflowUserTask.status.in_(OPEN_TASKS)
        conditions.append(late if data.overdue else ~late | WorkflowUserTask.due_date.is_(None))
    if data.myTasks:
        mine = [
            WorkflowUserTask.assigned_to == principal.user_id,
            WorkflowUserTask.claimed_by == principal.user_id,
        ]
        unassigned = WorkflowUserTask.assigned_to.is_(None) & WorkflowUserTask.claimed_by.is_(None)
        roles = WorkflowUserTask.assigned_to_roles
        held = cast(list(principal.roles or [""]), ARRAY(Text))
        mine.append(unassigned & (roles.is_(None) | roles.op("?|")(held)))
        conditions.append(or_(*mine))
    order = [WorkflowUserTask.created_at, WorkflowUserTask.id]
    return await offset_page(ctx, TASK, conditions, data, order=order, render=task_body)


@operation(
    "workflow_task_detail",
    MODULE,
    input=WorkflowItemRef,
    kind="query",
    rest=Rest("GET", "/workflows/tasks/{id}"),
    graphql=False,  # GraphQL: workflowTask(id)
)
async def task_detail(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """One user task."""
    return {"data": task_body(await service(TASK).get(ctx, data.id))}


def _may_take(ctx: RequestContext, task: WorkflowUserTask) -> None:
    """Only the assignee (when assigned), a holder of one of its roles (when given) or the user who
    claimed it may claim or complete a task; tenant super admins may always."""
    principal = ctx.require_auth()
    if principal.is_super_admin:
        return
    if task.claimed_by is not None and task.claimed_by != principal.user_id:
        raise Forbidden(message="Task is claimed by another user")
    if task.assigned_to is not None and task.assigned_to != principal.user_id:
        raise Forbidden(message="Task is assigned to another user")
    roles = task.assigned_to_roles or []
    if roles and task.assigned_to is None and not set(roles) & set(principal.roles or []):
        raise Forbidden(message="Task is assigned to other roles")


def move(task: WorkflowUserTask, target: str) -> None:
    """The task status machine's check; being there already is a conflict too (claim or complete
    twice)."""
    if task.status == target:
        raise Conflict(f"Task is already {target}", code="invalid_transition")
    TASK_STATUS.check(task.status, target)


async def _change(
    ctx: RequestContext, uow: UnitOfWork, task: WorkflowUserTask, verb: str, before: dict[str, Any]
) -> None:
    await uow.session.flush()
    await uow.session.refresh(task)
    record(ctx, uow, TASK, verb, task, before, payload={"status": task.status})


@operation(
    "claim_workflow_task",
    MODULE,
    input=WorkflowItemRef,
    **reply_as(TASK),
    rest=Rest("POST", "/workflows/tasks/{id}/claim"),
)
async def claim(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """Claim a PENDING or ESCALATED task: it becomes IN_PROGRESS, the caller's."""
    user = ctx.require_auth().user_id
    async with ctx.unit_of_work() as uow:
        task = await service(TASK).fetch(ctx, uow.session, data.id, lock=True)
        before = serialize(TASK, task)
        _may_take(ctx, task)
        move(task, "IN_PROGRESS")
        task.status, task.claimed_by, task.claimed_at = "IN_PROGRESS", user, datetime.now(UTC)
        if task.workflow_instance_id:
            instance = await uow.session.get(WorkflowInstance, task.workflow_instance_id)
            add_event(uow, instance, "USER_TASK_CLAIMED", {"taskId": str(task.id)}, user)
        await _change(ctx, uow, task, "claim", before)
    return {"data": task_body(task), "message": "Task claimed"}


def form_problems(schema: dict[str, Any] | None, form: dict[str, Any]) -> list[dict[str, Any]]:
    """What is wrong with ``form`` under ``schema`` (a JSON-schema subset)."""
    if not schema:
        return []
    problems = [
        issue(["formData", key], "Required", "required")
        for key in schema.get("required") or []
        if form.get(key) in (None, "")
    ]
    types = {
        "string": (str,),
        "number": (int, float, Decimal),
        "integer": (int,),
        "boolean": (bool,),
        "object": (dict,),
        "array": (list,),
    }
    for key, rule in (schema.get("properties") or {}).items():
        if key not in form or form[key] is None or not isinstance(rule, dict):
            continue
        value, expected = form[key], types.get(rule.get("type"))
        wrong_bool = isinstance(value, bool) and rule.get("type") in ("number", "integer")
        if expected and (not isinstance(value, expected) or wrong_bool):
            problems.append(issue(["formData", key], f"Expected {rule['type']}", "invalid_type"))
        elif rule.get("enum") and value not in rule["enum"]:
            problems.append(issue(["formData", key], f"One of {rule['enum']}", "invalid_enum_value"))
    return problems


class WorkflowCompleteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    formData: SafeDict | None = None
    comments: text(5000) | None = None


@operation(
    "complete_workflow_task",
    MODULE,
    input=WorkflowCompleteInput,
    **reply_as(TASK),
    rest=Rest("POST", "/workflows/tasks/{id}/complete"),
)
async def complete(ctx: RequestContext, data: WorkflowCompleteInput) -> dict[str, Any]:
    """Complete an open task with its form data (400 when it does not fit the form schema); the data
    joins the instance context and the instance waiting on this task goes on."""
    user = ctx.require_auth().user_id
    form = dict(data.formData or {})
    async with ctx.unit_of_work() as uow:
        task = await service(TASK).fetch(ctx, uow.session, data.id, lock=True)
        before = serialize(TASK, task)
        _may_take(ctx, task)
        move(task, "COMPLETED")
        problems = form_problems(task.form_schema, form)
        if problems:
            raise ValidationFailed(problems, "Form data does not match the task's form")
        now = datetime.now(UTC)
        task.status, task.form_data, task.completed_by, task.completed_at = "COMPLETED", form, user, now
        task.claimed_by, task.claimed_at = task.claimed_by or user, task.claimed_at or now
        task.comments = data.comments or task.comments
        if task.workflow_instance_id:
            await _resume(ctx, uow, task, form, user)
        await _change(ctx, uow, task, "complete", before)
    return {"data": task_body(task), "message": "Task completed"}


async def _resume(
    ctx: RequestContext, uow: UnitOfWork, task: WorkflowUserTask, form: dict[str, Any], user: Any
) -> None:
    instance = await service(INSTANCE).fetch(ctx, uow.session, task.workflow_instance_id, lock=True)
    before = serialize(INSTANCE, instance)
    instance.context = {**(instance.context or {}), **form}
    add_event(uow, instance, "USER_TASK_COMPLETED", {"taskId": str(task.id)}, user)
    if instance.status == "PAUSED" and instance.current_step_id == task.step_id:
        set_status(instance, "RUNNING")
        await proceed(ctx, uow, instance, await definition_of(uow, instance), user=user)
    await uow.session.flush()
    await uow.session.refresh(instance)
    record(ctx, uow, INSTANCE, "resume", instance, before, payload={"status": instance.status})
