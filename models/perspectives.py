"""Perspectives: saved views of a table (columns, filters, sorting) per user, and role defaults."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SoftDelete, TenantScoped, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


class PerspectiveMixin(TenantScoped, Timestamps, SoftDelete):
    """What a saved view is: a named set of table settings for one table."""

    id: Mapped[uuid.UUID] = uuid_pk()
    table_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(120))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class Perspective(PerspectiveMixin, Base):
    """A user's own view; names are unique per user and table, one default per user and table."""

    __tablename__ = "perspectives"
    __table_args__ = (
        Index("uq_perspectives_name", "user_id", "table_id", "name", unique=True, postgresql_where=LIVE),
        Index(
            "uq_perspectives_default",
            "user_id",
            "table_id",
            unique=True,
            postgresql_where=text("is_default AND deleted_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"), index=True)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class RolePerspective(PerspectiveMixin, Base):
    """A view offered to every holder of a role of the tenant; one default per role and table."""

    __tablename__ = "role_perspectives"
    __table_args__ = (
        Index("uq_role_perspectives_name", "role_id", "table_id", "name", unique=True, postgresql_where=LIVE),
        Index(
            "uq_role_perspectives_default",
            "role_id",
            "table_id",
            unique=True,
            postgresql_where=text("is_default AND deleted_at IS NULL"),
        ),
    )

    role_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("roles.id"), index=True)
