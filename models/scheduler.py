"""Scheduled jobs (a cron expression or an interval, a target) and the record of every run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class ScheduledJob(OrgScoped, Timestamps, SoftDelete, Base):
    """``organization_id`` is None for a tenant-wide schedule. ``created_by`` is the subject (a user
    id or ``api_key:<id>``) whose rights every run is executed with."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        Index(
            "ix_scheduled_jobs_due",
            "next_run_at",
            postgresql_where=text("is_enabled AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    scope_type: Mapped[str] = mapped_column(String(20), default="organization")
    schedule_type: Mapped[str] = mapped_column(String(20))
    schedule_value: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    target_type: Mapped[str] = mapped_column(String(20))
    target_queue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    target_command: Mapped[str | None] = mapped_column(String(200), nullable=True)
    target_payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    require_feature: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    source_type: Mapped[str] = mapped_column(String(20), default="user", server_default="user")
    source_module: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ScheduledJobExecution(Base):
    """One run of a schedule: written when it is due (or triggered) and queued, then updated by the
    worker. At most one per schedule and due time (``uq_scheduled_job_executions_due``)."""

    __tablename__ = "scheduled_job_executions"
    __table_args__ = (
        Index("uq_scheduled_job_executions_due", "schedule_id", "due_at", unique=True),
        Index("ix_scheduled_job_executions_queue_job", "queue_job_id"),
        Index(
            "ix_scheduled_job_executions_pending", "created_at", postgresql_where=text("status = 'queued'")
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("scheduled_jobs.id"), index=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("tenants.id"), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=True
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    trigger_type: Mapped[str] = mapped_column(String(20), default="scheduled")
    triggered_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_stack: Mapped[str | None] = mapped_column(Text, nullable=True)
    queue_job_id: Mapped[str] = mapped_column(String(200))
    queue_name: Mapped[str] = mapped_column(String(200))
    attempts_made: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    result: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
