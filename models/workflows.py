"""Workflow definitions (steps and transitions as JSON), their running instances, the instances'
event history and the user tasks their USER_TASK steps open."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class WorkflowDefinition(OrgScoped, Timestamps, SoftDelete, Base):
    """A versioned state machine: ``definition`` = ``{steps: [...], transitions: [...]}``."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (
        Index(
            "uq_workflow_definitions_key",
            "tenant_id",
            "organization_id",
            "workflow_id",
            "version",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workflow_id: Mapped[str] = mapped_column(String(100))
    workflow_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class WorkflowInstance(OrgScoped, Timestamps, Base):
    """One run of a definition; ``status`` follows ``resolvers.workflows.engine.STATUS``."""

    __tablename__ = "workflow_instances"

    id: Mapped[uuid.UUID] = uuid_pk()
    definition_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workflow_definitions.id"), index=True
    )
    workflow_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="RUNNING", server_default="RUNNING")
    current_step_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_step_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    waiting_signal: Mapped[str | None] = mapped_column(String(100), nullable=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    correlation_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    entity_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    retry_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WorkflowEvent(OrgScoped, Base):
    """What happened to an instance (started, step entered, transition fired, signal, ...)."""

    __tablename__ = "workflow_events"

    id: Mapped[uuid.UUID] = uuid_pk()
    workflow_instance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workflow_instances.id"), index=True
    )
    step_instance_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    event_type: Mapped[str] = mapped_column(String(100))
    event_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WorkflowUserTask(OrgScoped, Timestamps, Base):
    """A form a person fills in to let a paused instance go on (claim, then complete)."""

    __tablename__ = "workflow_user_tasks"

    id: Mapped[uuid.UUID] = uuid_pk()
    workflow_instance_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workflow_instances.id"), index=True, nullable=True
    )
    step_instance_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    step_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    task_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="PENDING", server_default="PENDING")
    form_schema: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    form_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    assigned_to_roles: Mapped[list[str] | None] = mapped_column(JSONB, nullable=True)
    claimed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    due_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    escalated_to: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    completed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    comments: Mapped[str | None] = mapped_column(Text, nullable=True)
