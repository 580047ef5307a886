"""Per-tenant state of the integrations of the registry (enabled, API version, credentials sealed
with ``crmgraph.crypto``, last health check) and their log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, Timestamps, uuid_pk


class IntegrationState(TenantScoped, Timestamps, Base):
    """A tenant's settings of one integration of the registry (``integration_id``)."""

    __tablename__ = "integration_states"
    __table_args__ = (UniqueConstraint("tenant_id", "integration_id", name="uq_integration_states_tenant"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    integration_id: Mapped[str] = mapped_column(String(100))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    api_version: Mapped[str | None] = mapped_column(String(50), nullable=True)
    credentials: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted JSON
    health_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    health_message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    health_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IntegrationLog(TenantScoped, Base):
    """One entry of an integration's log (changes of settings, health checks, sync runs)."""

    __tablename__ = "integration_logs"

    id: Mapped[uuid.UUID] = uuid_pk()
    integration_id: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[str] = mapped_column(String(10), default="info")
    message: Mapped[str] = mapped_column(String(1000))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
