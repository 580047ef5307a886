"""Selling entities (the organization's own legal entities that issue invoices), their per-year
invoice number counters, and invoices with line items and a VAT breakdown (exact NUMERIC amounts)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, TenantScoped, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


class SellingEntity(OrgScoped, Timestamps, SoftDelete, Base):
    """A legal entity of the organization that issues invoices, numbered ``{prefix}/{year}/{n}``."""

    __tablename__ = "accounting_selling_entities"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str | None] = mapped_column(String(20), nullable=True)
    regon: Mapped[str | None] = mapped_column(String(20), nullable=True)
    address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    bank_account: Mapped[str | None] = mapped_column(String(40), nullable=True)
    bank_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    invoice_prefix: Mapped[str] = mapped_column(String(20), server_default="FV")
    default_payment_term_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default="false")


class InvoiceCounter(TenantScoped, Base):
    """The last number issued by a selling entity in a year; locked by the invoice's transaction."""

    __tablename__ = "accounting_invoice_counters"

    selling_entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("accounting_selling_entities.id", name="fk_accounting_invoice_counters_entity"),
        primary_key=True,
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, server_default="0")


class Invoice(OrgScoped, Timestamps, SoftDelete, Base):
    """An issued or received invoice; totals derived from its line items (net, VAT, gross)."""

    __tablename__ = "accounting_invoices"
    __table_args__ = (
        Index(
            "uq_accounting_invoices_seller_number",
            "tenant_id",
            "seller_entity_id",
            "document_number",
            unique=True,
            postgresql_where=text(
                "deleted_at IS NULL AND seller_entity_id IS NOT NULL AND document_kind = 'issued'"
            ),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    document_number: Mapped[str] = mapped_column(String(100))
    document_kind: Mapped[str] = mapped_column(String(20), server_default="issued")
    issue_date: Mapped[date] = mapped_column(Date)
    sales_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    payment_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    payment_term_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payment_method: Mapped[str | None] = mapped_column(String(50), nullable=True)
    payment_account: Mapped[str | None] = mapped_column(String(40), nullable=True)
    seller_entity_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("accounting_selling_entities.id", name="fk_accounting_invoices_seller_entity"),
        index=True,
        nullable=True,
    )
    seller_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    seller_nip: Mapped[str | None] = mapped_column(String(20), nullable=True)
    seller_regon: Mapped[str | None] = mapped_column(String(20), nullable=True)
    seller_address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    buyer_entity_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    buyer_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    buyer_nip: Mapped[str | None] = mapped_column(String(20), nullable=True)
    buyer_regon: Mapped[str | None] = mapped_column(String(20), nullable=True)
    buyer_address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    line_items: Mapped[list[Any] | None] = mapped_column(JSONB, nullable=True)
    vat_breakdown: Mapped[list[Any] | None] = mapped_column(JSONB, nullable=True)
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    counterparty_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    external_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    net_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    vat_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    source_system: Mapped[str | None] = mapped_column(String(50), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_draft: Mapped[bool] = mapped_column(Boolean, server_default="false")
