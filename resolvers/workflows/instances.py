"""Workflow instances: start (after the START step's pre-conditions), read, advance by hand,
cancel, retry a failed one, and deliver signals to the instances waiting for them."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, Conflict, NotFound, ValidationFailed, issue
from models.workflows import WorkflowDefinition, WorkflowEvent, WorkflowInstance, WorkflowUserTask
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.validation import SafeDict, text
from resolvers.workflows.common import WorkflowItemRef, WorkflowOffsetQuery, offset_page, record, reply_as
from resolvers.workflows.engine import (
    add_event,
    definition_of,
    precondition_errors,
    proceed,
    require_status,
    set_status,
    start_step,
)
from resolvers.workflows.entities import DEFINITION, EVENT, INSTANCE, MODULE, OPEN_TASKS

# --- reading -----------------------------------------------------------------------------------


class WorkflowInstanceListQuery(WorkflowOffsetQuery):
    workflowId: text(100) | None = None
    status: text(200) | None = None
    correlationKey: text(200) | None = None
    entityType: text(100) | None = None
    entityId: text(100) | None = None


@operation(
    "list_workflow_instances",
    MODULE,
    input=WorkflowInstanceListQuery,
    kind="query",
    rest=Rest("GET", "/workflows/instances"),
    graphql=False,  # GraphQL: workflowInstances(filter: {...})
)
async def list_instances(ctx: RequestContext, data: WorkflowInstanceListQuery) -> dict[str, Any]:
    """Instances, newest first; ``status`` takes a comma-separated list."""
    conditions: list[Any] = []
    for value, column in (
        (data.workflowId, WorkflowInstance.workflow_id),
        (data.correlationKey, WorkflowInstance.correlation_key),
        (data.entityType, WorkflowInstance.entity_type),
        (data.entityId, WorkflowInstance.entity_id),
    ):
        if value:
            conditions.append(column == value)
    if data.status:
        conditions.append(WorkflowInstance.status.in_([s.strip().upper() for s in data.status.split(",")]))
    order = [WorkflowInstance.started_at.desc(), WorkflowInstance.id]
    return await offset_page(ctx, INSTANCE, conditions, data, order=order)


@operation(
    "workflow_instance_detail",
    MODULE,
    input=WorkflowItemRef,
    kind="query",
    rest=Rest("GET", "/workflows/instances/{id}"),
    graphql=False,  # GraphQL: workflowInstance(id) { definition events tasks }
)
async def instance_detail(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """An instance with its state and context."""
    return {"data": serialize(INSTANCE, await service(INSTANCE).get(ctx, data.id))}


class WorkflowInstanceEventsQuery(WorkflowOffsetQuery):
    id: text(64)
    eventType: text(100) | None = None
    limit: int = Field(100, ge=1, le=100)


@operation(
    "workflow_instance_events",
    MODULE,
    input=WorkflowInstanceEventsQuery,
    kind="query",
    rest=Rest("GET", "/workflows/instances/{id}/events"),
    graphql=False,  # GraphQL: workflowInstance(id) { events }
)
async def instance_events(ctx: RequestContext, data: WorkflowInstanceEventsQuery) -> dict[str, Any]:
    """An instance's events in the order they happened."""
    instance = await service(INSTANCE).get(ctx, data.id)
    conditions = [WorkflowEvent.workflow_instance_id == instance.id]
    if data.eventType:
        conditions.append(WorkflowEvent.event_type == data.eventType)
    order = [WorkflowEvent.occurred_at, WorkflowEvent.id]
    return await offset_page(ctx, EVENT, conditions, data, order=order)


# --- starting ----------------------------------------------------------------------------------


class WorkflowStartInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    workflowId: text(100) = Field(min_length=1)
    version: int | None = Field(None, ge=1, le=1_000_000)
    initialContext: SafeDict | None = None
    context: SafeDict | None = None
    correlationKey: text(200) | None = None
    entityType: text(100) | None = None
    entityId: text(100) | None = None


async def find_definition(ctx: RequestContext, workflow_id: str, version: int | None) -> WorkflowDefinition:
    """The definition named by its workflow id (its latest version unless given) or by its row id."""
    conditions = await entity_conditions(ctx, DEFINITION)
    query = select(WorkflowDefinition).where(*conditions)
    try:
        as_id = uuid.UUID(workflow_id)
    except ValueError:
        as_id = None
    by_key = WorkflowDefinition.workflow_id == workflow_id
    query = query.where(by_key | (WorkflowDefinition.id == as_id) if as_id else by_key)
    if version is not None:
        query = query.where(WorkflowDefinition.version == version)
    async with ctx.read_session() as session:
        found = (await session.execute(query.order_by(WorkflowDefinition.version.desc()).limit(1))).scalar()
    if found is None:
        raise NotFound("Workflow definition not found")
    return found


def _context(data: WorkflowStartInput) -> dict[str, Any]:
    return {**(data.initialContext or {}), **(data.context or {})}


class WorkflowValidateStartResult(BaseModel):
    canStart: bool
    workflowId: str
    errors: list[dict[str, Any]] = []


@operation(
    "validate_workflow_start",
    MODULE,
    input=WorkflowStartInput,
    output=WorkflowValidateStartResult,
    kind="query",
    rest=Rest("POST", "/workflows/instances/validate-start"),
)
async def validate_start(ctx: RequestContext, data: WorkflowStartInput) -> dict[str, Any]:
    """Whether the START step's pre-conditions hold on the given context (and which fail)."""
    definition = await find_definition(ctx, data.workflowId, data.version)
    errors = precondition_errors(definition.definition, _context(data))
    if not definition.enabled:
        errors.insert(0, {"field": None, "expression": None, "message": "Workflow definition is disabled"})
    return {"canStart": not errors, "workflowId": definition.workflow_id, "errors": errors}


@operation(
    "start_workflow_instance",
    MODULE,
    input=WorkflowStartInput,
    **reply_as(INSTANCE),
    rest=Rest("POST", "/workflows/instances", status=201),
)
async def start_instance(ctx: RequestContext, data: WorkflowStartInput) -> dict[str, Any]:
    """Start an instance of an enabled definition and run it until it pauses, waits or ends. Failed
    pre-conditions are a 400 listing them."""
    definition = await find_definition(ctx, data.workflowId, data.version)
    if not definition.enabled:
        raise BadRequest("Workflow definition is disabled")
    context = _context(data)
    errors = precondition_errors(definition.definition, context)
    if errors:
        details = [
            issue(["context", e["field"] or "preConditions"], e["message"], "precondition") for e in errors
        ]
        raise ValidationFailed(details, "Workflow pre-conditions not met")
    user = ctx.require_auth().user_id
    async with ctx.unit_of_work() as uow:
        instance = WorkflowInstance(
            id=uuid.uuid4(),
            tenant_id=definition.tenant_id,
            organization_id=definition.organization_id,
            definition_id=definition.id,
            workflow_id=definition.workflow_id,
            version=definition.version,
            status="RUNNING",
            current_step_id=start_step(definition.definition)["stepId"],
            context=context,
            correlation_key=data.correlationKey,
            entity_type=data.entityType,
            entity_id=data.entityId,
            started_by=user,
        )
        uow.session.add(instance)
        await uow.session.flush()
        add_event(uow, instance, "WORKFLOW_STARTED", {"workflowId": definition.workflow_id}, user)
        await proceed(ctx, uow, instance, definition.definition, user=user)
        await uow.session.flush()
        await uow.session.refresh(instance)
        record(
            ctx, uow, INSTANCE, "start", instance, None, event="started", payload={"status": instance.status}
        )
    return {"data": serialize(INSTANCE, instance), "message": "Workflow instance started"}


# --- moving an instance ------------------------------------------------------------------------


async def locked(ctx: RequestContext, uow: UnitOfWork, ident: Any) -> WorkflowInstance:
    return await service(INSTANCE).fetch(ctx, uow.session, ident, lock=True)


async def _finish(
    ctx: RequestContext, uow: UnitOfWork, instance: WorkflowInstance, verb: str, before: dict
) -> None:
    await uow.session.flush()
    await uow.session.refresh(instance)
    record(ctx, uow, INSTANCE, verb, instance, before, payload={"status": instance.status})


class WorkflowAdvanceInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    toStepId: text(100) | None = None
    context: SafeDict | None = None


@operation(
    "advance_workflow_instance",
    MODULE,
    input=WorkflowAdvanceInput,
    **reply_as(INSTANCE, lambda r: r["data"]["instance"]["id"]),
    rest=Rest("POST", "/workflows/instances/{id}/advance"),
)
async def advance(ctx: RequestContext, data: WorkflowAdvanceInput) -> dict[str, Any]:
    """Fire a transition from the current step by hand (manual ones too; ``toStepId`` picks one),
    then go on automatically. A RUNNING instance only; none eligible is a 409."""
    user = ctx.require_auth().user_id
    async with ctx.unit_of_work() as uow:
        instance = await locked(ctx, uow, data.id)
        require_status(instance, "RUNNING", action="advance")
        before = serialize(INSTANCE, instance)
        if data.context:
            instance.context = {**(instance.context or {}), **data.context}
        fired = await proceed(
            ctx,
            uow,
            instance,
            await definition_of(uow, instance),
            user=user,
            manual=True,
            to_step=data.toStepId,
        )
        await _finish(ctx, uow, instance, "advance", before)
    body = {
        "id": str(instance.id),
        "status": instance.status,
        "currentStepId": instance.current_step_id,
        "previousStepId": instance.previous_step_id,
        "transitionFired": fired["transitionId"] if fired else None,
    }
    return {"data": {"instance": body}, "message": "Workflow instance advanced"}


class WorkflowMessage(BaseModel):
    message: str


@operation(
    "cancel_workflow_instance",
    MODULE,
    input=WorkflowItemRef,
    output=WorkflowMessage,
    rest=Rest("POST", "/workflows/instances/{id}/cancel"),
)
async def cancel(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """Cancel a running, paused or failed instance; its open tasks are cancelled with it."""
    user = ctx.require_auth().user_id
    async with ctx.unit_of_work() as uow:
        instance = await locked(ctx, uow, data.id)
        before = serialize(INSTANCE, instance)
        require_status(instance, "RUNNING", "PAUSED", "FAILED", action="cancel")
        set_status(instance, "CANCELLED")
        instance.waiting_signal = None
        await uow.session.execute(
            update(WorkflowUserTask)
            .where(
                WorkflowUserTask.workflow_instance_id == instance.id, WorkflowUserTask.status.in_(OPEN_TASKS)
            )
            .values(status="CANCELLED", updated_at=func.now())
        )
        add_event(uow, instance, "WORKFLOW_CANCELLED", None, user)
        await _finish(ctx, uow, instance, "cancel", before)
    return {"message": "Workflow instance cancelled"}


@operation(
    "retry_workflow_instance",
    MODULE,
    input=WorkflowItemRef,
    **reply_as(INSTANCE),
    rest=Rest("POST", "/workflows/instances/{id}/retry"),
)
async def retry(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """Run a FAILED instance again from its current step (409 for any other status)."""
    user = ctx.require_auth().user_id
    async with ctx.unit_of_work() as uow:
        instance = await locked(ctx, uow, data.id)
        require_status(instance, "FAILED", action="retry")
        before = serialize(INSTANCE, instance)
        set_status(instance, "RUNNING")
        instance.error_message, instance.retry_count = None, instance.retry_count + 1
        add_event(uow, instance, "WORKFLOW_RETRIED", {"attempt": instance.retry_count}, user)
        await proceed(ctx, uow, instance, await definition_of(uow, instance), user=user)
        await _finish(ctx, uow, instance, "retry", before)
    return {"data": serialize(INSTANCE, instance), "message": "Workflow instance retried"}


# --- signals -----------------------------------------------------------------------------------


async def deliver(
    ctx: RequestContext,
    uow: UnitOfWork,
    instance: WorkflowInstance,
    name: str,
    payload: dict[str, Any] | None,
) -> None:
    """Resume ``instance`` waiting for signal ``name`` with ``payload`` merged into its context."""
    user = ctx.require_auth().user_id
    before = serialize(INSTANCE, instance)
    if payload:
        instance.context = {**(instance.context or {}), **payload}
    instance.waiting_signal = None
    set_status(instance, "RUNNING")
    add_event(uow, instance, "SIGNAL_RECEIVED", {"signalName": name}, user)
    await proceed(ctx, uow, instance, await definition_of(uow, instance), user=user)
    await _finish(ctx, uow, instance, "signal", before)


class WorkflowSignalInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    signalName: text(100) = Field(min_length=1)
    payload: SafeDict | None = None


class WorkflowSignalResult(BaseModel):
    success: bool
    message: str


@operation(
    "signal_workflow_instance",
    MODULE,
    input=WorkflowSignalInput,
    output=WorkflowSignalResult,
    rest=Rest("POST", "/workflows/instances/{id}/signal"),
)
async def signal_instance(ctx: RequestContext, data: WorkflowSignalInput) -> dict[str, Any]:
    """Deliver a signal to a PAUSED instance waiting for it (409 otherwise)."""
    async with ctx.unit_of_work() as uow:
        instance = await locked(ctx, uow, data.id)
        if instance.status != "PAUSED" or instance.waiting_signal != data.signalName:
            raise Conflict(
                f"Workflow instance is not waiting for signal {data.signalName}", code="not_waiting"
            )
        await deliver(ctx, uow, instance, data.signalName, data.payload)
    return {"success": True, "message": f"Signal {data.signalName} delivered"}


class WorkflowBroadcastInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    correlationKey: text(200) = Field(min_length=1)
    signalName: text(100) = Field(min_length=1)
    payload: SafeDict | None = None


class WorkflowBroadcastResult(WorkflowSignalResult):
    count: int


@operation(
    "send_workflow_signal",
    MODULE,
    input=WorkflowBroadcastInput,
    output=WorkflowBroadcastResult,
    rest=Rest("POST", "/workflows/signals"),
)
async def broadcast(ctx: RequestContext, data: WorkflowBroadcastInput) -> dict[str, Any]:
    """Deliver a signal to every instance with the correlation key waiting for it."""
    async with ctx.unit_of_work() as uow:
        waiting = list(
            (
                await uow.session.execute(
                    select(WorkflowInstance)
                    .where(
                        *await entity_conditions(ctx, INSTANCE),
                        WorkflowInstance.correlation_key == data.correlationKey,
                        WorkflowInstance.status == "PAUSED",
                        WorkflowInstance.waiting_signal == data.signalName,
                    )
                    .order_by(WorkflowInstance.started_at)
                    .with_for_update()
                )
            ).scalars()
        )
        for instance in waiting:
            await deliver(ctx, uow, instance, data.signalName, data.payload)
    count = len(waiting)
    return {"success": True, "message": f"Signal delivered to {count} workflow instance(s)", "count": count}
