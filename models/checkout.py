"""Checkout: templates of pay pages, pay links (public pages at ``/checkout/pay/{slug}``, optionally
password-protected) and the payments made through them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk
from models.payment_gateways import MONEY


class PayPageFields:
    """What a template and a link both describe: the page and the amount it asks for."""

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    currency_code: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    allow_custom_amount: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    min_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    max_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    provider_key: Mapped[str] = mapped_column(String(50), default="manual", server_default="manual")
    success_message: Mapped[str | None] = mapped_column(Text, nullable=True)


class CheckoutTemplate(PayPageFields, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "checkout_templates"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))


class CheckoutLink(PayPageFields, OrgScoped, Timestamps, SoftDelete, Base):
    """A pay page; ``slug`` is unique among live links of every tenant (the public path names it)."""

    __tablename__ = "checkout_links"
    __table_args__ = (
        Index("uq_checkout_links_slug", "slug", unique=True, postgresql_where=text("deleted_at IS NULL")),
        CheckConstraint("use_count >= 0", name="use_count_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("checkout_templates.id"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    password_protected: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    max_uses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    use_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class CheckoutTransaction(OrgScoped, Timestamps, Base):
    """A payment submitted on a pay page; ``status`` mirrors its payment transaction's."""

    __tablename__ = "checkout_transactions"

    id: Mapped[uuid.UUID] = uuid_pk()
    link_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("checkout_links.id"), index=True
    )
    payment_transaction_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payment_transactions.id"), index=True, unique=True
    )
    provider_key: Mapped[str] = mapped_column(String(50))
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(30), default="pending", server_default="pending")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency_code: Mapped[str] = mapped_column(String(3))
    customer_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
