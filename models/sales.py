"""Sales: quotes and orders with their lines, adjustments, payments, shipments and returns, the
dictionaries and methods they refer to, per-organization settings and document-number sequences.

Money and quantities are ``NUMERIC`` (``Decimal``); document totals are written only by
``resolvers.sales.totals`` (one recalculation for every path). Lines reference catalog products by
plain UUIDs (no foreign key: the catalog is another module) and keep a snapshot of name and price.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")
MONEY = Numeric(18, 4)
QUANTITY = Numeric(18, 6)
RATE = Numeric(9, 4)


def _uuid(nullable: bool = True, fk: str | None = None, index: bool = False) -> Any:
    args = [ForeignKey(fk)] if fk else []
    return mapped_column(UUID(as_uuid=True), *args, nullable=nullable, index=index)


def _money(nullable: bool = False) -> Any:
    return mapped_column(
        MONEY,
        nullable=nullable,
        default=Decimal(0) if not nullable else None,
        server_default=None if nullable else "0",
    )


# --- settings and dictionaries ----------------------------------------------------------------


class SalesChannel(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_channels"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_entry_id: Mapped[uuid.UUID | None] = _uuid()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class DictionaryEntry(OrgScoped, Timestamps, SoftDelete):
    """A value of one of the sales dictionaries (statuses, adjustment kinds)."""

    id: Mapped[uuid.UUID] = uuid_pk()
    value: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    color: Mapped[str | None] = mapped_column(String(30), nullable=True)
    icon: Mapped[str | None] = mapped_column(String(100), nullable=True)


class SalesOrderStatus(DictionaryEntry, Base):
    __tablename__ = "sales_order_statuses"


class SalesOrderLineStatus(DictionaryEntry, Base):
    __tablename__ = "sales_order_line_statuses"


class SalesPaymentStatus(DictionaryEntry, Base):
    __tablename__ = "sales_payment_statuses"


class SalesShipmentStatus(DictionaryEntry, Base):
    __tablename__ = "sales_shipment_statuses"


class SalesAdjustmentKind(DictionaryEntry, Base):
    __tablename__ = "sales_adjustment_kinds"


class SalesPaymentMethod(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_payment_methods"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    provider_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    terms: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    provider_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class SalesShippingMethod(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_shipping_methods"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    carrier_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    provider_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    service_level: Mapped[str | None] = mapped_column(String(100), nullable=True)
    estimated_transit_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    base_rate_net: Mapped[Decimal] = _money()
    base_rate_gross: Mapped[Decimal] = _money()
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    provider_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class SalesDeliveryWindow(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_delivery_windows"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    lead_time_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cutoff_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)


class SalesTaxRate(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_tax_rates"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    rate: Mapped[Decimal] = mapped_column(RATE)
    country_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_group_id: Mapped[uuid.UUID | None] = _uuid()
    product_category_id: Mapped[uuid.UUID | None] = _uuid()
    channel_id: Mapped[uuid.UUID | None] = _uuid()
    priority: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_compound: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SalesPriceKind(Timestamps, Base):
    """A kind of price (regular, sale, tax-included retail...): a platform reference list seeded by
    the migration, read by every tenant."""

    __tablename__ = "sales_price_kinds"
    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    display_mode: Mapped[str] = mapped_column(
        String(20), default="excluding-tax", server_default="excluding-tax"
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class SalesTag(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_tags"
    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    color: Mapped[str | None] = mapped_column(String(30), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class SalesSettings(OrgScoped, Timestamps, Base):
    """Per organization: document-number formats and which order statuses allow editing."""

    __tablename__ = "sales_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "organization_id", name="uq_sales_settings_scope"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    order_number_format: Mapped[str] = mapped_column(String(100), default="SO-{YYYY}-{seq:5}")
    quote_number_format: Mapped[str] = mapped_column(String(100), default="SQ-{YYYY}-{seq:5}")
    order_customer_editable_statuses: Mapped[list[str] | None] = mapped_column(JSONB, nullable=True)
    order_address_editable_statuses: Mapped[list[str] | None] = mapped_column(JSONB, nullable=True)


class SalesDocumentSequence(OrgScoped, Base):
    """The last number handed out per organization and kind (``order``, ``quote``, ``return``,
    ``shipment``): incremented with ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the
    command's transaction, so concurrent commands queue on the row and never share a number."""

    __tablename__ = "sales_document_sequences"
    __table_args__ = (
        UniqueConstraint("tenant_id", "organization_id", "kind", name="uq_sales_document_sequences_kind"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(20))
    last_value: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- documents --------------------------------------------------------------------------------


class SalesDocument(OrgScoped, Timestamps, SoftDelete):
    """Columns quotes and orders share: customer, addresses, methods, currency and totals."""

    id: Mapped[uuid.UUID] = uuid_pk()
    status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status_entry_id: Mapped[uuid.UUID | None] = _uuid()
    customer_contact_id: Mapped[uuid.UUID | None] = _uuid()
    billing_address_id: Mapped[uuid.UUID | None] = _uuid()
    shipping_address_id: Mapped[uuid.UUID | None] = _uuid()
    customer_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    external_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expected_delivery_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    customer_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    billing_address_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    shipping_address_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    shipping_method_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    shipping_method_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    payment_method_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    payment_method_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    currency_code: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    line_item_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    subtotal_net_amount: Mapped[Decimal] = _money()
    subtotal_gross_amount: Mapped[Decimal] = _money()
    discount_total_amount: Mapped[Decimal] = _money()
    tax_total_amount: Mapped[Decimal] = _money()
    shipping_net_amount: Mapped[Decimal] = _money()
    shipping_gross_amount: Mapped[Decimal] = _money()
    surcharge_total_amount: Mapped[Decimal] = _money()
    grand_total_net_amount: Mapped[Decimal] = _money()
    grand_total_gross_amount: Mapped[Decimal] = _money()
    paid_total_amount: Mapped[Decimal] = _money()
    refunded_total_amount: Mapped[Decimal] = _money()
    outstanding_amount: Mapped[Decimal] = _money()

    @declared_attr
    def customer_entity_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(
            UUID(as_uuid=True), ForeignKey("customer_entities.id"), nullable=True, index=True
        )

    @declared_attr
    def deal_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(UUID(as_uuid=True), ForeignKey("customer_deals.id"), nullable=True, index=True)

    @declared_attr
    def channel_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(UUID(as_uuid=True), ForeignKey("sales_channels.id"), nullable=True, index=True)

    @declared_attr
    def shipping_method_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(UUID(as_uuid=True), ForeignKey("sales_shipping_methods.id"), nullable=True)

    @declared_attr
    def payment_method_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(UUID(as_uuid=True), ForeignKey("sales_payment_methods.id"), nullable=True)


class SalesQuote(SalesDocument, Base):
    """A quote; ``send`` gives it a public link (only the token's SHA-256 is stored) until
    ``public_token_expires_at``; accepting or converting it makes an order (``converted_order_id``)."""

    __tablename__ = "sales_quotes"
    __table_args__ = (
        Index("uq_sales_quotes_number", "tenant_id", "organization_id", "quote_number", unique=True),
        Index("ix_sales_quotes_created", "tenant_id", "created_at"),
    )
    quote_number: Mapped[str] = mapped_column(String(100))
    converted_order_id: Mapped[uuid.UUID | None] = _uuid()
    public_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    public_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SalesOrder(SalesDocument, Base):
    __tablename__ = "sales_orders"
    __table_args__ = (
        Index("uq_sales_orders_number", "tenant_id", "organization_id", "order_number", unique=True),
        Index("ix_sales_orders_created", "tenant_id", "created_at"),
    )
    order_number: Mapped[str] = mapped_column(String(100))
    fulfillment_status: Mapped[str | None] = mapped_column(String(50), nullable=True)
    payment_status: Mapped[str | None] = mapped_column(String(50), nullable=True)
    quote_id: Mapped[uuid.UUID | None] = _uuid()


class SalesLine(OrgScoped, Timestamps):
    """Columns quote and order lines share (totals are written by the recalculation)."""

    id: Mapped[uuid.UUID] = uuid_pk()
    line_number: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(30), default="product", server_default="product")
    status_entry_id: Mapped[uuid.UUID | None] = _uuid()
    status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    product_id: Mapped[uuid.UUID | None] = _uuid()
    product_variant_id: Mapped[uuid.UUID | None] = _uuid()
    catalog_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    sku: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(1))
    quantity_unit: Mapped[str | None] = mapped_column(String(30), nullable=True)
    normalized_quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(1))
    normalized_unit: Mapped[str | None] = mapped_column(String(30), nullable=True)
    uom_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    currency_code: Mapped[str] = mapped_column(String(3))
    unit_price_net: Mapped[Decimal] = _money()
    unit_price_gross: Mapped[Decimal] = _money()
    unit_price_reference: Mapped[str | None] = mapped_column(String(10), nullable=True)
    discount_amount: Mapped[Decimal] = _money()
    discount_percent: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0), server_default="0")
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0), server_default="0")
    tax_amount: Mapped[Decimal] = _money()
    total_net_amount: Mapped[Decimal] = _money()
    total_gross_amount: Mapped[Decimal] = _money()
    configuration: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    promotion_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    promotion_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    custom_field_set_id: Mapped[uuid.UUID | None] = _uuid()


class SalesQuoteLine(SalesLine, Base):
    __tablename__ = "sales_quote_lines"
    quote_id: Mapped[uuid.UUID] = _uuid(False, "sales_quotes.id", index=True)


class SalesOrderLine(SalesLine, Base):
    __tablename__ = "sales_order_lines"
    order_id: Mapped[uuid.UUID] = _uuid(False, "sales_orders.id", index=True)


class SalesAdjustment(OrgScoped, Timestamps):
    """A discount, surcharge or shipping charge on a document (or one of its lines): a percentage
    (``rate``) of the base, or fixed amounts; the amounts are written by the recalculation."""

    id: Mapped[uuid.UUID] = uuid_pk()
    scope: Mapped[str] = mapped_column(String(20), default="order", server_default="order")
    kind: Mapped[str] = mapped_column(String(50), default="discount", server_default="discount")
    code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    calculator_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    promotion_id: Mapped[uuid.UUID | None] = _uuid()
    rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)
    amount_net: Mapped[Decimal] = _money()
    amount_gross: Mapped[Decimal] = _money()
    fixed_net: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    fixed_gross: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SalesQuoteAdjustment(SalesAdjustment, Base):
    __tablename__ = "sales_quote_adjustments"
    quote_id: Mapped[uuid.UUID] = _uuid(False, "sales_quotes.id", index=True)
    quote_line_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_quote_lines.id")


class SalesOrderAdjustment(SalesAdjustment, Base):
    __tablename__ = "sales_order_adjustments"
    order_id: Mapped[uuid.UUID] = _uuid(False, "sales_orders.id", index=True)
    order_line_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_order_lines.id")


class SalesPayment(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_payments"
    id: Mapped[uuid.UUID] = uuid_pk()
    order_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_orders.id", index=True)
    payment_method_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_payment_methods.id")
    payment_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status_entry_id: Mapped[uuid.UUID | None] = _uuid()
    status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency_code: Mapped[str] = mapped_column(String(3))
    captured_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    refunded_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    captured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    custom_field_set_id: Mapped[uuid.UUID | None] = _uuid()
    custom_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)


class SalesShipment(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_shipments"
    id: Mapped[uuid.UUID] = uuid_pk()
    order_id: Mapped[uuid.UUID] = _uuid(False, "sales_orders.id", index=True)
    shipment_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    shipping_method_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_shipping_methods.id")
    status_entry_id: Mapped[uuid.UUID | None] = _uuid()
    status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    carrier_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tracking_numbers: Mapped[list[str] | None] = mapped_column(JSONB, nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    weight_value: Mapped[Decimal | None] = mapped_column(QUANTITY, nullable=True)
    weight_unit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    declared_value_net: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    declared_value_gross: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    custom_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    items_snapshot: Mapped[list[Any] | None] = mapped_column(JSONB, nullable=True)


class SalesReturn(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_returns"
    id: Mapped[uuid.UUID] = uuid_pk()
    order_id: Mapped[uuid.UUID] = _uuid(False, "sales_orders.id", index=True)
    return_number: Mapped[str] = mapped_column(String(100))
    status_entry_id: Mapped[uuid.UUID | None] = _uuid()
    status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    total_net_amount: Mapped[Decimal] = _money()
    total_gross_amount: Mapped[Decimal] = _money()


class SalesReturnLine(OrgScoped, Timestamps, Base):
    __tablename__ = "sales_return_lines"
    id: Mapped[uuid.UUID] = uuid_pk()
    return_id: Mapped[uuid.UUID] = _uuid(False, "sales_returns.id", index=True)
    order_line_id: Mapped[uuid.UUID] = _uuid(False, "sales_order_lines.id", index=True)
    quantity_returned: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price_net: Mapped[Decimal] = _money()
    unit_price_gross: Mapped[Decimal] = _money()
    total_net_amount: Mapped[Decimal] = _money()
    total_gross_amount: Mapped[Decimal] = _money()


class SalesNote(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_notes"
    id: Mapped[uuid.UUID] = uuid_pk()
    context_type: Mapped[str] = mapped_column(String(20))
    context_id: Mapped[uuid.UUID] = _uuid(False, index=True)
    order_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_orders.id")
    quote_id: Mapped[uuid.UUID | None] = _uuid(True, "sales_quotes.id")
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_user_id: Mapped[uuid.UUID | None] = _uuid()
    appearance_icon: Mapped[str | None] = mapped_column(String(100), nullable=True)
    appearance_color: Mapped[str | None] = mapped_column(String(30), nullable=True)


class SalesDocumentAddress(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "sales_document_addresses"
    id: Mapped[uuid.UUID] = uuid_pk()
    document_id: Mapped[uuid.UUID] = _uuid(False, index=True)
    document_kind: Mapped[str] = mapped_column(String(20))
    customer_address_id: Mapped[uuid.UUID | None] = _uuid()
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(50), nullable=True)
    company_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address_line1: Mapped[str] = mapped_column(String(300))
    address_line2: Mapped[str | None] = mapped_column(String(300), nullable=True)
    building_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    flat_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    region: Mapped[str | None] = mapped_column(String(200), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)


class SalesDocumentTag(OrgScoped, Base):
    """A tag on a quote or an order."""

    __tablename__ = "sales_document_tags"
    __table_args__ = (UniqueConstraint("document_id", "tag_id", name="uq_sales_document_tags_pair"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    document_id: Mapped[uuid.UUID] = _uuid(False, index=True)
    document_kind: Mapped[str] = mapped_column(String(20))
    tag_id: Mapped[uuid.UUID] = _uuid(False, "sales_tags.id", index=True)


class SalesDocumentEvent(OrgScoped, Base):
    """One recorded change of a quote or an order (status, lines, totals, payments...)."""

    __tablename__ = "sales_document_events"
    __table_args__ = (Index("ix_sales_document_events_doc", "document_id", "occurred_at"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    document_kind: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(300))
    actor_user_id: Mapped[uuid.UUID | None] = _uuid()
    actor_label: Mapped[str] = mapped_column(String(320), default="system")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
