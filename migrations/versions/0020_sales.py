"""sales

Tables of the sales module; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0020
Revises: 0011
Create Date: 2026-11-26 04:04:20.012095
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The platform's price kinds (a reference list every tenant reads): fixed ids, code, title, display.
PRICE_KINDS = [
    ("7f0a2a1e-5c1d-4d84-9a51-0c6a1b2f0001", "regular", "Regular price", "excluding-tax"),
    ("7f0a2a1e-5c1d-4d84-9a51-0c6a1b2f0002", "sale", "Sale price", "excluding-tax"),
    ("7f0a2a1e-5c1d-4d84-9a51-0c6a1b2f0003", "retail-gross", "Retail price (tax included)", "including-tax"),
    ("7f0a2a1e-5c1d-4d84-9a51-0c6a1b2f0004", "wholesale", "Wholesale price", "excluding-tax"),
]


def upgrade() -> None:
    op.create_table(
        "sales_adjustment_kinds",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("color", sa.String(length=30), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_adjustment_kinds_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_adjustment_kinds_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_adjustment_kinds")),
    )
    op.create_index(
        op.f("ix_sales_adjustment_kinds_organization_id"),
        "sales_adjustment_kinds",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_adjustment_kinds_tenant_id"), "sales_adjustment_kinds", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_channels",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_channels_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_channels_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_channels")),
    )
    op.create_index(
        op.f("ix_sales_channels_organization_id"), "sales_channels", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_channels_tenant_id"), "sales_channels", ["tenant_id"], unique=False)
    op.create_table(
        "sales_delivery_windows",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("cutoff_time", sa.String(length=5), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_delivery_windows_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_delivery_windows_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_delivery_windows")),
    )
    op.create_index(
        op.f("ix_sales_delivery_windows_organization_id"),
        "sales_delivery_windows",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_delivery_windows_tenant_id"), "sales_delivery_windows", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_document_addresses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column("document_kind", sa.String(length=20), nullable=False),
        sa.Column("customer_address_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=50), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("address_line1", sa.String(length=300), nullable=False),
        sa.Column("address_line2", sa.String(length=300), nullable=True),
        sa.Column("building_number", sa.String(length=30), nullable=True),
        sa.Column("flat_number", sa.String(length=30), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=30), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_document_addresses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_document_addresses_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_document_addresses")),
    )
    op.create_index(
        op.f("ix_sales_document_addresses_document_id"),
        "sales_document_addresses",
        ["document_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_document_addresses_organization_id"),
        "sales_document_addresses",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_document_addresses_tenant_id"), "sales_document_addresses", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_document_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("document_kind", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("actor_user_id", sa.UUID(), nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_document_events_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_document_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_document_events")),
    )
    op.create_index(
        "ix_sales_document_events_doc", "sales_document_events", ["document_id", "occurred_at"], unique=False
    )
    op.create_index(
        op.f("ix_sales_document_events_organization_id"),
        "sales_document_events",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_document_events_tenant_id"), "sales_document_events", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_document_sequences",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("last_value", sa.Integer(), server_default="0", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_document_sequences_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_document_sequences_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_document_sequences")),
        sa.UniqueConstraint("tenant_id", "organization_id", "kind", name="uq_sales_document_sequences_kind"),
    )
    op.create_index(
        op.f("ix_sales_document_sequences_organization_id"),
        "sales_document_sequences",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_document_sequences_tenant_id"), "sales_document_sequences", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_order_line_statuses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("color", sa.String(length=30), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_order_line_statuses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_order_line_statuses_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_line_statuses")),
    )
    op.create_index(
        op.f("ix_sales_order_line_statuses_organization_id"),
        "sales_order_line_statuses",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_order_line_statuses_tenant_id"),
        "sales_order_line_statuses",
        ["tenant_id"],
        unique=False,
    )
    op.create_table(
        "sales_order_statuses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("color", sa.String(length=30), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_order_statuses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_order_statuses_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_statuses")),
    )
    op.create_index(
        op.f("ix_sales_order_statuses_organization_id"),
        "sales_order_statuses",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_order_statuses_tenant_id"), "sales_order_statuses", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_payment_methods",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("provider_key", sa.String(length=100), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("provider_settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_payment_methods_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_payment_methods_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_payment_methods")),
    )
    op.create_index(
        op.f("ix_sales_payment_methods_organization_id"),
        "sales_payment_methods",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_payment_methods_tenant_id"), "sales_payment_methods", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_payment_statuses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("color", sa.String(length=30), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_payment_statuses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_payment_statuses_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_payment_statuses")),
    )
    op.create_index(
        op.f("ix_sales_payment_statuses_organization_id"),
        "sales_payment_statuses",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_payment_statuses_tenant_id"), "sales_payment_statuses", ["tenant_id"], unique=False
    )
    price_kinds = op.create_table(
        "sales_price_kinds",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("display_mode", sa.String(length=20), server_default="excluding-tax", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_price_kinds")),
        sa.UniqueConstraint("code", name=op.f("uq_sales_price_kinds_code")),
    )
    op.bulk_insert(
        price_kinds,
        [
            {"id": uuid.UUID(ident), "code": code, "title": title, "display_mode": mode}
            for ident, code, title, mode in PRICE_KINDS
        ],
    )
    op.create_table(
        "sales_settings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("order_number_format", sa.String(length=100), nullable=False),
        sa.Column("quote_number_format", sa.String(length=100), nullable=False),
        sa.Column("order_customer_editable_statuses", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("order_address_editable_statuses", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_settings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_settings")),
        sa.UniqueConstraint("tenant_id", "organization_id", name="uq_sales_settings_scope"),
    )
    op.create_index(
        op.f("ix_sales_settings_organization_id"), "sales_settings", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_settings_tenant_id"), "sales_settings", ["tenant_id"], unique=False)
    op.create_table(
        "sales_shipment_statuses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("color", sa.String(length=30), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_shipment_statuses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_shipment_statuses_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_shipment_statuses")),
    )
    op.create_index(
        op.f("ix_sales_shipment_statuses_organization_id"),
        "sales_shipment_statuses",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_shipment_statuses_tenant_id"), "sales_shipment_statuses", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_shipping_methods",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("carrier_code", sa.String(length=100), nullable=True),
        sa.Column("provider_key", sa.String(length=100), nullable=True),
        sa.Column("service_level", sa.String(length=100), nullable=True),
        sa.Column("estimated_transit_days", sa.Integer(), nullable=True),
        sa.Column("base_rate_net", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("base_rate_gross", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("provider_settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_shipping_methods_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_shipping_methods_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_shipping_methods")),
    )
    op.create_index(
        op.f("ix_sales_shipping_methods_organization_id"),
        "sales_shipping_methods",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_shipping_methods_tenant_id"), "sales_shipping_methods", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_tags",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("color", sa.String(length=30), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_tags_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_sales_tags_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_tags")),
    )
    op.create_index(op.f("ix_sales_tags_organization_id"), "sales_tags", ["organization_id"], unique=False)
    op.create_index(op.f("ix_sales_tags_tenant_id"), "sales_tags", ["tenant_id"], unique=False)
    op.create_table(
        "sales_tax_rates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("rate", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("region_code", sa.String(length=20), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("customer_group_id", sa.UUID(), nullable=True),
        sa.Column("product_category_id", sa.UUID(), nullable=True),
        sa.Column("channel_id", sa.UUID(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("is_compound", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_tax_rates_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_tax_rates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_tax_rates")),
    )
    op.create_index(
        op.f("ix_sales_tax_rates_organization_id"), "sales_tax_rates", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_tax_rates_tenant_id"), "sales_tax_rates", ["tenant_id"], unique=False)
    op.create_table(
        "sales_document_tags",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column("document_kind", sa.String(length=20), nullable=False),
        sa.Column("tag_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_document_tags_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["sales_tags.id"], name=op.f("fk_sales_document_tags_tag_id_sales_tags")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_document_tags_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_document_tags")),
        sa.UniqueConstraint("document_id", "tag_id", name="uq_sales_document_tags_pair"),
    )
    op.create_index(
        op.f("ix_sales_document_tags_document_id"), "sales_document_tags", ["document_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_document_tags_organization_id"),
        "sales_document_tags",
        ["organization_id"],
        unique=False,
    )
    op.create_index(op.f("ix_sales_document_tags_tag_id"), "sales_document_tags", ["tag_id"], unique=False)
    op.create_index(
        op.f("ix_sales_document_tags_tenant_id"), "sales_document_tags", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_orders",
        sa.Column("order_number", sa.String(length=100), nullable=False),
        sa.Column("fulfillment_status", sa.String(length=50), nullable=True),
        sa.Column("payment_status", sa.String(length=50), nullable=True),
        sa.Column("quote_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("customer_contact_id", sa.UUID(), nullable=True),
        sa.Column("billing_address_id", sa.UUID(), nullable=True),
        sa.Column("shipping_address_id", sa.UUID(), nullable=True),
        sa.Column("customer_reference", sa.String(length=200), nullable=True),
        sa.Column("external_reference", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customer_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("billing_address_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipping_address_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipping_method_code", sa.String(length=100), nullable=True),
        sa.Column("shipping_method_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("payment_method_code", sa.String(length=100), nullable=True),
        sa.Column("payment_method_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("line_item_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "subtotal_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "subtotal_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "discount_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("tax_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "shipping_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "shipping_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "surcharge_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "grand_total_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "grand_total_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("paid_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "refunded_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "outstanding_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("customer_entity_id", sa.UUID(), nullable=True),
        sa.Column("deal_id", sa.UUID(), nullable=True),
        sa.Column("channel_id", sa.UUID(), nullable=True),
        sa.Column("shipping_method_id", sa.UUID(), nullable=True),
        sa.Column("payment_method_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["sales_channels.id"], name=op.f("fk_sales_orders_channel_id_sales_channels")
        ),
        sa.ForeignKeyConstraint(
            ["customer_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_sales_orders_customer_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["customer_deals.id"], name=op.f("fk_sales_orders_deal_id_customer_deals")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_orders_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["sales_payment_methods.id"],
            name=op.f("fk_sales_orders_payment_method_id_sales_payment_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["shipping_method_id"],
            ["sales_shipping_methods.id"],
            name=op.f("fk_sales_orders_shipping_method_id_sales_shipping_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_orders_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_orders")),
    )
    op.create_index(op.f("ix_sales_orders_channel_id"), "sales_orders", ["channel_id"], unique=False)
    op.create_index("ix_sales_orders_created", "sales_orders", ["tenant_id", "created_at"], unique=False)
    op.create_index(
        op.f("ix_sales_orders_customer_entity_id"), "sales_orders", ["customer_entity_id"], unique=False
    )
    op.create_index(op.f("ix_sales_orders_deal_id"), "sales_orders", ["deal_id"], unique=False)
    op.create_index(
        op.f("ix_sales_orders_organization_id"), "sales_orders", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_orders_tenant_id"), "sales_orders", ["tenant_id"], unique=False)
    op.create_index(
        "uq_sales_orders_number",
        "sales_orders",
        ["tenant_id", "organization_id", "order_number"],
        unique=True,
    )
    op.create_table(
        "sales_quotes",
        sa.Column("quote_number", sa.String(length=100), nullable=False),
        sa.Column("converted_order_id", sa.UUID(), nullable=True),
        sa.Column("public_token_hash", sa.String(length=64), nullable=True),
        sa.Column("public_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("customer_contact_id", sa.UUID(), nullable=True),
        sa.Column("billing_address_id", sa.UUID(), nullable=True),
        sa.Column("shipping_address_id", sa.UUID(), nullable=True),
        sa.Column("customer_reference", sa.String(length=200), nullable=True),
        sa.Column("external_reference", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customer_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("billing_address_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipping_address_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipping_method_code", sa.String(length=100), nullable=True),
        sa.Column("shipping_method_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("payment_method_code", sa.String(length=100), nullable=True),
        sa.Column("payment_method_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("line_item_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "subtotal_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "subtotal_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "discount_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("tax_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "shipping_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "shipping_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "surcharge_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "grand_total_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "grand_total_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("paid_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "refunded_total_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column(
            "outstanding_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("customer_entity_id", sa.UUID(), nullable=True),
        sa.Column("deal_id", sa.UUID(), nullable=True),
        sa.Column("channel_id", sa.UUID(), nullable=True),
        sa.Column("shipping_method_id", sa.UUID(), nullable=True),
        sa.Column("payment_method_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["sales_channels.id"], name=op.f("fk_sales_quotes_channel_id_sales_channels")
        ),
        sa.ForeignKeyConstraint(
            ["customer_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_sales_quotes_customer_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["customer_deals.id"], name=op.f("fk_sales_quotes_deal_id_customer_deals")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_quotes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["sales_payment_methods.id"],
            name=op.f("fk_sales_quotes_payment_method_id_sales_payment_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["shipping_method_id"],
            ["sales_shipping_methods.id"],
            name=op.f("fk_sales_quotes_shipping_method_id_sales_shipping_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_quotes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_quotes")),
        sa.UniqueConstraint("public_token_hash", name=op.f("uq_sales_quotes_public_token_hash")),
    )
    op.create_index(op.f("ix_sales_quotes_channel_id"), "sales_quotes", ["channel_id"], unique=False)
    op.create_index("ix_sales_quotes_created", "sales_quotes", ["tenant_id", "created_at"], unique=False)
    op.create_index(
        op.f("ix_sales_quotes_customer_entity_id"), "sales_quotes", ["customer_entity_id"], unique=False
    )
    op.create_index(op.f("ix_sales_quotes_deal_id"), "sales_quotes", ["deal_id"], unique=False)
    op.create_index(
        op.f("ix_sales_quotes_organization_id"), "sales_quotes", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_quotes_tenant_id"), "sales_quotes", ["tenant_id"], unique=False)
    op.create_index(
        "uq_sales_quotes_number",
        "sales_quotes",
        ["tenant_id", "organization_id", "quote_number"],
        unique=True,
    )
    op.create_table(
        "sales_notes",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("context_type", sa.String(length=20), nullable=False),
        sa.Column("context_id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=True),
        sa.Column("quote_id", sa.UUID(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("author_user_id", sa.UUID(), nullable=True),
        sa.Column("appearance_icon", sa.String(length=100), nullable=True),
        sa.Column("appearance_color", sa.String(length=30), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_sales_notes_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_notes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["sales_quotes.id"], name=op.f("fk_sales_notes_quote_id_sales_quotes")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_sales_notes_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_notes")),
    )
    op.create_index(op.f("ix_sales_notes_context_id"), "sales_notes", ["context_id"], unique=False)
    op.create_index(op.f("ix_sales_notes_organization_id"), "sales_notes", ["organization_id"], unique=False)
    op.create_index(op.f("ix_sales_notes_tenant_id"), "sales_notes", ["tenant_id"], unique=False)
    op.create_table(
        "sales_order_lines",
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), server_default="product", nullable=False),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("product_id", sa.UUID(), nullable=True),
        sa.Column("product_variant_id", sa.UUID(), nullable=True),
        sa.Column("catalog_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("quantity_unit", sa.String(length=30), nullable=True),
        sa.Column("normalized_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("normalized_unit", sa.String(length=30), nullable=True),
        sa.Column("uom_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("unit_price_net", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("unit_price_gross", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("unit_price_reference", sa.String(length=10), nullable=True),
        sa.Column("discount_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=9, scale=4), server_default="0", nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=9, scale=4), server_default="0", nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("total_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "total_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("configuration", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("promotion_code", sa.String(length=100), nullable=True),
        sa.Column("promotion_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("custom_field_set_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_sales_order_lines_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_order_lines_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_order_lines_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_lines")),
    )
    op.create_index(op.f("ix_sales_order_lines_order_id"), "sales_order_lines", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_sales_order_lines_organization_id"), "sales_order_lines", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_order_lines_tenant_id"), "sales_order_lines", ["tenant_id"], unique=False)
    op.create_table(
        "sales_payments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=True),
        sa.Column("payment_method_id", sa.UUID(), nullable=True),
        sa.Column("payment_reference", sa.String(length=200), nullable=True),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("captured_amount", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("refunded_amount", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("custom_field_set_id", sa.UUID(), nullable=True),
        sa.Column("custom_values", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_sales_payments_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_payments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["sales_payment_methods.id"],
            name=op.f("fk_sales_payments_payment_method_id_sales_payment_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_payments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_payments")),
    )
    op.create_index(op.f("ix_sales_payments_order_id"), "sales_payments", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_sales_payments_organization_id"), "sales_payments", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_payments_tenant_id"), "sales_payments", ["tenant_id"], unique=False)
    op.create_table(
        "sales_quote_lines",
        sa.Column("quote_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), server_default="product", nullable=False),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("product_id", sa.UUID(), nullable=True),
        sa.Column("product_variant_id", sa.UUID(), nullable=True),
        sa.Column("catalog_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("quantity_unit", sa.String(length=30), nullable=True),
        sa.Column("normalized_quantity", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("normalized_unit", sa.String(length=30), nullable=True),
        sa.Column("uom_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("unit_price_net", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("unit_price_gross", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("unit_price_reference", sa.String(length=10), nullable=True),
        sa.Column("discount_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=9, scale=4), server_default="0", nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=9, scale=4), server_default="0", nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("total_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "total_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("configuration", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("promotion_code", sa.String(length=100), nullable=True),
        sa.Column("promotion_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("custom_field_set_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_quote_lines_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["sales_quotes.id"], name=op.f("fk_sales_quote_lines_quote_id_sales_quotes")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_quote_lines_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_quote_lines")),
    )
    op.create_index(
        op.f("ix_sales_quote_lines_organization_id"), "sales_quote_lines", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_quote_lines_quote_id"), "sales_quote_lines", ["quote_id"], unique=False)
    op.create_index(op.f("ix_sales_quote_lines_tenant_id"), "sales_quote_lines", ["tenant_id"], unique=False)
    op.create_table(
        "sales_returns",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("return_number", sa.String(length=100), nullable=False),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "total_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_sales_returns_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_returns_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_returns_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_returns")),
    )
    op.create_index(op.f("ix_sales_returns_order_id"), "sales_returns", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_sales_returns_organization_id"), "sales_returns", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_returns_tenant_id"), "sales_returns", ["tenant_id"], unique=False)
    op.create_table(
        "sales_shipments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("shipment_number", sa.String(length=100), nullable=True),
        sa.Column("shipping_method_id", sa.UUID(), nullable=True),
        sa.Column("status_entry_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("carrier_name", sa.String(length=200), nullable=True),
        sa.Column("tracking_numbers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("weight_value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("weight_unit", sa.String(length=10), nullable=True),
        sa.Column("declared_value_net", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("declared_value_gross", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("custom_values", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("items_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_sales_shipments_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_shipments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["shipping_method_id"],
            ["sales_shipping_methods.id"],
            name=op.f("fk_sales_shipments_shipping_method_id_sales_shipping_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_shipments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_shipments")),
    )
    op.create_index(op.f("ix_sales_shipments_order_id"), "sales_shipments", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_sales_shipments_organization_id"), "sales_shipments", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_sales_shipments_tenant_id"), "sales_shipments", ["tenant_id"], unique=False)
    op.create_table(
        "sales_order_adjustments",
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("order_line_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("scope", sa.String(length=20), server_default="order", nullable=False),
        sa.Column("kind", sa.String(length=50), server_default="discount", nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("calculator_key", sa.String(length=100), nullable=True),
        sa.Column("promotion_id", sa.UUID(), nullable=True),
        sa.Column("rate", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("amount_net", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("amount_gross", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("fixed_net", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("fixed_gross", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_sales_order_adjustments_order_id_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["sales_order_lines.id"],
            name=op.f("fk_sales_order_adjustments_order_line_id_sales_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_order_adjustments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_order_adjustments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_adjustments")),
    )
    op.create_index(
        op.f("ix_sales_order_adjustments_order_id"), "sales_order_adjustments", ["order_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_order_adjustments_organization_id"),
        "sales_order_adjustments",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_order_adjustments_tenant_id"), "sales_order_adjustments", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_quote_adjustments",
        sa.Column("quote_id", sa.UUID(), nullable=False),
        sa.Column("quote_line_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("scope", sa.String(length=20), server_default="order", nullable=False),
        sa.Column("kind", sa.String(length=50), server_default="discount", nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("calculator_key", sa.String(length=100), nullable=True),
        sa.Column("promotion_id", sa.UUID(), nullable=True),
        sa.Column("rate", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("amount_net", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("amount_gross", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("fixed_net", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("fixed_gross", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_quote_adjustments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["sales_quotes.id"], name=op.f("fk_sales_quote_adjustments_quote_id_sales_quotes")
        ),
        sa.ForeignKeyConstraint(
            ["quote_line_id"],
            ["sales_quote_lines.id"],
            name=op.f("fk_sales_quote_adjustments_quote_line_id_sales_quote_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_quote_adjustments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_quote_adjustments")),
    )
    op.create_index(
        op.f("ix_sales_quote_adjustments_organization_id"),
        "sales_quote_adjustments",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sales_quote_adjustments_quote_id"), "sales_quote_adjustments", ["quote_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_quote_adjustments_tenant_id"), "sales_quote_adjustments", ["tenant_id"], unique=False
    )
    op.create_table(
        "sales_return_lines",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("return_id", sa.UUID(), nullable=False),
        sa.Column("order_line_id", sa.UUID(), nullable=False),
        sa.Column("quantity_returned", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("unit_price_net", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("unit_price_gross", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("total_net_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column(
            "total_gross_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["sales_order_lines.id"],
            name=op.f("fk_sales_return_lines_order_line_id_sales_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sales_return_lines_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["sales_returns.id"], name=op.f("fk_sales_return_lines_return_id_sales_returns")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_return_lines_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_return_lines")),
    )
    op.create_index(
        op.f("ix_sales_return_lines_order_line_id"), "sales_return_lines", ["order_line_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_return_lines_organization_id"), "sales_return_lines", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_return_lines_return_id"), "sales_return_lines", ["return_id"], unique=False
    )
    op.create_index(
        op.f("ix_sales_return_lines_tenant_id"), "sales_return_lines", ["tenant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("sales_return_lines")
    op.drop_table("sales_quote_adjustments")
    op.drop_table("sales_order_adjustments")
    op.drop_table("sales_shipments")
    op.drop_table("sales_returns")
    op.drop_table("sales_quote_lines")
    op.drop_table("sales_payments")
    op.drop_table("sales_order_lines")
    op.drop_table("sales_notes")
    op.drop_table("sales_quotes")
    op.drop_table("sales_orders")
    op.drop_table("sales_document_tags")
    op.drop_table("sales_tax_rates")
    op.drop_table("sales_tags")
    op.drop_table("sales_shipping_methods")
    op.drop_table("sales_shipment_statuses")
    op.drop_table("sales_settings")
    op.drop_table("sales_price_kinds")
    op.drop_table("sales_payment_statuses")
    op.drop_table("sales_payment_methods")
    op.drop_table("sales_order_statuses")
    op.drop_table("sales_order_line_statuses")
    op.drop_table("sales_document_sequences")
    op.drop_table("sales_document_events")
    op.drop_table("sales_document_addresses")
    op.drop_table("sales_delivery_windows")
    op.drop_table("sales_channels")
    op.drop_table("sales_adjustment_kinds")
