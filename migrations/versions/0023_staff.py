"""staff

Tables of the staff module (teams, roles, members, leave requests, unavailability, timeline,
addresses, job history); row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0023
Revises: 0020
Create Date: 2026-11-26 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "staff_job_histories",
    "staff_addresses",
    "staff_comments",
    "staff_activities",
    "staff_unavailabilities",
    "staff_leave_requests",
    "staff_member_tags",
    "staff_member_roles",
    "staff_team_members",
    "staff_team_roles",
    "staff_teams",
)


def upgrade() -> None:
    op.create_table(
        "staff_teams",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_teams_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_staff_teams_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_teams")),
    )
    op.create_index(op.f("ix_staff_teams_organization_id"), "staff_teams", ["organization_id"], unique=False)
    op.create_index(op.f("ix_staff_teams_tenant_id"), "staff_teams", ["tenant_id"], unique=False)
    op.create_table(
        "staff_team_roles",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("appearance_icon", sa.String(length=64), nullable=True),
        sa.Column("appearance_color", sa.String(length=32), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_team_roles_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["staff_teams.id"], name=op.f("fk_staff_team_roles_team_id_staff_teams")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_team_roles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_team_roles")),
    )
    op.create_index(
        op.f("ix_staff_team_roles_organization_id"), "staff_team_roles", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_team_roles_team_id"), "staff_team_roles", ["team_id"], unique=False)
    op.create_index(op.f("ix_staff_team_roles_tenant_id"), "staff_team_roles", ["tenant_id"], unique=False)
    op.create_table(
        "staff_team_members",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("availability_rule_set_id", sa.UUID(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_team_members_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["staff_teams.id"], name=op.f("fk_staff_team_members_team_id_staff_teams")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_team_members_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_staff_team_members_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_team_members")),
    )
    op.create_index(
        op.f("ix_staff_team_members_availability_rule_set_id"),
        "staff_team_members",
        ["availability_rule_set_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staff_team_members_organization_id"), "staff_team_members", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_team_members_team_id"), "staff_team_members", ["team_id"], unique=False)
    op.create_index(
        op.f("ix_staff_team_members_tenant_id"), "staff_team_members", ["tenant_id"], unique=False
    )
    op.create_index(op.f("ix_staff_team_members_user_id"), "staff_team_members", ["user_id"], unique=False)
    op.create_index(
        "uq_staff_team_members_user",
        "staff_team_members",
        ["tenant_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND user_id IS NOT NULL"),
    )
    op.create_table(
        "staff_member_roles",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("role_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_member_roles_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_member_roles_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["staff_team_roles.id"], name=op.f("fk_staff_member_roles_role_id_staff_team_roles")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_member_roles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member_roles")),
        sa.UniqueConstraint("member_id", "role_id", name="uq_staff_member_roles_pair"),
    )
    op.create_index(
        op.f("ix_staff_member_roles_member_id"), "staff_member_roles", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_member_roles_organization_id"), "staff_member_roles", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_member_roles_role_id"), "staff_member_roles", ["role_id"], unique=False)
    op.create_index(
        op.f("ix_staff_member_roles_tenant_id"), "staff_member_roles", ["tenant_id"], unique=False
    )
    op.create_table(
        "staff_member_tags",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_member_tags_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_member_tags_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_member_tags_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member_tags")),
        sa.UniqueConstraint("member_id", "tag", name="uq_staff_member_tags_pair"),
    )
    op.create_index(op.f("ix_staff_member_tags_member_id"), "staff_member_tags", ["member_id"], unique=False)
    op.create_index(
        op.f("ix_staff_member_tags_organization_id"), "staff_member_tags", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_member_tags_tenant_id"), "staff_member_tags", ["tenant_id"], unique=False)
    op.create_table(
        "staff_leave_requests",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("unavailability_reason_entry_id", sa.UUID(), nullable=True),
        sa.Column("unavailability_reason_value", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("submitted_by_user_id", sa.UUID(), nullable=True),
        sa.Column("decided_by_user_id", sa.UUID(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_leave_requests_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_leave_requests_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_leave_requests_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_leave_requests")),
    )
    op.create_index(
        op.f("ix_staff_leave_requests_member_id"), "staff_leave_requests", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_leave_requests_organization_id"),
        "staff_leave_requests",
        ["organization_id"],
        unique=False,
    )
    op.create_index(op.f("ix_staff_leave_requests_status"), "staff_leave_requests", ["status"], unique=False)
    op.create_index(
        op.f("ix_staff_leave_requests_tenant_id"), "staff_leave_requests", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_leave_requests_unavailability_reason_entry_id"),
        "staff_leave_requests",
        ["unavailability_reason_entry_id"],
        unique=False,
    )
    op.create_table(
        "staff_unavailabilities",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("leave_request_id", sa.UUID(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["leave_request_id"],
            ["staff_leave_requests.id"],
            name=op.f("fk_staff_unavailabilities_leave_request_id_staff_leave_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_unavailabilities_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_unavailabilities_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_unavailabilities_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_unavailabilities")),
    )
    op.create_index(
        op.f("ix_staff_unavailabilities_leave_request_id"),
        "staff_unavailabilities",
        ["leave_request_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staff_unavailabilities_member_id"), "staff_unavailabilities", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_unavailabilities_organization_id"),
        "staff_unavailabilities",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staff_unavailabilities_tenant_id"), "staff_unavailabilities", ["tenant_id"], unique=False
    )
    op.create_table(
        "staff_activities",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("activity_type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_user_id", sa.UUID(), nullable=True),
        sa.Column("appearance_icon", sa.String(length=64), nullable=True),
        sa.Column("appearance_color", sa.String(length=32), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_activities_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_activities_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_activities_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_activities")),
    )
    op.create_index(op.f("ix_staff_activities_member_id"), "staff_activities", ["member_id"], unique=False)
    op.create_index(
        op.f("ix_staff_activities_organization_id"), "staff_activities", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_activities_tenant_id"), "staff_activities", ["tenant_id"], unique=False)
    op.create_table(
        "staff_comments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.UUID(), nullable=True),
        sa.Column("appearance_icon", sa.String(length=64), nullable=True),
        sa.Column("appearance_color", sa.String(length=32), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_comments_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_comments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_comments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_comments")),
    )
    op.create_index(op.f("ix_staff_comments_member_id"), "staff_comments", ["member_id"], unique=False)
    op.create_index(
        op.f("ix_staff_comments_organization_id"), "staff_comments", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_comments_tenant_id"), "staff_comments", ["tenant_id"], unique=False)
    op.create_table(
        "staff_addresses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=100), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("address_line1", sa.String(length=300), nullable=False),
        sa.Column("address_line2", sa.String(length=300), nullable=True),
        sa.Column("building_number", sa.String(length=50), nullable=True),
        sa.Column("flat_number", sa.String(length=50), nullable=True),
        sa.Column("city", sa.String(length=150), nullable=True),
        sa.Column("region", sa.String(length=150), nullable=True),
        sa.Column("postal_code", sa.String(length=30), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("is_primary", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_addresses_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_addresses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_addresses_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_addresses")),
    )
    op.create_index(op.f("ix_staff_addresses_member_id"), "staff_addresses", ["member_id"], unique=False)
    op.create_index(
        op.f("ix_staff_addresses_organization_id"), "staff_addresses", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_staff_addresses_tenant_id"), "staff_addresses", ["tenant_id"], unique=False)
    op.create_index(
        "uq_staff_addresses_primary",
        "staff_addresses",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND is_primary"),
    )
    op.create_table(
        "staff_job_histories",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["staff_team_members.id"],
            name=op.f("fk_staff_job_histories_member_id_staff_team_members"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_staff_job_histories_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_job_histories_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_job_histories")),
    )
    op.create_index(
        op.f("ix_staff_job_histories_member_id"), "staff_job_histories", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_job_histories_organization_id"),
        "staff_job_histories",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staff_job_histories_tenant_id"), "staff_job_histories", ["tenant_id"], unique=False
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
