"""Availability of members and resources: reusable rule sets and availability rules (RFC 5545
``rrule`` text with a start and a duration, weekly or date-specific, available or not)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class PlannerRuleSet(OrgScoped, Timestamps, SoftDelete, Base):
    """A named, reusable set of availability rules in one timezone."""

    __tablename__ = "planner_availability_rule_sets"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))


class PlannerAvailability(OrgScoped, Timestamps, SoftDelete, Base):
    """One availability (or unavailability) rule of a subject: a member, a resource or a rule set."""

    __tablename__ = "planner_availability_rules"
    __table_args__ = (
        Index(
            "ix_planner_availability_subject",
            "tenant_id",
            "subject_type",
            "subject_id",
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    timezone: Mapped[str] = mapped_column(String(64))
    rrule: Mapped[str] = mapped_column(Text)
    exdates: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    kind: Mapped[str] = mapped_column(String(20), default="availability", server_default="availability")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    unavailability_reason_entry_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), nullable=True
    )
    unavailability_reason_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
