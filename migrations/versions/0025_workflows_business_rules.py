"""workflows and business rules

Tables of the two modules; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0025
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "business_rule_logs",
    "business_rule_set_members",
    "business_rule_sets",
    "business_rules",
    "workflow_user_tasks",
    "workflow_events",
    "workflow_instances",
    "workflow_definitions",
)


def upgrade() -> None:
    op.create_table(
        "workflow_definitions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workflow_id", sa.String(length=100), nullable=False),
        sa.Column("workflow_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_workflow_definitions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_definitions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_definitions")),
    )
    op.create_index(
        op.f("ix_workflow_definitions_organization_id"),
        "workflow_definitions",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_definitions_tenant_id"), "workflow_definitions", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_workflow_definitions_key",
        "workflow_definitions",
        ["tenant_id", "organization_id", "workflow_id", "version"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "workflow_instances",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("definition_id", sa.UUID(), nullable=False),
        sa.Column("workflow_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="RUNNING", nullable=False),
        sa.Column("current_step_id", sa.String(length=100), nullable=True),
        sa.Column("previous_step_id", sa.String(length=100), nullable=True),
        sa.Column("waiting_signal", sa.String(length=100), nullable=True),
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("correlation_key", sa.String(length=200), nullable=True),
        sa.Column("entity_type", sa.String(length=100), nullable=True),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retry_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_by", sa.UUID(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["workflow_definitions.id"],
            name=op.f("fk_workflow_instances_definition_id_workflow_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_workflow_instances_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_instances_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_instances")),
    )
    op.create_index(
        op.f("ix_workflow_instances_correlation_key"), "workflow_instances", ["correlation_key"], unique=False
    )
    op.create_index(
        op.f("ix_workflow_instances_definition_id"), "workflow_instances", ["definition_id"], unique=False
    )
    op.create_index(
        op.f("ix_workflow_instances_organization_id"), "workflow_instances", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_workflow_instances_tenant_id"), "workflow_instances", ["tenant_id"], unique=False
    )
    op.create_table(
        "workflow_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workflow_instance_id", sa.UUID(), nullable=False),
        sa.Column("step_instance_id", sa.UUID(), nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("event_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_workflow_events_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_events_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["workflow_instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_workflow_events_workflow_instance_id_workflow_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_events")),
    )
    op.create_index(
        op.f("ix_workflow_events_organization_id"), "workflow_events", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_workflow_events_tenant_id"), "workflow_events", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_workflow_events_workflow_instance_id"),
        "workflow_events",
        ["workflow_instance_id"],
        unique=False,
    )
    op.create_table(
        "workflow_user_tasks",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workflow_instance_id", sa.UUID(), nullable=True),
        sa.Column("step_instance_id", sa.UUID(), nullable=True),
        sa.Column("step_id", sa.String(length=100), nullable=True),
        sa.Column("task_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="PENDING", nullable=False),
        sa.Column("form_schema", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("form_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("assigned_to", sa.UUID(), nullable=True),
        sa.Column("assigned_to_roles", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("claimed_by", sa.UUID(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_to", sa.UUID(), nullable=True),
        sa.Column("completed_by", sa.UUID(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_workflow_user_tasks_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_user_tasks_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["workflow_instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_workflow_user_tasks_workflow_instance_id_workflow_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_user_tasks")),
    )
    op.create_index(
        op.f("ix_workflow_user_tasks_organization_id"),
        "workflow_user_tasks",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_user_tasks_tenant_id"), "workflow_user_tasks", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_workflow_user_tasks_workflow_instance_id"),
        "workflow_user_tasks",
        ["workflow_instance_id"],
        unique=False,
    )
    op.create_table(
        "business_rules",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("rule_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rule_type", sa.String(length=20), nullable=False),
        sa.Column("rule_category", sa.String(length=100), nullable=True),
        sa.Column("entity_type", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("condition_expression", sa.Text(), nullable=True),
        sa.Column("success_actions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("failure_actions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="100", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_business_rules_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_business_rules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_rules")),
    )
    op.create_index(
        op.f("ix_business_rules_organization_id"), "business_rules", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_business_rules_tenant_id"), "business_rules", ["tenant_id"], unique=False)
    op.create_index(
        "uq_business_rules_key",
        "business_rules",
        ["tenant_id", "organization_id", "rule_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "business_rule_sets",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("set_id", sa.String(length=100), nullable=False),
        sa.Column("set_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_business_rule_sets_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_business_rule_sets_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_rule_sets")),
    )
    op.create_index(
        op.f("ix_business_rule_sets_organization_id"), "business_rule_sets", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_business_rule_sets_tenant_id"), "business_rule_sets", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_business_rule_sets_key",
        "business_rule_sets",
        ["tenant_id", "organization_id", "set_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "business_rule_set_members",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("rule_set_id", sa.UUID(), nullable=False),
        sa.Column("rule_id", sa.UUID(), nullable=False),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_business_rule_set_members_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["business_rules.id"],
            name=op.f("fk_business_rule_set_members_rule_id_business_rules"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"],
            ["business_rule_sets.id"],
            name=op.f("fk_business_rule_set_members_rule_set_id_business_rule_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_business_rule_set_members_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_rule_set_members")),
    )
    op.create_index(
        op.f("ix_business_rule_set_members_organization_id"),
        "business_rule_set_members",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_business_rule_set_members_rule_id"), "business_rule_set_members", ["rule_id"], unique=False
    )
    op.create_index(
        op.f("ix_business_rule_set_members_rule_set_id"),
        "business_rule_set_members",
        ["rule_set_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_business_rule_set_members_tenant_id"),
        "business_rule_set_members",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        "uq_business_rule_set_members_pair",
        "business_rule_set_members",
        ["rule_set_id", "rule_id"],
        unique=True,
    )
    op.create_table(
        "business_rule_logs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("rule_id", sa.UUID(), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column("entity_type", sa.String(length=100), nullable=False),
        sa.Column("execution_result", sa.String(length=20), nullable=False),
        sa.Column("input_context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("output_context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("execution_time_ms", sa.Integer(), nullable=False),
        sa.Column("executed_by", sa.String(length=200), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_business_rule_logs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["business_rules.id"], name=op.f("fk_business_rule_logs_rule_id_business_rules")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_business_rule_logs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_rule_logs")),
    )
    op.create_index(
        op.f("ix_business_rule_logs_organization_id"), "business_rule_logs", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_business_rule_logs_rule_id"), "business_rule_logs", ["rule_id"], unique=False)
    op.create_index(
        op.f("ix_business_rule_logs_tenant_id"), "business_rule_logs", ["tenant_id"], unique=False
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
