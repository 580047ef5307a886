"""Feature toggles: global definitions (platform level) and per-tenant overrides of their value.

Any write to either table bumps ``feature_toggle_state.generation`` (a trigger, migration 0013), the
counter the per-process toggle cache compares (``resolvers.feature_toggles.cache``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SoftDelete, TenantScoped, Timestamps, uuid_pk


class FeatureToggle(Timestamps, SoftDelete, Base):
    """``type`` is boolean, string, number or json; ``default_value`` holds a value of that type."""

    __tablename__ = "feature_toggles"
    __table_args__ = (
        Index(
            "uq_feature_toggles_identifier",
            "identifier",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    identifier: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(120), nullable=True)
    type: Mapped[str] = mapped_column(String(20), default="boolean")
    default_value: Mapped[Any | None] = mapped_column(JSONB, nullable=True)


class FeatureToggleOverride(TenantScoped, Timestamps, Base):
    """A tenant's own value of a toggle (no row: the tenant inherits the default)."""

    __tablename__ = "feature_toggle_overrides"
    __table_args__ = (Index("uq_feature_toggle_overrides_tenant", "toggle_id", "tenant_id", unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    toggle_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("feature_toggles.id"))
    value: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
