"""Business rules (a condition over an entity payload and the actions on either outcome), rule sets
grouping them in sequence, and the log of every execution."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class BusinessRule(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "business_rules"
    __table_args__ = (
        Index(
            "uq_business_rules_key",
            "tenant_id",
            "organization_id",
            "rule_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    rule_id: Mapped[str] = mapped_column(String(100))
    rule_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    rule_type: Mapped[str] = mapped_column(String(20))
    rule_category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    entity_type: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    condition_expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    success_actions: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    failure_actions: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    priority: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    effective_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    effective_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RuleSet(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "business_rule_sets"
    __table_args__ = (
        Index(
            "uq_business_rule_sets_key",
            "tenant_id",
            "organization_id",
            "set_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    set_id: Mapped[str] = mapped_column(String(100))
    set_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RuleSetMember(OrgScoped, Timestamps, Base):
    __tablename__ = "business_rule_set_members"
    __table_args__ = (Index("uq_business_rule_set_members_pair", "rule_set_id", "rule_id", unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    rule_set_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("business_rule_sets.id"), index=True
    )
    rule_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("business_rules.id"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class RuleExecutionLog(OrgScoped, Base):
    __tablename__ = "business_rule_logs"

    id: Mapped[uuid.UUID] = uuid_pk()
    rule_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("business_rules.id"), index=True
    )
    entity_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    entity_type: Mapped[str] = mapped_column(String(100))
    execution_result: Mapped[str] = mapped_column(String(20))
    input_context: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    output_context: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    execution_time_ms: Mapped[int] = mapped_column(Integer, default=0)
    executed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    executed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
