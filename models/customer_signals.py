"""Customer signals: events about a customer ingested from outside (idempotent by external id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class CustomerSignal(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_signals"
    __table_args__ = (
        Index(
            "uq_customer_signals_external_id",
            "tenant_id",
            "organization_id",
            "source",
            "external_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_customer_signals_occurred", "tenant_id", "occurred_at"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    signal_type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(120))
    external_id: Mapped[str] = mapped_column(String(191))
    customer_entity_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), nullable=True, index=True
    )
    deal_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_deals.id"), nullable=True, index=True
    )
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
