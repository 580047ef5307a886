"""Workflow definitions: the checked shape of steps and transitions, and their CRUD operations in
the documented ``{data, message}`` shapes.

A definition has unique step ids, exactly one START step, at least one END step, transitions
between known steps, and conditions (transitions) and pre-conditions (START) in the expression
language of :mod:`resolvers.business_rules.expressions`.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.workflows import WorkflowDefinition, WorkflowInstance
from resolvers.business_rules.expressions import ExpressionError, compile_expression
from resolvers.crud import flush_or_conflict, service
from resolvers.entity import serialize
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope
from resolvers.validation import SafeDict, SafeList, text
from resolvers.workflows.common import WorkflowItemRef, WorkflowOffsetQuery, offset_page, record, reply_as
from resolvers.workflows.entities import DEFINITION, MODULE

STEP_TYPES = ("START", "END", "AUTOMATED", "USER_TASK", "WAIT_FOR_SIGNAL")


class WorkflowPreCondition(BaseModel):
    model_config = ConfigDict(extra="allow")
    expression: text(2000)
    message: text(500) | None = None
    field: text(100) | None = None


class WorkflowStep(BaseModel):
    model_config = ConfigDict(extra="allow")
    stepId: text(100)
    stepName: text(200)
    stepType: Literal["START", "END", "AUTOMATED", "USER_TASK", "WAIT_FOR_SIGNAL"]
    description: text(2000) | None = None
    signalName: text(100) | None = None
    preConditions: list[WorkflowPreCondition] | None = Field(None, max_length=50)
    userTaskConfig: SafeDict | None = None
    config: SafeDict | None = None


class WorkflowTransition(BaseModel):
    model_config = ConfigDict(extra="allow")
    transitionId: text(100)
    fromStepId: text(100)
    toStepId: text(100)
    trigger: Literal["auto", "manual", "signal"] = "auto"
    condition: text(2000) | None = None
    priority: int = Field(0, ge=-1000, le=1000)
    activities: SafeList | None = None


class WorkflowGraph(BaseModel):
    model_config = ConfigDict(extra="allow")
    steps: list[WorkflowStep] = Field(min_length=2, max_length=200)
    transitions: list[WorkflowTransition] = Field(default_factory=list, max_length=500)


def checked_definition(raw: WorkflowGraph) -> dict[str, Any]:
    """The definition as stored, or a 400 listing what is wrong with it."""
    problems: list[dict[str, Any]] = []
    ids = [s.stepId for s in raw.steps]
    if len(set(ids)) != len(ids):
        problems.append(issue(["definition", "steps"], "Step ids must be unique", "duplicate"))
    kinds = [s.stepType for s in raw.steps]
    if kinds.count("START") != 1:
        problems.append(issue(["definition", "steps"], "Exactly one START step is required", "start_step"))
    if "END" not in kinds:
        problems.append(issue(["definition", "steps"], "At least one END step is required", "end_step"))
    known = set(ids)
    for i, t in enumerate(raw.transitions):
        for key in ("fromStepId", "toStepId"):
            if getattr(t, key) not in known:
                problems.append(issue(["definition", "transitions", i, key], "Unknown step", "unknown_step"))
        if t.condition:
            problems += _expression_problem(t.condition, ["definition", "transitions", i, "condition"])
    for i, s in enumerate(raw.steps):
        for j, pre in enumerate(s.preConditions or []):
            problems += _expression_problem(pre.expression, ["definition", "steps", i, "preConditions", j])
        if s.stepType == "WAIT_FOR_SIGNAL" and not (s.signalName or (s.config or {}).get("signalName")):
            problems.append(issue(["definition", "steps", i, "signalName"], "Required for WAIT_FOR_SIGNAL"))
    if problems:
        raise ValidationFailed(problems, "Invalid workflow definition")
    return raw.model_dump(exclude_none=True)


def _expression_problem(source: str, path: list[Any]) -> list[dict[str, Any]]:
    try:
        compile_expression(source)
    except ExpressionError as exc:
        return [issue(path, str(exc), "invalid_expression")]
    return []


class WorkflowDefinitionCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    workflowId: text(100) = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    workflowName: text(200) = Field(min_length=1)
    description: text(5000) | None = None
    version: int = Field(1, ge=1, le=1_000_000)
    definition: WorkflowGraph
    enabled: bool = True


class WorkflowDefinitionUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    workflowName: text(200) | None = Field(None, min_length=1)
    description: text(5000) | None = None
    definition: WorkflowGraph | None = None
    enabled: bool | None = None


class WorkflowDefinitionListQuery(WorkflowOffsetQuery):
    workflowId: text(100) | None = None
    enabled: bool | None = None
    search: text(200) | None = None


@operation(
    "list_workflow_definitions",
    MODULE,
    input=WorkflowDefinitionListQuery,
    kind="query",
    rest=Rest("GET", "/workflows/definitions"),
    graphql=False,  # GraphQL: workflowDefinitions(filter: {...})
)
async def list_definitions(ctx: RequestContext, data: WorkflowDefinitionListQuery) -> dict[str, Any]:
    """Definitions of the caller's organizations, by workflow id and version."""
    conditions: list[Any] = []
    if data.workflowId:
        conditions.append(WorkflowDefinition.workflow_id == data.workflowId)
    if data.enabled is not None:
        conditions.append(WorkflowDefinition.enabled.is_(data.enabled))
    if data.search:
        pattern = "%" + data.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                WorkflowDefinition.workflow_name.ilike(pattern, escape="\\"),
                WorkflowDefinition.workflow_id.ilike(pattern, escape="\\"),
            )
        )
    order = [WorkflowDefinition.workflow_id, WorkflowDefinition.version.desc()]
    return await offset_page(ctx, DEFINITION, conditions, data, order=order)


@operation(
    "workflow_definition_detail",
    MODULE,
    input=WorkflowItemRef,
    kind="query",
    rest=Rest("GET", "/workflows/definitions/{id}"),
    graphql=False,  # GraphQL: workflowDefinition(id)
)
async def definition_detail(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """One definition (404 outside the caller's scope)."""
    return {"data": serialize(DEFINITION, await service(DEFINITION).get(ctx, data.id))}


@operation(
    "create_workflow_definition",
    MODULE,
    input=WorkflowDefinitionCreate,
    **reply_as(DEFINITION),
    rest=Rest("POST", "/workflows/definitions", status=201),
)
async def create_definition(ctx: RequestContext, data: WorkflowDefinitionCreate) -> dict[str, Any]:
    """Create a definition (409 when the workflow id and version exist in the organization)."""
    definition = checked_definition(data.definition)
    scope = await org_scope(ctx)
    org_id = scope.selected_org_id or ctx.require_auth().org_id  # the caller's current organization
    async with ctx.unit_of_work() as uow:
        row = WorkflowDefinition(
            id=uuid.uuid4(),
            tenant_id=ctx.tenant_id(),
            organization_id=org_id,
            workflow_id=data.workflowId,
            workflow_name=data.workflowName,
            description=data.description,
            version=data.version,
            definition=definition,
            enabled=data.enabled,
        )
        uow.session.add(row)
        await flush_or_conflict(uow, "A workflow with this id and version already exists")
        await uow.session.refresh(row)
        record(ctx, uow, DEFINITION, "create", row, None, event="created")
    return {"data": serialize(DEFINITION, row), "message": "Workflow definition created successfully"}


@operation(
    "update_workflow_definition",
    MODULE,
    input=WorkflowDefinitionUpdate,
    **reply_as(DEFINITION),
    rest=Rest("PUT", "/workflows/definitions/{id}"),
)
async def update_definition(ctx: RequestContext, data: WorkflowDefinitionUpdate) -> dict[str, Any]:
    """Change a definition's name, description, steps and transitions or enabled state (running
    instances keep the steps they started with only as far as their current step exists)."""
    async with ctx.unit_of_work() as uow:
        row = await service(DEFINITION).fetch(ctx, uow.session, data.id, lock=True)
        before = serialize(DEFINITION, row)
        if data.definition is not None:
            row.definition = checked_definition(data.definition)
        for attr, value in (("workflow_name", data.workflowName), ("description", data.description)):
            if value is not None:
                setattr(row, attr, value)
        if data.enabled is not None:
            row.enabled = data.enabled
        row.updated_at = func.now()
        await flush_or_conflict(uow)
        await uow.session.refresh(row)
        record(ctx, uow, DEFINITION, "update", row, before, event="updated")
    return {"data": serialize(DEFINITION, row), "message": "Workflow definition updated successfully"}


class WorkflowDeleted(BaseModel):
    message: str


@operation(
    "delete_workflow_definition",
    MODULE,
    input=WorkflowItemRef,
    output=WorkflowDeleted,
    rest=Rest("DELETE", "/workflows/definitions/{id}"),
)
async def delete_definition(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """Soft-delete a definition; one with running or paused instances is kept (409)."""
    async with ctx.unit_of_work() as uow:
        row = await service(DEFINITION).fetch(ctx, uow.session, data.id, lock=True)
        active = await uow.session.scalar(
            select(func.count()).where(
                WorkflowInstance.definition_id == row.id, WorkflowInstance.status.in_(("RUNNING", "PAUSED"))
            )
        )
        if active:
            raise Conflict(f"Cannot delete a workflow definition with {active} active instance(s)")
        before = serialize(DEFINITION, row)
        row.deleted_at = func.now()
        await uow.session.flush()
        record(ctx, uow, DEFINITION, "delete", row, before, event="deleted", deleted=True)
    return {"message": "Workflow definition deleted successfully"}
