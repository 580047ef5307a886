"""Dashboards: each user's widget layout, and the widgets roles and users may place."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, Timestamps, uuid_pk


class DashboardLayout(TenantScoped, Timestamps, Base):
    """``items``: ``[{id, widgetId, order, size, settings}]`` for one user."""

    __tablename__ = "dashboard_layouts"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), unique=True, index=True
    )
    items: Mapped[list[Any]] = mapped_column(JSONB, default=list)


def _scope_index(table: str, subject: str) -> Index:
    """One row per subject and organization (null = the whole tenant)."""
    return Index(
        f"uq_{table}_scope",
        subject,
        text("coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
        unique=True,
    )


class DashboardRoleWidgets(TenantScoped, Timestamps, Base):
    __tablename__ = "dashboard_role_widgets"
    __table_args__ = (_scope_index("dashboard_role_widgets", "role_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    role_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("roles.id"), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=True
    )
    widget_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)


class DashboardUserWidgets(TenantScoped, Timestamps, Base):
    """``mode``: ``inherit`` (the roles' widgets) or ``override`` (exactly ``widget_ids``)."""

    __tablename__ = "dashboard_user_widgets"
    __table_args__ = (_scope_index("dashboard_user_widgets", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=True
    )
    mode: Mapped[str] = mapped_column(String(20), default="inherit")
    widget_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
