"""shipping carriers and accounting

Tables of the two modules; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0022
Revises: 0011
Create Date: 2026-11-26 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONB = postgresql.JSONB(astext_type=sa.Text())


def stamps(table: str, org: bool = True) -> list:
    columns = [
        sa.Column(
            "tenant_id",
            sa.UUID(),
            sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]
    if org:
        columns.append(
            sa.Column(
                "organization_id",
                sa.UUID(),
                sa.ForeignKey("organizations.id", name=f"fk_{table}_organization_id_organizations"),
                nullable=True,
            )
        )
    return columns


def indexes(table: str) -> None:
    op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
    op.create_index(f"ix_{table}_organization_id", table, ["organization_id"])


def upgrade() -> None:
    op.create_table(
        "carrier_shipments",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("external_id", sa.String(100), nullable=False),
        sa.Column("tracking_number", sa.String(100), nullable=True),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("status", sa.String(40), server_default="created", nullable=False),
        sa.Column("provider_status", sa.String(100), nullable=True),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("target_point", sa.String(100), nullable=True),
        sa.Column("receiver", JSONB, nullable=True),
        sa.Column("sender", JSONB, nullable=True),
        sa.Column("parcels", JSONB, nullable=True),
        sa.Column("cost_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("currency_code", sa.String(3), nullable=True),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        *stamps("carrier_shipments"),
        sa.PrimaryKeyConstraint("id", name="pk_carrier_shipments"),
    )
    indexes("carrier_shipments")
    op.create_index(
        "uq_carrier_shipments_provider_external",
        "carrier_shipments",
        ["tenant_id", "provider", "external_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index("ix_carrier_shipments_tracking", "carrier_shipments", ["provider", "tracking_number"])
    op.create_table(
        "carrier_shipment_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("shipment_id", sa.UUID(), nullable=False),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=True),
        sa.Column("status", sa.String(40), nullable=True),
        sa.Column("payload", JSONB, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_carrier_shipment_events_tenant_id_tenants"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_carrier_shipment_events_organization_id_organizations",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["carrier_shipments.id"],
            name="fk_carrier_shipment_events_shipment_id_carrier_shipments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_carrier_shipment_events"),
        sa.UniqueConstraint("tenant_id", "provider", "event_key", name="uq_carrier_shipment_events_key"),
    )
    op.create_index("ix_carrier_shipment_events_tenant_id", "carrier_shipment_events", ["tenant_id"])
    op.create_index("ix_carrier_shipment_events_shipment_id", "carrier_shipment_events", ["shipment_id"])

    op.create_table(
        "accounting_selling_entities",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("nip", sa.String(20), nullable=True),
        sa.Column("regon", sa.String(20), nullable=True),
        sa.Column("address", sa.String(500), nullable=True),
        sa.Column("bank_account", sa.String(40), nullable=True),
        sa.Column("bank_name", sa.String(200), nullable=True),
        sa.Column("invoice_prefix", sa.String(20), server_default="FV", nullable=False),
        sa.Column("default_payment_term_days", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        *stamps("accounting_selling_entities"),
        sa.PrimaryKeyConstraint("id", name="pk_accounting_selling_entities"),
    )
    indexes("accounting_selling_entities")
    op.create_table(
        "accounting_invoice_counters",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("selling_entity_id", sa.UUID(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_accounting_invoice_counters_tenant_id_tenants"
        ),
        sa.ForeignKeyConstraint(
            ["selling_entity_id"],
            ["accounting_selling_entities.id"],
            name="fk_accounting_invoice_counters_entity",
        ),
        sa.PrimaryKeyConstraint("selling_entity_id", "year", name="pk_accounting_invoice_counters"),
    )
    op.create_index("ix_accounting_invoice_counters_tenant_id", "accounting_invoice_counters", ["tenant_id"])
    op.create_table(
        "accounting_invoices",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("document_kind", sa.String(20), server_default="issued", nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("sales_date", sa.Date(), nullable=True),
        sa.Column("payment_due_date", sa.Date(), nullable=True),
        sa.Column("payment_term_days", sa.Integer(), nullable=True),
        sa.Column("payment_method", sa.String(50), nullable=True),
        sa.Column("payment_account", sa.String(40), nullable=True),
        sa.Column("seller_entity_id", sa.UUID(), nullable=True),
        sa.Column("seller_name", sa.String(300), nullable=True),
        sa.Column("seller_nip", sa.String(20), nullable=True),
        sa.Column("seller_regon", sa.String(20), nullable=True),
        sa.Column("seller_address", sa.String(500), nullable=True),
        sa.Column("buyer_entity_id", sa.UUID(), nullable=True),
        sa.Column("buyer_name", sa.String(300), nullable=True),
        sa.Column("buyer_nip", sa.String(20), nullable=True),
        sa.Column("buyer_regon", sa.String(20), nullable=True),
        sa.Column("buyer_address", sa.String(500), nullable=True),
        sa.Column("line_items", JSONB, nullable=True),
        sa.Column("vat_breakdown", JSONB, nullable=True),
        sa.Column("title", sa.String(300), nullable=True),
        sa.Column("counterparty_name", sa.String(300), nullable=True),
        sa.Column("external_reference", sa.String(200), nullable=True),
        sa.Column("currency_code", sa.String(3), nullable=True),
        sa.Column("net_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("vat_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("total_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("source_system", sa.String(50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_draft", sa.Boolean(), server_default="false", nullable=False),
        *stamps("accounting_invoices"),
        sa.ForeignKeyConstraint(
            ["seller_entity_id"],
            ["accounting_selling_entities.id"],
            name="fk_accounting_invoices_seller_entity",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounting_invoices"),
    )
    indexes("accounting_invoices")
    op.create_index("ix_accounting_invoices_seller_entity_id", "accounting_invoices", ["seller_entity_id"])
    op.create_index(
        "uq_accounting_invoices_seller_number",
        "accounting_invoices",
        ["tenant_id", "seller_entity_id", "document_number"],
        unique=True,
        postgresql_where=sa.text(
            "deleted_at IS NULL AND seller_entity_id IS NOT NULL AND document_kind = 'issued'"
        ),
    )


def downgrade() -> None:
    op.drop_table("accounting_invoices")
    op.drop_table("accounting_invoice_counters")
    op.drop_table("accounting_selling_entities")
    op.drop_table("carrier_shipment_events")
    op.drop_table("carrier_shipments")
