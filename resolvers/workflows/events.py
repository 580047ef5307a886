"""The workflow event history across instances (paged like every entity list) and one event."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from crmgraph.context import RequestContext
from models.workflows import WorkflowInstance
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.listing import parse_list_query
from resolvers.operations import Rest, operation
from resolvers.validation import text
from resolvers.workflows.common import WorkflowItemRef
from resolvers.workflows.entities import EVENT, MODULE


class WorkflowEventListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    page: text(32) | None = None
    pageSize: text(32) | None = None
    eventType: text(100) | None = None
    workflowInstanceId: text(64) | None = None
    userId: text(64) | None = None
    occurredAtFrom: text(64) | None = None
    occurredAtTo: text(64) | None = None
    sortField: text(64) | None = None
    sortDir: text(8) | None = None


@operation(
    "list_workflow_events",
    MODULE,
    input=WorkflowEventListQuery,
    kind="query",
    rest=Rest("GET", "/workflows/events"),
    graphql=False,  # GraphQL: workflowEvents(filter: {...})
)
async def list_events(ctx: RequestContext, data: WorkflowEventListQuery) -> dict[str, Any]:
    """Events of the caller's instances, newest first unless sorted otherwise."""
    params = parse_list_query(EVENT, data.model_dump(exclude_none=True))
    if params.sort_field is None:
        params.sort_field, params.sort_dir = "occurred_at", "desc"
    page = await service(EVENT).list_json(ctx, params)
    return page.envelope([json.loads(row) for row in page.items])


@operation(
    "workflow_event_detail",
    MODULE,
    input=WorkflowItemRef,
    kind="query",
    rest=Rest("GET", "/workflows/events/{id}"),
    graphql=False,  # GraphQL: workflowEvent(id) { workflowInstance { ... } }
)
async def event_detail(ctx: RequestContext, data: WorkflowItemRef) -> dict[str, Any]:
    """One event with a summary of its instance."""
    event = await service(EVENT).get(ctx, data.id)
    async with ctx.read_session() as session:
        instance = await session.get(WorkflowInstance, event.workflow_instance_id)
    summary = None
    if instance is not None:
        summary = {
            "id": str(instance.id),
            "workflowId": instance.workflow_id,
            "status": instance.status,
            "currentStepId": instance.current_step_id,
        }
    return {**serialize(EVENT, event), "workflowInstance": summary}
