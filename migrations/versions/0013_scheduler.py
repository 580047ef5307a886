"""scheduler, feature_toggles, configs

Tables of the three modules (row-level security is applied to those with ``tenant_id`` by
``crmgraph migrate``):

- ``scheduled_jobs`` and ``scheduled_job_executions`` (one row per run; unique per schedule and due
  time, so two workers can never record the same due minute twice);
- ``feature_toggles`` (global definitions) and ``feature_toggle_overrides`` (per tenant), plus
  ``feature_toggle_state.generation``: a counter that a statement trigger bumps on any write to either
  table, in the writing transaction; each process's toggle cache compares it
  (``resolvers.feature_toggles.cache``);
- ``upgrade_action_runs``: the upgrade actions a tenant/organization already executed.

Revision ID: 0013
Revises: 0017
Create Date: 2026-11-26 00:24:43.578627
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER = "bump_feature_toggle_generation"
TOGGLE_TABLES = ("feature_toggles", "feature_toggle_overrides")


def upgrade() -> None:
    op.create_table(
        "feature_toggles",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("identifier", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=120), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("default_value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_toggles")),
    )
    op.create_index(
        "uq_feature_toggles_identifier",
        "feature_toggles",
        ["identifier"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "feature_toggle_overrides",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("toggle_id", sa.UUID(), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feature_toggle_overrides_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["toggle_id"],
            ["feature_toggles.id"],
            name=op.f("fk_feature_toggle_overrides_toggle_id_feature_toggles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_toggle_overrides")),
    )
    op.create_index(
        op.f("ix_feature_toggle_overrides_tenant_id"), "feature_toggle_overrides", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_feature_toggle_overrides_tenant",
        "feature_toggle_overrides",
        ["toggle_id", "tenant_id"],
        unique=True,
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("scope_type", sa.String(length=20), nullable=False),
        sa.Column("schedule_type", sa.String(length=20), nullable=False),
        sa.Column("schedule_value", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_queue", sa.String(length=200), nullable=True),
        sa.Column("target_command", sa.String(length=200), nullable=True),
        sa.Column("target_payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("require_feature", sa.String(length=200), nullable=True),
        sa.Column("is_enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_type", sa.String(length=20), server_default="user", nullable=False),
        sa.Column("source_module", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scheduled_jobs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_scheduled_jobs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
    )
    op.create_index(
        "ix_scheduled_jobs_due",
        "scheduled_jobs",
        ["next_run_at"],
        unique=False,
        postgresql_where=sa.text("is_enabled AND deleted_at IS NULL"),
    )
    op.create_index(
        op.f("ix_scheduled_jobs_organization_id"), "scheduled_jobs", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_scheduled_jobs_tenant_id"), "scheduled_jobs", ["tenant_id"], unique=False)
    op.create_table(
        "upgrade_action_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("action_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("executed_by", sa.String(length=200), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_upgrade_action_runs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_upgrade_action_runs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upgrade_action_runs")),
    )
    op.create_index(
        op.f("ix_upgrade_action_runs_organization_id"),
        "upgrade_action_runs",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_upgrade_action_runs_tenant_id"), "upgrade_action_runs", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_upgrade_action_runs_scope",
        "upgrade_action_runs",
        [
            "tenant_id",
            sa.literal_column("coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "action_id",
        ],
        unique=True,
    )
    op.create_table(
        "scheduled_job_executions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("schedule_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trigger_type", sa.String(length=20), nullable=False),
        sa.Column("triggered_by_user_id", sa.UUID(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_stack", sa.Text(), nullable=True),
        sa.Column("queue_job_id", sa.String(length=200), nullable=False),
        sa.Column("queue_name", sa.String(length=200), nullable=False),
        sa.Column("attempts_made", sa.Integer(), server_default="0", nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scheduled_job_executions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["scheduled_jobs.id"],
            name=op.f("fk_scheduled_job_executions_schedule_id_scheduled_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_scheduled_job_executions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_job_executions")),
    )
    op.create_index(
        "ix_scheduled_job_executions_pending",
        "scheduled_job_executions",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index(
        "ix_scheduled_job_executions_queue_job", "scheduled_job_executions", ["queue_job_id"], unique=False
    )
    op.create_index(
        op.f("ix_scheduled_job_executions_schedule_id"),
        "scheduled_job_executions",
        ["schedule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_scheduled_job_executions_tenant_id"), "scheduled_job_executions", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_scheduled_job_executions_due", "scheduled_job_executions", ["schedule_id", "due_at"], unique=True
    )
    op.create_table(
        "feature_toggle_state",
        sa.Column("id", sa.SmallInteger(), primary_key=True),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_feature_toggle_state_single_row"),
    )
    op.execute("INSERT INTO feature_toggle_state (id, generation) VALUES (1, 1)")
    op.execute(
        f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN UPDATE feature_toggle_state SET generation = generation + 1 WHERE id = 1; RETURN NULL; END $$"
    )
    for table in TOGGLE_TABLES:
        op.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
            f" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
        )


def downgrade() -> None:
    for table in TOGGLE_TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    op.drop_table("feature_toggle_state")
    op.drop_index("uq_scheduled_job_executions_due", table_name="scheduled_job_executions")
    op.drop_index(op.f("ix_scheduled_job_executions_tenant_id"), table_name="scheduled_job_executions")
    op.drop_index(op.f("ix_scheduled_job_executions_schedule_id"), table_name="scheduled_job_executions")
    op.drop_index("ix_scheduled_job_executions_queue_job", table_name="scheduled_job_executions")
    op.drop_index(
        "ix_scheduled_job_executions_pending",
        table_name="scheduled_job_executions",
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.drop_table("scheduled_job_executions")
    op.drop_index("uq_upgrade_action_runs_scope", table_name="upgrade_action_runs")
    op.drop_index(op.f("ix_upgrade_action_runs_tenant_id"), table_name="upgrade_action_runs")
    op.drop_index(op.f("ix_upgrade_action_runs_organization_id"), table_name="upgrade_action_runs")
    op.drop_table("upgrade_action_runs")
    op.drop_index(op.f("ix_scheduled_jobs_tenant_id"), table_name="scheduled_jobs")
    op.drop_index(op.f("ix_scheduled_jobs_organization_id"), table_name="scheduled_jobs")
    op.drop_index(
        "ix_scheduled_jobs_due",
        table_name="scheduled_jobs",
        postgresql_where=sa.text("is_enabled AND deleted_at IS NULL"),
    )
    op.drop_table("scheduled_jobs")
    op.drop_index("uq_feature_toggle_overrides_tenant", table_name="feature_toggle_overrides")
    op.drop_index(op.f("ix_feature_toggle_overrides_tenant_id"), table_name="feature_toggle_overrides")
    op.drop_table("feature_toggle_overrides")
    op.drop_index(
        "uq_feature_toggles_identifier",
        table_name="feature_toggles",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("feature_toggles")
