"""The workflow engine: an instance walks its definition's steps as a state machine.

From its current step an instance fires the first eligible transition (by ``priority``): ``auto``
ones whose ``condition`` holds on the instance context, ``manual`` ones only when advanced by
hand. Entering a step: END completes the instance; USER_TASK opens a task and pauses until it is
completed; WAIT_FOR_SIGNAL pauses until its signal arrives; AUTOMATED merges its ``config.set``
into the context and goes on — or, with ``config.async``, is left to the ``run_workflow_step``
arq job (long steps). A step with no eligible transition and no manual one fails the instance
(``retry`` re-evaluates it). Every change is a ``WorkflowEvent`` and goes through ``STATUS``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.workflows import WorkflowDefinition, WorkflowEvent, WorkflowInstance, WorkflowUserTask
from resolvers.business_rules.expressions import ExpressionError, evaluate
from resolvers.events import enqueue_best_effort
from resolvers.workflows.entities import STATUS

MAX_STEPS_PER_RUN = 100
STEP_JOB = "run_workflow_step"


def steps_of(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["stepId"]: s for s in definition.get("steps", [])}


def start_step(definition: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in definition.get("steps", []) if s["stepType"] == "START")


def precondition_errors(definition: dict[str, Any], context: dict[str, Any]) -> list[dict[str, Any]]:
    """The START step's pre-conditions that do not hold on ``context`` (as ``{field, message}``)."""
    errors = []
    for pre in start_step(definition).get("preConditions") or []:
        try:
            held = evaluate(pre["expression"], context)
        except ExpressionError:
            held = False
        if not held:
            errors.append(
                {
                    "field": pre.get("field"),
                    "expression": pre["expression"],
                    "message": pre.get("message") or f"Pre-condition not met: {pre['expression']}",
                }
            )
    return errors


def add_event(
    uow: UnitOfWork, instance: WorkflowInstance, event_type: str, data: dict[str, Any] | None, user: Any
) -> None:
    uow.session.add(
        WorkflowEvent(
            id=uuid.uuid4(),
            tenant_id=instance.tenant_id,
            organization_id=instance.organization_id,
            workflow_instance_id=instance.id,
            event_type=event_type,
            event_data=data,
            user_id=user,
            occurred_at=datetime.now(UTC),
        )
    )


def set_status(instance: WorkflowInstance, target: str) -> None:
    STATUS.check(instance.status, target)
    instance.status = target
    if target in ("COMPLETED", "CANCELLED"):
        instance.completed_at = datetime.now(UTC)


def _holds(transition: dict[str, Any], context: dict[str, Any]) -> bool:
    try:
        return evaluate(transition.get("condition"), context)
    except ExpressionError:
        return False


def eligible(
    definition: dict[str, Any],
    step_id: str,
    context: dict[str, Any],
    *,
    manual: bool,
    to_step: str | None = None,
) -> tuple[dict[str, Any] | None, bool]:
    """``(transition to fire, a manual one is waiting)`` from ``step_id``."""
    outgoing = sorted(
        (t for t in definition.get("transitions", []) if t["fromStepId"] == step_id),
        key=lambda t: -t.get("priority", 0),
    )
    waiting = False
    for t in outgoing:
        trigger = t.get("trigger", "auto")
        if to_step is not None and t["toStepId"] != to_step:
            continue
        if trigger != "auto" and not manual:
            waiting = waiting or trigger == "manual"
            continue
        if _holds(t, instance_context(context)):
            return t, waiting
    return None, waiting


def instance_context(context: dict[str, Any]) -> dict[str, Any]:
    """Conditions see the context's keys and the context itself as ``context``."""
    return {**context, "context": context}


async def proceed(
    ctx: RequestContext,
    uow: UnitOfWork,
    instance: WorkflowInstance,
    definition: dict[str, Any],
    *,
    user: Any,
    manual: bool = False,
    to_step: str | None = None,
) -> dict[str, Any] | None:
    """Run ``instance`` from its current step until it pauses, waits, ends or fails. Returns the
    first transition fired (None when none fired)."""
    steps = steps_of(definition)
    first: dict[str, Any] | None = None
    for _ in range(MAX_STEPS_PER_RUN):
        if instance.status != "RUNNING":
            return first
        step = steps.get(instance.current_step_id or "")
        if step is None:
            fail(uow, instance, f"WorkflowStep {instance.current_step_id} is not in the definition", user)
            return first
        if step["stepType"] == "END":
            set_status(instance, "COMPLETED")
            add_event(uow, instance, "WORKFLOW_COMPLETED", {"stepId": step["stepId"]}, user)
            return first
        transition, waiting = eligible(
            definition, step["stepId"], instance.context or {}, manual=manual, to_step=to_step
        )
        if transition is None:
            if manual and first is None:
                raise Conflict(
                    "No valid transition from the current step",
                    code="no_valid_transition",
                    details=[
                        issue(
                            "currentStepId", f"No transition from {step['stepId']} can fire", "no_transition"
                        )
                    ],
                )
            if not waiting:
                fail(uow, instance, f"No transition from step {step['stepId']} matched", user)
            return first
        first = first or transition
        manual, to_step = False, None
        instance.previous_step_id, instance.current_step_id = step["stepId"], transition["toStepId"]
        add_event(
            uow,
            instance,
            "TRANSITION_FIRED",
            {
                "transitionId": transition["transitionId"],
                "fromStepId": step["stepId"],
                "toStepId": transition["toStepId"],
            },
            user,
        )
        for activity in transition.get("activities") or []:
            add_event(uow, instance, "ACTIVITY_EXECUTED", {"activity": activity}, user)
        await enter(ctx, uow, instance, steps[transition["toStepId"]], user=user)
    fail(uow, instance, f"More than {MAX_STEPS_PER_RUN} steps in one run (a loop?)", user)
    return first


async def enter(
    ctx: RequestContext, uow: UnitOfWork, instance: WorkflowInstance, step: dict[str, Any], *, user: Any
) -> None:
    """What entering ``step`` does (see the module docstring)."""
    add_event(uow, instance, "STEP_ENTERED", {"stepId": step["stepId"], "stepType": step["stepType"]}, user)
    kind, config = step["stepType"], step.get("config") or {}
    if kind == "USER_TASK":
        await open_task(uow, instance, step)
        set_status(instance, "PAUSED")
    elif kind == "WAIT_FOR_SIGNAL":
        instance.waiting_signal = step.get("signalName") or config.get("signalName")
        set_status(instance, "PAUSED")
        add_event(uow, instance, "SIGNAL_AWAITED", {"signalName": instance.waiting_signal}, user)
    elif kind == "AUTOMATED":
        if config.get("async"):
            set_status(instance, "PAUSED")
            instance.waiting_signal = None
            add_event(uow, instance, "STEP_QUEUED", {"stepId": step["stepId"]}, user)
            instance_id = str(instance.id)
            uow.after_commit(
                lambda: enqueue_best_effort(ctx, STEP_JOB, instance_id, _job_id=f"wf:{instance_id}")
            )
        else:
            run_automated(uow, instance, step, user)


def run_automated(uow: UnitOfWork, instance: WorkflowInstance, step: dict[str, Any], user: Any) -> None:
    """An automated step's work: its ``config.set`` values merged into the context."""
    values = (step.get("config") or {}).get("set") or {}
    if values:
        instance.context = {**(instance.context or {}), **values}
    add_event(uow, instance, "STEP_COMPLETED", {"stepId": step["stepId"]}, user)


async def open_task(uow: UnitOfWork, instance: WorkflowInstance, step: dict[str, Any]) -> WorkflowUserTask:
    config = step.get("userTaskConfig") or {}
    due_hours = config.get("dueInHours")
    assignee = config.get("assignedTo")
    task = WorkflowUserTask(
        id=uuid.uuid4(),
        tenant_id=instance.tenant_id,
        organization_id=instance.organization_id,
        workflow_instance_id=instance.id,
        step_id=step["stepId"],
        task_name=str(config.get("taskName") or step.get("stepName") or step["stepId"])[:200],
        description=config.get("description") or step.get("description"),
        status="PENDING",
        form_schema=config.get("formSchema"),
        assigned_to=_uuid(assignee),
        assigned_to_roles=config.get("assignedToRoles"),
        due_date=datetime.now(UTC) + timedelta(hours=due_hours)
        if isinstance(due_hours, (int, float))
        else None,
    )
    uow.session.add(task)
    add_event(uow, instance, "USER_TASK_CREATED", {"taskId": str(task.id), "stepId": step["stepId"]}, None)
    return task


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def fail(uow: UnitOfWork, instance: WorkflowInstance, message: str, user: Any) -> None:
    set_status(instance, "FAILED")
    instance.error_message = message
    add_event(uow, instance, "WORKFLOW_FAILED", {"error": message}, user)


async def definition_of(uow: UnitOfWork, instance: WorkflowInstance) -> dict[str, Any]:
    return (
        await uow.session.scalar(
            select(WorkflowDefinition.definition).where(WorkflowDefinition.id == instance.definition_id)
        )
    ) or {}


def require_status(instance: WorkflowInstance, *allowed: str, action: str) -> None:
    if instance.status not in allowed:
        raise Conflict(
            f"Cannot {action} a workflow instance that is {instance.status}",
            code="invalid_transition",
            details=[issue("status", f"Must be {' or '.join(allowed)}", "invalid_transition")],
        )


def bad_context(message: str) -> ValidationFailed:
    return ValidationFailed([issue("context", message)])
