"""planner, integrations, ai_assistant and sync_akeneo

Tables of the four modules; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0027
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONB = postgresql.JSONB(astext_type=sa.Text())


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _tenant(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _org(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        *_tenant(table),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=f"fk_{table}_organization_id_organizations"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "planner_availability_rule_sets",
        *_org("planner_availability_rule_sets"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        *_stamps(),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "planner_availability_rules",
        *_org("planner_availability_rules"),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("rrule", sa.Text(), nullable=False),
        sa.Column("exdates", JSONB, server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("kind", sa.String(20), server_default="availability", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("unavailability_reason_entry_id", sa.UUID(), nullable=True),
        sa.Column("unavailability_reason_value", sa.String(200), nullable=True),
        *_stamps(),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_planner_availability_subject",
        "planner_availability_rules",
        ["tenant_id", "subject_type", "subject_id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "integration_states",
        *_tenant("integration_states"),
        sa.Column("integration_id", sa.String(100), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("api_version", sa.String(50), nullable=True),
        sa.Column("credentials", sa.Text(), nullable=True),
        sa.Column("health_status", sa.String(20), nullable=True),
        sa.Column("health_message", sa.String(500), nullable=True),
        sa.Column("health_checked_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.UniqueConstraint("tenant_id", "integration_id", name="uq_integration_states_tenant"),
    )
    op.create_table(
        "integration_logs",
        *_tenant("integration_logs"),
        sa.Column("integration_id", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("message", sa.String(1000), nullable=False),
        sa.Column("details", JSONB, nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_integration_logs_integration_id", "integration_logs", ["integration_id"])
    op.create_table(
        "ai_session_keys",
        *_tenant("ai_session_keys"),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("digest", name="uq_ai_session_keys_digest"),
    )
    op.create_table(
        "akeneo_mappings",
        *_tenant("akeneo_mappings"),
        sa.Column("mappings", JSONB, nullable=False),
        sa.Column("locale", sa.String(20), nullable=True),
        *_stamps(),
        sa.UniqueConstraint("tenant_id", name="uq_akeneo_mappings_tenant"),
    )
    op.create_table(
        "akeneo_import_runs",
        *_org("akeneo_import_runs"),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("errors", JSONB, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
    )
    op.create_table(
        "akeneo_product_links",
        *_org("akeneo_product_links"),
        sa.Column("identifier", sa.String(255), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            ondelete="CASCADE",
            name="fk_akeneo_product_links_product_id_catalog_products",
        ),
        *_stamps(),
        sa.UniqueConstraint("tenant_id", "identifier", name="uq_akeneo_product_links_identifier"),
    )


def downgrade() -> None:
    for table in (
        "akeneo_product_links",
        "akeneo_import_runs",
        "akeneo_mappings",
        "ai_session_keys",
        "integration_logs",
        "integration_states",
        "planner_availability_rules",
        "planner_availability_rule_sets",
    ):
        op.drop_table(table)
