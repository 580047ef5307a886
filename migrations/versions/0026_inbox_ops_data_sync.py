"""inbox ops and data sync

Tables of the two modules; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0026
Revises: 0020
Create Date: 2026-11-26 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0026"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "data_sync_runs",
    "data_sync_schedules",
    "data_sync_mappings",
    "inbox_proposal_actions",
    "inbox_proposals",
    "inbox_emails",
    "inbox_settings",
)


def upgrade() -> None:
    op.create_table(
        "inbox_settings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("forwarding_token", sa.String(length=64), nullable=False),
        sa.Column("webhook_secret", sa.String(length=500), nullable=False),
        sa.Column("working_language", sa.String(length=10), server_default="en", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inbox_settings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_inbox_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_settings")),
        sa.UniqueConstraint("forwarding_token", name="uq_inbox_settings_token"),
        sa.UniqueConstraint("tenant_id", name="uq_inbox_settings_tenant"),
    )
    op.create_table(
        "inbox_emails",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=500), server_default="", nullable=False),
        sa.Column("text_body", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=20), server_default="webhook", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="received", nullable=False),
        sa.Column("error_message", sa.String(length=1000), nullable=True),
        sa.Column("is_archived", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inbox_emails_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_inbox_emails_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_emails")),
    )
    op.create_table(
        "inbox_proposals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("email_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("summary", sa.String(length=2000), server_default="", nullable=False),
        sa.Column("confidence", sa.Numeric(precision=3, scale=2), server_default="0", nullable=False),
        sa.Column(
            "discrepancies", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "translations", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"], ["inbox_emails.id"], name=op.f("fk_inbox_proposals_email_id_inbox_emails")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inbox_proposals_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_inbox_proposals_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_proposals")),
    )
    op.create_table(
        "inbox_proposal_actions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("proposal_id", sa.UUID(), nullable=False),
        sa.Column("action_type", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_entity_type", sa.String(length=100), nullable=True),
        sa.Column("created_entity_id", sa.UUID(), nullable=True),
        sa.Column("error_message", sa.String(length=1000), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inbox_proposal_actions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["inbox_proposals.id"],
            name=op.f("fk_inbox_proposal_actions_proposal_id_inbox_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_inbox_proposal_actions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_proposal_actions")),
    )
    op.create_table(
        "data_sync_mappings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("field_map", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_data_sync_mappings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_data_sync_mappings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sync_mappings")),
    )
    op.create_table(
        "data_sync_schedules",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("mapping_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("is_enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["data_sync_mappings.id"],
            name=op.f("fk_data_sync_schedules_mapping_id_data_sync_mappings"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_data_sync_schedules_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_data_sync_schedules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sync_schedules")),
    )
    op.create_table(
        "data_sync_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("mapping_id", sa.UUID(), nullable=False),
        sa.Column("retry_of_id", sa.UUID(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("records", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("output", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("errors", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("total_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("processed_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("progress_job_id", sa.UUID(), nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["data_sync_mappings.id"],
            name=op.f("fk_data_sync_runs_mapping_id_data_sync_mappings"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_data_sync_runs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["retry_of_id"], ["data_sync_runs.id"], name=op.f("fk_data_sync_runs_retry_of_id_data_sync_runs")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_data_sync_runs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sync_runs")),
    )
    op.create_index(op.f("ix_inbox_settings_tenant_id"), "inbox_settings", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_inbox_emails_organization_id"), "inbox_emails", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_inbox_emails_tenant_id"), "inbox_emails", ["tenant_id"], unique=False)
    op.create_index(
        "ix_inbox_emails_tenant_message", "inbox_emails", ["tenant_id", "message_id"], unique=False
    )
    op.create_index(op.f("ix_inbox_proposals_email_id"), "inbox_proposals", ["email_id"], unique=False)
    op.create_index(op.f("ix_inbox_proposals_tenant_id"), "inbox_proposals", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_inbox_proposals_organization_id"), "inbox_proposals", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_inbox_proposal_actions_organization_id"),
        "inbox_proposal_actions",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_inbox_proposal_actions_proposal_id"), "inbox_proposal_actions", ["proposal_id"], unique=False
    )
    op.create_index(
        op.f("ix_inbox_proposal_actions_tenant_id"), "inbox_proposal_actions", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_data_sync_mappings_tenant_id"), "data_sync_mappings", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_data_sync_mappings_organization_id"), "data_sync_mappings", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_data_sync_schedules_tenant_id"), "data_sync_schedules", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_data_sync_schedules_mapping_id"), "data_sync_schedules", ["mapping_id"], unique=False
    )
    op.create_index(
        op.f("ix_data_sync_schedules_organization_id"),
        "data_sync_schedules",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_data_sync_runs_organization_id"), "data_sync_runs", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_data_sync_runs_tenant_id"), "data_sync_runs", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_data_sync_runs_mapping_id"), "data_sync_runs", ["mapping_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
