"""Action log: one row per mutating command, with before/after snapshots and an undo token."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, uuid_pk


class ActionLog(Base):
    __tablename__ = "action_logs"
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    command_id: Mapped[str] = mapped_column(String(200))
    action_label: Mapped[str] = mapped_column(String(200))
    resource_kind: Mapped[str] = mapped_column(String(200), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    execution_state: Mapped[str] = mapped_column(String(20), default="done")
    undo_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    snapshot_before: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    snapshot_after: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class AccessLog(Base):
    """A read of a sensitive record (who saw what, when)."""

    __tablename__ = "access_logs"
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    resource_kind: Mapped[str] = mapped_column(String(200), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    access_type: Mapped[str] = mapped_column(String(20), default="read")
    fields: Mapped[list[str] | None] = mapped_column(JSONB, nullable=True)
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
