"""Playbooks: reusable procedures (ordered steps) a case can follow."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class Playbook(OrgScoped, Timestamps, SoftDelete, Base):
    """``procedure_definition`` is the ordered list of steps ``[{key, title, description, ...}]``."""

    __tablename__ = "playbooks"
    __table_args__ = (
        Index(
            "uq_playbooks_slug",
            "tenant_id",
            "organization_id",
            "slug",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    context_tags: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    procedure_definition: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    audience: Mapped[str] = mapped_column(String(30), default="internal", server_default="internal")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
