"""The product catalog: categories (a tree), service lines, option schemas, price kinds, products
with their variants, offers (a product on a sales channel), exact prices, unit conversions and tags."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, TenantScoped, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")
MONEY = Numeric(16, 4)  # unit prices: four places; gross is rounded to the currency's minor units
RATE = Numeric(7, 4)  # tax rates in percent (23.0000 = 23 %)
QUANTITY = Numeric(18, 6)


def _fk(target: str, nullable: bool = True) -> Mapped[Any]:
    return mapped_column(UUID(as_uuid=True), ForeignKey(target), index=True, nullable=nullable)


class CatalogCategory(OrgScoped, Timestamps, SoftDelete, Base):
    """A node of the category tree: ``tree_path`` is the ids from the root down to it, joined by
    ``/``; ``depth`` 0 is a root; ``path_label`` the names, joined by `` / ``."""

    __tablename__ = "catalog_categories"
    __table_args__ = (
        Index(
            "ix_catalog_categories_tree_path", "tree_path", postgresql_ops={"tree_path": "text_pattern_ops"}
        ),
        Index(
            "uq_catalog_categories_slug",
            "tenant_id",
            "organization_id",
            "slug",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND slug IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str | None] = mapped_column(String(150), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    parent_id: Mapped[uuid.UUID | None] = _fk("catalog_categories.id")
    depth: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    tree_path: Mapped[str] = mapped_column(Text, default="", server_default="")
    path_label: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CatalogServiceLine(OrgScoped, Timestamps, SoftDelete, Base):
    """A line of business products belong to (e.g. storage, servicing, financing)."""

    __tablename__ = "catalog_service_lines"
    __table_args__ = (
        Index(
            "uq_catalog_service_lines_code",
            "tenant_id",
            "organization_id",
            "code",
            unique=True,
            postgresql_where=LIVE,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CatalogOptionSchema(OrgScoped, Timestamps, SoftDelete, Base):
    """A template of configurable options (``{"options": [{code, label, inputType, choices}]}``)."""

    __tablename__ = "catalog_option_schemas"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    schema_: Mapped[dict[str, Any]] = mapped_column("schema", JSONB, default=dict, server_default="{}")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CatalogPriceKind(OrgScoped, Timestamps, SoftDelete, Base):
    """A kind of price (regular, promotion...): shown with or without tax."""

    __tablename__ = "catalog_price_kinds"
    __table_args__ = (
        Index("uq_catalog_price_kinds_code", "tenant_id", "code", unique=True, postgresql_where=LIVE),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    display_mode: Mapped[str] = mapped_column(
        String(20), default="excluding-tax", server_default="excluding-tax"
    )
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    is_promotion: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CatalogProduct(OrgScoped, Timestamps, SoftDelete, Base):
    """A product or service of the catalog; ``category_id`` is its primary category (it may sit in
    more, ``catalog_product_categories``)."""

    __tablename__ = "catalog_products"
    __table_args__ = (
        Index(
            "uq_catalog_products_sku",
            "tenant_id",
            "organization_id",
            "sku",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND sku IS NOT NULL"),
        ),
        CheckConstraint("weight_value IS NULL OR weight_value >= 0", name="weight_not_negative"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str | None] = mapped_column(String(300), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    sku: Mapped[str | None] = mapped_column(String(100), nullable=True)
    handle: Mapped[str | None] = mapped_column(String(150), nullable=True)
    service_line_id: Mapped[uuid.UUID | None] = _fk("catalog_service_lines.id")
    service_line_attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    category_id: Mapped[uuid.UUID | None] = _fk("catalog_categories.id")
    option_schema_id: Mapped[uuid.UUID | None] = _fk("catalog_option_schemas.id")
    product_type: Mapped[str] = mapped_column(String(20), default="simple", server_default="simple")
    status_entry_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    primary_currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    tax_rate_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    tax_rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)
    default_unit: Mapped[str | None] = mapped_column(String(50), nullable=True)
    default_sales_unit: Mapped[str | None] = mapped_column(String(50), nullable=True)
    default_sales_unit_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY, nullable=True)
    uom_rounding_scale: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    uom_rounding_mode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    unit_price_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    unit_price_reference_unit: Mapped[str | None] = mapped_column(String(50), nullable=True)
    unit_price_base_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY, nullable=True)
    default_media_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    default_media_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    weight_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 4), nullable=True)
    weight_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    dimensions: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    is_configurable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    custom_fieldset_code: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CatalogProductCategory(TenantScoped, Base):
    """A product in a category."""

    __tablename__ = "catalog_product_categories"
    __table_args__ = (
        UniqueConstraint("product_id", "category_id", name="uq_catalog_product_categories_pair"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    product_id: Mapped[uuid.UUID] = _fk("catalog_products.id", nullable=False)
    category_id: Mapped[uuid.UUID] = _fk("catalog_categories.id", nullable=False)


class CatalogTag(OrgScoped, Timestamps, Base):
    """A product tag (``slug`` unique per organization)."""

    __tablename__ = "catalog_tags"
    __table_args__ = (UniqueConstraint("tenant_id", "organization_id", "slug", name="uq_catalog_tags_slug"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    label: Mapped[str] = mapped_column(String(150))
    slug: Mapped[str] = mapped_column(String(150))


class CatalogProductTag(TenantScoped, Base):
    """A tag on a product."""

    __tablename__ = "catalog_product_tags"
    __table_args__ = (UniqueConstraint("product_id", "tag_id", name="uq_catalog_product_tags_pair"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    product_id: Mapped[uuid.UUID] = _fk("catalog_products.id", nullable=False)
    tag_id: Mapped[uuid.UUID] = _fk("catalog_tags.id", nullable=False)


class CatalogVariant(OrgScoped, Timestamps, SoftDelete, Base):
    """A sellable variant of a product (at most one default per product)."""

    __tablename__ = "catalog_product_variants"
    __table_args__ = (
        Index(
            "uq_catalog_product_variants_default",
            "product_id",
            unique=True,
            postgresql_where=text("is_default AND deleted_at IS NULL"),
        ),
        Index(
            "uq_catalog_product_variants_sku",
            "tenant_id",
            "organization_id",
            "sku",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND sku IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    product_id: Mapped[uuid.UUID] = _fk("catalog_products.id", nullable=False)
    name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    sku: Mapped[str | None] = mapped_column(String(100), nullable=True)
    barcode: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status_entry_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    weight_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 4), nullable=True)
    weight_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    dimensions: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    option_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    custom_fieldset_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    default_media_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    default_media_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    tax_rate_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    tax_rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)


class CatalogOffer(OrgScoped, Timestamps, SoftDelete, Base):
    """A product offered on a sales channel (the channel belongs to the sales module)."""

    __tablename__ = "catalog_offers"

    id: Mapped[uuid.UUID] = uuid_pk()
    product_id: Mapped[uuid.UUID] = _fk("catalog_products.id", nullable=False)
    channel_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    default_media_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    default_media_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CatalogPrice(OrgScoped, Timestamps, SoftDelete, Base):
    """An exact price of a product, variant or offer in one currency and price kind: net, the tax
    rate (percent), gross = net × (1 + rate/100) rounded half-up to the currency's minor units, and
    the tax amount (gross − net)."""

    __tablename__ = "catalog_prices"
    __table_args__ = (
        CheckConstraint("unit_price_net >= 0 AND unit_price_gross >= 0", name="price_not_negative"),
        CheckConstraint("max_quantity IS NULL OR max_quantity >= min_quantity", name="quantity_range"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    product_id: Mapped[uuid.UUID] = _fk("catalog_products.id", nullable=False)
    variant_id: Mapped[uuid.UUID | None] = _fk("catalog_product_variants.id")
    offer_id: Mapped[uuid.UUID | None] = _fk("catalog_offers.id")
    price_kind_id: Mapped[uuid.UUID] = _fk("catalog_price_kinds.id", nullable=False)
    currency_code: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(100))
    min_quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    max_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit_price_net: Mapped[Decimal] = mapped_column(MONEY)
    unit_price_gross: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0), server_default="0")
    tax_amount: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    channel_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    user_group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    customer_group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CatalogUnitConversion(OrgScoped, Timestamps, SoftDelete, Base):
    """1 ``unit_code`` of a product = ``to_base_factor`` of its base unit (exact, > 0)."""

    __tablename__ = "catalog_product_unit_conversions"
    __table_args__ = (
        Index(
            "uq_catalog_product_unit_conversions_unit",
            "product_id",
            "unit_code",
            unique=True,
            postgresql_where=LIVE,
        ),
        CheckConstraint("to_base_factor > 0", name="factor_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    product_id: Mapped[uuid.UUID] = _fk("catalog_products.id", nullable=False)
    unit_code: Mapped[str] = mapped_column(String(50))
    to_base_factor: Mapped[Decimal] = mapped_column(QUANTITY)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
