"""Payment transactions (one payment at a provider, exact amounts) and their history: every status
change, whether a command of ours or a provider's webhook event (deduplicated by the event id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Numeric, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, Timestamps, uuid_pk

MONEY = Numeric(18, 2)


class PaymentTransaction(OrgScoped, Timestamps, Base):
    """A payment at ``provider_key`` (its id there: ``gateway_transaction_id``); ``status`` follows
    ``resolvers.payment_gateways.states``. ``order_id`` names a sales order (no foreign key)."""

    __tablename__ = "payment_transactions"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("captured_amount >= 0 AND captured_amount <= amount", name="captured_in_range"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= captured_amount", name="refund_in_range"
        ),
        Index("uq_payment_transactions_gateway", "provider_key", "gateway_transaction_id", unique=True),
        Index(
            "uq_payment_transactions_idempotency",
            "tenant_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    provider_key: Mapped[str] = mapped_column(String(50))
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="pending", server_default="pending")
    capture_method: Mapped[str] = mapped_column(String(20), default="automatic", server_default="automatic")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    captured_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), server_default="0")
    refunded_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), server_default="0")
    currency_code: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    error_message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PaymentTransactionEvent(OrgScoped, Base):
    """One step of a transaction's history: ``kind`` session/capture/refund/cancel (our commands)
    or webhook (``provider_event_id``: unique per provider, so a redelivered event is seen once)."""

    __tablename__ = "payment_transaction_events"
    __table_args__ = (
        Index(
            "uq_payment_transaction_events_provider_event",
            "provider_key",
            "provider_event_id",
            unique=True,
            postgresql_where=text("provider_event_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    transaction_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment_transactions.id"), index=True
    )
    provider_key: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    event_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    provider_event_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    from_status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), default="applied", server_default="applied")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
