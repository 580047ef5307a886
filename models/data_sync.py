"""Data sync: mappings (which declared entity, which direction, how fields map), schedules that run
a mapping every N minutes, and runs (an arq job reporting through a progress job)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class DataSyncMapping(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "data_sync_mappings"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(10))  # import | export
    field_map: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class DataSyncSchedule(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "data_sync_schedules"
    id: Mapped[uuid.UUID] = uuid_pk()
    mapping_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("data_sync_mappings.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # whom runs act as


class DataSyncRun(OrgScoped, Timestamps, Base):
    __tablename__ = "data_sync_runs"
    id: Mapped[uuid.UUID] = uuid_pk()
    mapping_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("data_sync_mappings.id"), index=True
    )
    retry_of_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("data_sync_runs.id"), nullable=True
    )
    direction: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    records: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    output: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    errors: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    total_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    processed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    started_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
