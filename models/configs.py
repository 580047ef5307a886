"""Upgrade actions already executed, per tenant and organization (each runs once)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, uuid_pk


class UpgradeActionRun(OrgScoped, Base):
    __tablename__ = "upgrade_action_runs"
    __table_args__ = (
        Index(
            "uq_upgrade_action_runs_scope",
            "tenant_id",
            text("coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "action_id",
            unique=True,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    action_id: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    executed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    executed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
