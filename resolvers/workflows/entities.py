"""Workflow declarations: definitions, instances, their events and user tasks, and the two status
machines every path changing an instance or a task goes through."""

from __future__ import annotations

import uuid
from datetime import datetime

from models.workflows import WorkflowDefinition, WorkflowEvent, WorkflowInstance, WorkflowUserTask
from resolvers.entity import Entity, Field, Relation, eq, one_of, since, until
from resolvers.statemachine import machine

MODULE = "workflows"
READONLY = {"create": False, "update": False}

STATUS = machine(
    "workflows.instance.status",
    "status",
    "RUNNING",
    RUNNING=("PAUSED", "COMPLETED", "FAILED", "CANCELLED"),
    PAUSED=("RUNNING", "CANCELLED", "FAILED"),
    FAILED=("RUNNING", "CANCELLED"),
    COMPLETED=(),
    CANCELLED=(),
)
TASK_STATUS = machine(
    "workflows.task.status",
    "status",
    "PENDING",
    PENDING=("IN_PROGRESS", "COMPLETED", "CANCELLED", "ESCALATED"),
    IN_PROGRESS=("COMPLETED", "CANCELLED", "ESCALATED"),
    ESCALATED=("IN_PROGRESS", "COMPLETED", "CANCELLED"),
    COMPLETED=(),
    CANCELLED=(),
)
OPEN_TASKS = ("PENDING", "IN_PROGRESS", "ESCALATED")


def _ro(attr: str, type_: type = str, **options: object) -> Field:
    return Field(attr, type_, **READONLY, **options)


def scope_fields() -> list[Field]:
    return [_ro("organization_id", uuid.UUID), _ro("tenant_id", uuid.UUID)]


def stamps() -> list[Field]:
    return [*scope_fields(), _ro("created_at", datetime, sort=True), _ro("updated_at", datetime, sort=True)]


DEFINITION = Entity(
    name="workflow_definition",
    module=MODULE,
    model=WorkflowDefinition,
    path=None,  # REST and writes: resolvers.workflows.definitions
    graphql_name="WorkflowDefinition",
    plural="workflowDefinitions",
    rest_verbs=(),
    mutations=(),
    fields=[
        _ro("workflow_id", sort=True, search=True),
        _ro("workflow_name", sort=True, search=True),
        _ro("description"),
        _ro("version", int, sort=True),
        _ro("definition", dict, description="{steps: [...], transitions: [...]}"),
        _ro("enabled", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("workflowId", WorkflowDefinition.workflow_id),
        eq("enabled", WorkflowDefinition.enabled, bool),
    ],
    relations=[Relation("instances", "workflow_instance", "many", target_fk="definition_id")],
    default_sort="workflow_id",
    description="A workflow: steps and the transitions between them.",
)

INSTANCE = Entity(
    name="workflow_instance",
    module=MODULE,
    model=WorkflowInstance,
    path=None,
    graphql_name="WorkflowInstance",
    plural="workflowInstances",
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    fields=[
        _ro("definition_id", uuid.UUID),
        _ro("workflow_id", sort=True),
        _ro("version", int),
        _ro("status", sort=True),
        _ro("current_step_id"),
        _ro("previous_step_id"),
        _ro("waiting_signal"),
        _ro("context", dict),
        _ro("correlation_key"),
        _ro("entity_type"),
        _ro("entity_id"),
        _ro("error_message"),
        _ro("retry_count", int),
        _ro("started_by", uuid.UUID),
        _ro("started_at", datetime, sort=True),
        _ro("completed_at", datetime, sort=True),
        *stamps(),
    ],
    filters=[
        eq("workflowId", WorkflowInstance.workflow_id),
        one_of("status", WorkflowInstance.status),
        eq("correlationKey", WorkflowInstance.correlation_key),
        eq("entityType", WorkflowInstance.entity_type),
        eq("entityId", WorkflowInstance.entity_id),
    ],
    relations=[
        Relation("definition", "workflow_definition", "one", source_fk="definition_id"),
        Relation("events", "workflow_event", "many", target_fk="workflow_instance_id"),
        Relation("tasks", "workflow_task", "many", target_fk="workflow_instance_id"),
    ],
    default_sort="started_at",
    description="One run of a workflow definition.",
)

EVENT = Entity(
    name="workflow_event",
    module=MODULE,
    model=WorkflowEvent,
    path=None,
    graphql_name="WorkflowEvent",
    plural="workflowEvents",
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    fields=[
        _ro("workflow_instance_id", uuid.UUID),
        _ro("step_instance_id", uuid.UUID),
        _ro("event_type", sort=True),
        _ro("event_data", dict),
        _ro("occurred_at", datetime, sort=True),
        _ro("user_id", uuid.UUID),
        *scope_fields(),
    ],
    filters=[
        eq("eventType", WorkflowEvent.event_type),
        eq("workflowInstanceId", WorkflowEvent.workflow_instance_id, uuid.UUID),
        eq("userId", WorkflowEvent.user_id, uuid.UUID),
        since("occurredAtFrom", WorkflowEvent.occurred_at),
        until("occurredAtTo", WorkflowEvent.occurred_at),
    ],
    relations=[Relation("workflow_instance", "workflow_instance", "one", source_fk="workflow_instance_id")],
    default_sort="occurred_at",
    description="Something that happened to a workflow instance.",
)

TASK = Entity(
    name="workflow_task",
    module=MODULE,
    model=WorkflowUserTask,
    path=None,
    graphql_name="WorkflowTask",
    plural="workflowTasks",
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    fields=[
        _ro("workflow_instance_id", uuid.UUID),
        _ro("step_instance_id", uuid.UUID),
        _ro("task_name", sort=True, search=True),
        _ro("description"),
        _ro("status", sort=True),
        _ro("form_schema", dict),
        _ro("form_data", dict),
        _ro("assigned_to", uuid.UUID),
        _ro("assigned_to_roles", list),
        _ro("claimed_by", uuid.UUID),
        _ro("claimed_at", datetime),
        _ro("due_date", datetime, sort=True),
        _ro("escalated_at", datetime),
        _ro("escalated_to", uuid.UUID),
        _ro("completed_by", uuid.UUID),
        _ro("completed_at", datetime),
        _ro("comments"),
        *stamps(),
    ],
    filters=[
        one_of("status", WorkflowUserTask.status),
        eq("assignedTo", WorkflowUserTask.assigned_to, uuid.UUID),
        eq("workflowInstanceId", WorkflowUserTask.workflow_instance_id, uuid.UUID),
    ],
    relations=[Relation("workflow_instance", "workflow_instance", "one", source_fk="workflow_instance_id")],
    default_sort="created_at",
    description="A form a person completes so a paused workflow instance goes on.",
)
