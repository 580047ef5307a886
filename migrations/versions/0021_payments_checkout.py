"""payment gateways and checkout

Tables of the two modules; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0021
Revises: 0011
Create Date: 2026-11-26 04:10:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(18, 2)


def _scope(table: str) -> list[Any]:
    """tenant/organization columns with their foreign keys (as the models' OrgScoped mixin)."""
    return [
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
    ]


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _scope_indexes(table: str) -> None:
    op.create_index(op.f(f"ix_{table}_organization_id"), table, ["organization_id"], unique=False)
    op.create_index(op.f(f"ix_{table}_tenant_id"), table, ["tenant_id"], unique=False)


def _page_columns() -> list[sa.Column]:
    return [
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("currency_code", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("allow_custom_amount", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("min_amount", MONEY, nullable=True),
        sa.Column("max_amount", MONEY, nullable=True),
        sa.Column("provider_key", sa.String(length=50), server_default="manual", nullable=False),
        sa.Column("success_message", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "payment_transactions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("provider_key", sa.String(length=50), nullable=False),
        sa.Column("gateway_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=30), server_default="pending", nullable=False),
        sa.Column("capture_method", sa.String(length=20), server_default="automatic", nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("captured_amount", MONEY, server_default="0", nullable=False),
        sa.Column("refunded_amount", MONEY, server_default="0", nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("order_id", sa.UUID(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("error_message", sa.String(length=500), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        *_scope("payment_transactions"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_transactions_amount_positive")),
        sa.CheckConstraint(
            "captured_amount >= 0 AND captured_amount <= amount",
            name=op.f("ck_payment_transactions_captured_in_range"),
        ),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= captured_amount",
            name=op.f("ck_payment_transactions_refund_in_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_transactions")),
    )
    _scope_indexes("payment_transactions")
    op.create_index(op.f("ix_payment_transactions_order_id"), "payment_transactions", ["order_id"])
    op.create_index(
        "uq_payment_transactions_gateway",
        "payment_transactions",
        ["provider_key", "gateway_transaction_id"],
        unique=True,
    )
    op.create_index(
        "uq_payment_transactions_idempotency",
        "payment_transactions",
        ["tenant_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_table(
        "payment_transaction_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("transaction_id", sa.UUID(), nullable=False),
        sa.Column("provider_key", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("provider_event_id", sa.String(length=255), nullable=True),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=True),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("outcome", sa.String(length=20), server_default="applied", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        *_scope("payment_transaction_events"),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["payment_transactions.id"],
            name=op.f("fk_payment_transaction_events_transaction_id_payment_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_transaction_events")),
    )
    _scope_indexes("payment_transaction_events")
    op.create_index(
        op.f("ix_payment_transaction_events_transaction_id"), "payment_transaction_events", ["transaction_id"]
    )
    op.create_index(
        "uq_payment_transaction_events_provider_event",
        "payment_transaction_events",
        ["provider_key", "provider_event_id"],
        unique=True,
        postgresql_where=sa.text("provider_event_id IS NOT NULL"),
    )
    op.create_table(
        "checkout_templates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_page_columns(),
        *_stamps(),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_scope("checkout_templates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_templates")),
    )
    _scope_indexes("checkout_templates")
    op.create_table(
        "checkout_links",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_protected", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("use_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=True),
        *_page_columns(),
        *_stamps(),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_scope("checkout_links"),
        sa.CheckConstraint("use_count >= 0", name=op.f("ck_checkout_links_use_count_positive")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checkout_templates.id"],
            name=op.f("fk_checkout_links_template_id_checkout_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_links")),
    )
    _scope_indexes("checkout_links")
    op.create_index(op.f("ix_checkout_links_template_id"), "checkout_links", ["template_id"])
    op.create_index(
        "uq_checkout_links_slug",
        "checkout_links",
        ["slug"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "checkout_transactions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("link_id", sa.UUID(), nullable=False),
        sa.Column("payment_transaction_id", sa.UUID(), nullable=False),
        sa.Column("provider_key", sa.String(length=50), nullable=False),
        sa.Column("gateway_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=30), server_default="pending", nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("customer_email", sa.String(length=320), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=True),
        sa.Column("order_id", sa.UUID(), nullable=True),
        *_stamps(),
        *_scope("checkout_transactions"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["checkout_links.id"], name=op.f("fk_checkout_transactions_link_id_checkout_links")
        ),
        sa.ForeignKeyConstraint(
            ["payment_transaction_id"],
            ["payment_transactions.id"],
            name=op.f("fk_checkout_transactions_payment_transaction_id_payment_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_transactions")),
        sa.UniqueConstraint(
            "payment_transaction_id", name=op.f("uq_checkout_transactions_payment_transaction_id")
        ),
    )
    _scope_indexes("checkout_transactions")
    op.create_index(op.f("ix_checkout_transactions_link_id"), "checkout_transactions", ["link_id"])
    op.create_index(
        op.f("ix_checkout_transactions_gateway_transaction_id"),
        "checkout_transactions",
        ["gateway_transaction_id"],
    )


def downgrade() -> None:
    for table in ("checkout_transactions", "checkout_links", "checkout_templates"):
        op.drop_table(table)
    op.drop_table("payment_transaction_events")
    op.drop_table("payment_transactions")
