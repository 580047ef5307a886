"""Procurement: processes (sourcing something for a customer), their line items, supplier
candidates, follow-up tasks and timeline, per-organization settings and status-transition rules.

Links to modules that are not part of this one's dependencies yet (sales quotes/invoices,
resources) are plain nullable indexed UUID columns without a database foreign key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


def _plain_uuid() -> Mapped[uuid.UUID | None]:
    """A link to a row of another module: indexed, nullable, no foreign key."""
    return mapped_column(UUID(as_uuid=True), nullable=True, index=True)


def _process_fk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("procurement_processes.id"), index=True)


class ProcurementProcess(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "procurement_processes"
    __table_args__ = (
        Index("ix_procurement_processes_scope", "tenant_id", "organization_id", postgresql_where=LIVE),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status_value: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    status_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    type_value: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    type_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    type_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    type_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer_entity_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), nullable=True, index=True
    )
    sales_quote_id: Mapped[uuid.UUID | None] = _plain_uuid()
    sales_invoice_id: Mapped[uuid.UUID | None] = _plain_uuid()
    resource_id: Mapped[uuid.UUID | None] = _plain_uuid()
    # Checked against the process's suppliers in the resolvers (the tables reference each other).
    selected_supplier_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    refinancing_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    refinancing_line_item_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    refinancing_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    handler_user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), nullable=True, index=True
    )


class ProcessLineItem(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "procurement_process_line_items"

    id: Mapped[uuid.UUID] = uuid_pk()
    process_id: Mapped[uuid.UUID] = _process_fk()
    title: Mapped[str] = mapped_column(String(300))
    specification: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity: Mapped[float | None] = mapped_column(Numeric(14, 3), nullable=True)
    unit_label: Mapped[str | None] = mapped_column(String(50), nullable=True)
    resource_id: Mapped[uuid.UUID | None] = _plain_uuid()
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class ProcessSupplier(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "procurement_process_suppliers"

    id: Mapped[uuid.UUID] = uuid_pk()
    process_id: Mapped[uuid.UUID] = _process_fk()
    vendor_customer_entity_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), nullable=True, index=True
    )
    vendor_label: Mapped[str] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    offer_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class SupplierLineItem(Base):
    """Which line items a supplier candidate offers."""

    __tablename__ = "procurement_supplier_line_items"

    supplier_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("procurement_process_suppliers.id"), primary_key=True
    )
    line_item_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("procurement_process_line_items.id"), primary_key=True, index=True
    )


class ProcessTask(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "procurement_process_tasks"

    id: Mapped[uuid.UUID] = uuid_pk()
    process_id: Mapped[uuid.UUID] = _process_fk()
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("procurement_process_suppliers.id"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    task_status: Mapped[str] = mapped_column(String(30), default="open", server_default="open")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assigned_user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), nullable=True, index=True
    )
    delegated_from_user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), nullable=True
    )
    source_action_value: Mapped[str | None] = mapped_column(String(100), nullable=True)


class ProcessTimelineEvent(OrgScoped, Base):
    """One entry of a process's timeline: system events (``process.created``...) and notes."""

    __tablename__ = "procurement_process_timeline"
    __table_args__ = (Index("ix_procurement_process_timeline_process_created", "process_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    process_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("procurement_processes.id"))
    event_type: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    actor_label: Mapped[str | None] = mapped_column(String(320), nullable=True)
    event_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), onupdate=text("now()")
    )


class ProcurementSettings(OrgScoped, Timestamps, Base):
    """Per-organization settings: the status and type catalogs and the defaults for new processes."""

    __tablename__ = "procurement_settings"
    __table_args__ = (Index("uq_procurement_settings_scope", "tenant_id", "organization_id", unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    statuses: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    types: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    default_status_value: Mapped[str | None] = mapped_column(String(100), nullable=True)
    default_type_value: Mapped[str | None] = mapped_column(String(100), nullable=True)
    completed_status_value: Mapped[str] = mapped_column(String(100), default="closed")
    refinancing_enabled_by_default: Mapped[bool] = mapped_column(Boolean, default=True)


class StatusTransitionRule(OrgScoped, Timestamps, Base):
    """An allowed move of a process's status; ``from_status_value`` null means from any status.
    Once an organization has rules, only the moves they allow are accepted."""

    __tablename__ = "procurement_status_transition_rules"
    __table_args__ = (
        Index(
            "uq_procurement_status_transition_rules_move",
            "tenant_id",
            "organization_id",
            text("coalesce(from_status_value, '')"),
            "to_status_value",
            unique=True,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    from_status_value: Mapped[str | None] = mapped_column(String(100), nullable=True)
    to_status_value: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
