"""catalog: categories (a tree), service lines, option schemas, price kinds, products with their
categories and tags, variants, offers, exact prices and unit conversions

Row-level security is applied to every table with ``tenant_id`` by ``crmgraph migrate``.

Revision ID: 0019
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_categories",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=150), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("depth", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("tree_path", sa.Text(), server_default="", nullable=False),
        sa.Column("path_label", sa.Text(), server_default="", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_categories_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["catalog_categories.id"],
            name=op.f("fk_catalog_categories_parent_id_catalog_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_categories_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_categories")),
    )
    op.create_index(
        op.f("ix_catalog_categories_organization_id"), "catalog_categories", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_categories_parent_id"), "catalog_categories", ["parent_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_categories_tenant_id"), "catalog_categories", ["tenant_id"], unique=False
    )
    op.create_index(
        "ix_catalog_categories_tree_path",
        "catalog_categories",
        ["tree_path"],
        unique=False,
        postgresql_ops={"tree_path": "text_pattern_ops"},
    )
    op.create_index(
        "uq_catalog_categories_slug",
        "catalog_categories",
        ["tenant_id", "organization_id", "slug"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND slug IS NOT NULL"),
    )
    op.create_table(
        "catalog_option_schemas",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("schema", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_option_schemas_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_option_schemas_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_option_schemas")),
    )
    op.create_index(
        op.f("ix_catalog_option_schemas_organization_id"),
        "catalog_option_schemas",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_option_schemas_tenant_id"), "catalog_option_schemas", ["tenant_id"], unique=False
    )
    op.create_table(
        "catalog_price_kinds",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("display_mode", sa.String(length=20), server_default="excluding-tax", nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("is_promotion", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_price_kinds_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_price_kinds_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_price_kinds")),
    )
    op.create_index(
        op.f("ix_catalog_price_kinds_organization_id"),
        "catalog_price_kinds",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_price_kinds_tenant_id"), "catalog_price_kinds", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_catalog_price_kinds_code",
        "catalog_price_kinds",
        ["tenant_id", "code"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "catalog_service_lines",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_service_lines_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_service_lines_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_service_lines")),
    )
    op.create_index(
        op.f("ix_catalog_service_lines_organization_id"),
        "catalog_service_lines",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_service_lines_tenant_id"), "catalog_service_lines", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_catalog_service_lines_code",
        "catalog_service_lines",
        ["tenant_id", "organization_id", "code"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "catalog_tags",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("label", sa.String(length=150), nullable=False),
        sa.Column("slug", sa.String(length=150), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_tags_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_tags_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_tags")),
        sa.UniqueConstraint("tenant_id", "organization_id", "slug", name="uq_catalog_tags_slug"),
    )
    op.create_index(
        op.f("ix_catalog_tags_organization_id"), "catalog_tags", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_catalog_tags_tenant_id"), "catalog_tags", ["tenant_id"], unique=False)
    op.create_table(
        "catalog_products",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("subtitle", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("handle", sa.String(length=150), nullable=True),
        sa.Column("service_line_id", sa.UUID(), nullable=True),
        sa.Column("service_line_attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("category_id", sa.UUID(), nullable=True),
        sa.Column("option_schema_id", sa.UUID(), nullable=True),
        sa.Column("product_type", sa.String(length=20), server_default="simple", nullable=False),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("primary_currency_code", sa.String(length=3), nullable=True),
        sa.Column("tax_rate_id", sa.UUID(), nullable=True),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("default_unit", sa.String(length=50), nullable=True),
        sa.Column("default_sales_unit", sa.String(length=50), nullable=True),
        sa.Column("default_sales_unit_quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("uom_rounding_scale", sa.SmallInteger(), nullable=True),
        sa.Column("uom_rounding_mode", sa.String(length=20), nullable=True),
        sa.Column("unit_price_enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("unit_price_reference_unit", sa.String(length=50), nullable=True),
        sa.Column("unit_price_base_quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("default_media_id", sa.UUID(), nullable=True),
        sa.Column("default_media_url", sa.String(length=2000), nullable=True),
        sa.Column("weight_value", sa.Numeric(precision=16, scale=4), nullable=True),
        sa.Column("weight_unit", sa.String(length=20), nullable=True),
        sa.Column("dimensions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("is_configurable", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("custom_fieldset_code", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "weight_value IS NULL OR weight_value >= 0", name=op.f("ck_catalog_products_weight_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_categories.id"],
            name=op.f("fk_catalog_products_category_id_catalog_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["option_schema_id"],
            ["catalog_option_schemas.id"],
            name=op.f("fk_catalog_products_option_schema_id_catalog_option_schemas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_products_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_line_id"],
            ["catalog_service_lines.id"],
            name=op.f("fk_catalog_products_service_line_id_catalog_service_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_products_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_products")),
    )
    op.create_index(
        op.f("ix_catalog_products_category_id"), "catalog_products", ["category_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_products_option_schema_id"), "catalog_products", ["option_schema_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_products_organization_id"), "catalog_products", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_products_service_line_id"), "catalog_products", ["service_line_id"], unique=False
    )
    op.create_index(op.f("ix_catalog_products_tenant_id"), "catalog_products", ["tenant_id"], unique=False)
    op.create_index(
        "uq_catalog_products_sku",
        "catalog_products",
        ["tenant_id", "organization_id", "sku"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND sku IS NOT NULL"),
    )
    op.create_table(
        "catalog_offers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("channel_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("default_media_id", sa.UUID(), nullable=True),
        sa.Column("default_media_url", sa.String(length=2000), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_offers_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_offers_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_offers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_offers")),
    )
    op.create_index(op.f("ix_catalog_offers_channel_id"), "catalog_offers", ["channel_id"], unique=False)
    op.create_index(
        op.f("ix_catalog_offers_organization_id"), "catalog_offers", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_catalog_offers_product_id"), "catalog_offers", ["product_id"], unique=False)
    op.create_index(op.f("ix_catalog_offers_tenant_id"), "catalog_offers", ["tenant_id"], unique=False)
    op.create_table(
        "catalog_product_categories",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("category_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_categories.id"],
            name=op.f("fk_catalog_product_categories_category_id_catalog_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_product_categories_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_product_categories_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_categories")),
        sa.UniqueConstraint("product_id", "category_id", name="uq_catalog_product_categories_pair"),
    )
    op.create_index(
        op.f("ix_catalog_product_categories_category_id"),
        "catalog_product_categories",
        ["category_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_product_categories_product_id"),
        "catalog_product_categories",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_product_categories_tenant_id"),
        "catalog_product_categories",
        ["tenant_id"],
        unique=False,
    )
    op.create_table(
        "catalog_product_tags",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("tag_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_product_tags_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["catalog_tags.id"], name=op.f("fk_catalog_product_tags_tag_id_catalog_tags")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_product_tags_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_tags")),
        sa.UniqueConstraint("product_id", "tag_id", name="uq_catalog_product_tags_pair"),
    )
    op.create_index(
        op.f("ix_catalog_product_tags_product_id"), "catalog_product_tags", ["product_id"], unique=False
    )
    op.create_index(op.f("ix_catalog_product_tags_tag_id"), "catalog_product_tags", ["tag_id"], unique=False)
    op.create_index(
        op.f("ix_catalog_product_tags_tenant_id"), "catalog_product_tags", ["tenant_id"], unique=False
    )
    op.create_table(
        "catalog_product_unit_conversions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("unit_code", sa.String(length=50), nullable=False),
        sa.Column("to_base_factor", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "to_base_factor > 0", name=op.f("ck_catalog_product_unit_conversions_factor_positive")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_product_unit_conversions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_product_unit_conversions_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_product_unit_conversions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_unit_conversions")),
    )
    op.create_index(
        op.f("ix_catalog_product_unit_conversions_organization_id"),
        "catalog_product_unit_conversions",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_product_unit_conversions_product_id"),
        "catalog_product_unit_conversions",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_product_unit_conversions_tenant_id"),
        "catalog_product_unit_conversions",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        "uq_catalog_product_unit_conversions_unit",
        "catalog_product_unit_conversions",
        ["product_id", "unit_code"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "catalog_product_variants",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("barcode", sa.String(length=100), nullable=True),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("weight_value", sa.Numeric(precision=16, scale=4), nullable=True),
        sa.Column("weight_unit", sa.String(length=20), nullable=True),
        sa.Column("dimensions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("option_values", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("custom_fieldset_code", sa.String(length=100), nullable=True),
        sa.Column("default_media_id", sa.UUID(), nullable=True),
        sa.Column("default_media_url", sa.String(length=2000), nullable=True),
        sa.Column("tax_rate_id", sa.UUID(), nullable=True),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_product_variants_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_product_variants_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_product_variants_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_variants")),
    )
    op.create_index(
        op.f("ix_catalog_product_variants_organization_id"),
        "catalog_product_variants",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_product_variants_product_id"),
        "catalog_product_variants",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_catalog_product_variants_tenant_id"), "catalog_product_variants", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_catalog_product_variants_default",
        "catalog_product_variants",
        ["product_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND deleted_at IS NULL"),
    )
    op.create_index(
        "uq_catalog_product_variants_sku",
        "catalog_product_variants",
        ["tenant_id", "organization_id", "sku"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND sku IS NOT NULL"),
    )
    op.create_table(
        "catalog_prices",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("variant_id", sa.UUID(), nullable=True),
        sa.Column("offer_id", sa.UUID(), nullable=True),
        sa.Column("price_kind_id", sa.UUID(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("min_quantity", sa.Integer(), server_default="1", nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=True),
        sa.Column("unit_price_net", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("unit_price_gross", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), server_default="0", nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("tax_rate_id", sa.UUID(), nullable=True),
        sa.Column("channel_id", sa.UUID(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("user_group_id", sa.UUID(), nullable=True),
        sa.Column("customer_id", sa.UUID(), nullable=True),
        sa.Column("customer_group_id", sa.UUID(), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "max_quantity IS NULL OR max_quantity >= min_quantity",
            name=op.f("ck_catalog_prices_quantity_range"),
        ),
        sa.CheckConstraint(
            "unit_price_net >= 0 AND unit_price_gross >= 0", name=op.f("ck_catalog_prices_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["catalog_offers.id"], name=op.f("fk_catalog_prices_offer_id_catalog_offers")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_prices_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["price_kind_id"],
            ["catalog_price_kinds.id"],
            name=op.f("fk_catalog_prices_price_kind_id_catalog_price_kinds"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_prices_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_prices_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["catalog_product_variants.id"],
            name=op.f("fk_catalog_prices_variant_id_catalog_product_variants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_prices")),
    )
    op.create_index(op.f("ix_catalog_prices_offer_id"), "catalog_prices", ["offer_id"], unique=False)
    op.create_index(
        op.f("ix_catalog_prices_organization_id"), "catalog_prices", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_prices_price_kind_id"), "catalog_prices", ["price_kind_id"], unique=False
    )
    op.create_index(op.f("ix_catalog_prices_product_id"), "catalog_prices", ["product_id"], unique=False)
    op.create_index(op.f("ix_catalog_prices_tenant_id"), "catalog_prices", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_catalog_prices_variant_id"), "catalog_prices", ["variant_id"], unique=False)


def downgrade() -> None:
    op.drop_table("catalog_prices")
    op.drop_table("catalog_product_variants")
    op.drop_table("catalog_product_unit_conversions")
    op.drop_table("catalog_product_tags")
    op.drop_table("catalog_product_categories")
    op.drop_table("catalog_offers")
    op.drop_table("catalog_products")
    op.drop_table("catalog_tags")
    op.drop_table("catalog_service_lines")
    op.drop_table("catalog_price_kinds")
    op.drop_table("catalog_option_schemas")
    op.drop_table("catalog_categories")
