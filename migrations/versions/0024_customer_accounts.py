"""customer accounts

Customer portal logins, roles, sessions, mailed tokens and notifications; row-level security is
applied to them by ``crmgraph migrate``.

Revision ID: 0024
Revises: 0020
Create Date: 2026-11-26 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True, now: bool = False) -> sa.Column:
    default = sa.text("now()") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _common(table: str) -> list:
    return [
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _user_fk(table: str, column: str = "user_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["customer_users.id"], name=op.f(f"fk_{table}_{column}_customer_users")
    )


def upgrade() -> None:
    op.create_table(
        "customer_users",
        *_common("customer_users"),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        _at("email_verified_at"),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        _at("locked_until"),
        sa.Column("failed_login_attempts", sa.Integer(), server_default="0", nullable=False),
        _at("last_login_at"),
        sa.Column("customer_entity_id", sa.UUID(), nullable=True),
        sa.Column("person_entity_id", sa.UUID(), nullable=True),
        _at("deleted_at"),
        _at("created_at", False, True),
        _at("updated_at", False, True),
    )
    op.create_index(
        "uq_customer_users_tenant_email",
        "customer_users",
        ["tenant_id", "email"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "customer_roles",
        *_common("customer_roles"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_system", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("customer_assignable", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("features", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("is_portal_admin", sa.Boolean(), server_default="false", nullable=False),
        _at("deleted_at"),
        _at("created_at", False, True),
        _at("updated_at", False, True),
    )
    op.create_index(
        "uq_customer_roles_tenant_slug",
        "customer_roles",
        ["tenant_id", "slug"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "customer_user_roles",
        *_common("customer_user_roles"),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("role_id", sa.UUID(), nullable=False),
        _user_fk("customer_user_roles"),
        sa.ForeignKeyConstraint(
            ["role_id"], ["customer_roles.id"], name=op.f("fk_customer_user_roles_role_id_customer_roles")
        ),
    )
    op.create_table(
        "customer_sessions",
        *_common("customer_sessions"),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("family_id", sa.UUID(), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        _at("last_used_at"),
        _at("created_at", False, True),
        _at("expires_at", False),
        _at("revoked_at"),
        _user_fk("customer_sessions"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_sessions_token_hash")),
    )
    op.create_table(
        "customer_tokens",
        *_common("customer_tokens"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("role_ids", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("customer_entity_id", sa.UUID(), nullable=True),
        sa.Column("invited_by_user_id", sa.UUID(), nullable=True),
        sa.Column("invited_by_customer_id", sa.UUID(), nullable=True),
        _at("created_at", False, True),
        _at("expires_at", False),
        _at("used_at"),
        _user_fk("customer_tokens"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_tokens_token_hash")),
    )
    op.create_table(
        "customer_notifications",
        *_common("customer_notifications"),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=20), server_default="info", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="unread", nullable=False),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("source_module", sa.String(length=100), nullable=True),
        sa.Column("source_entity_type", sa.String(length=100), nullable=True),
        sa.Column("source_entity_id", sa.String(length=64), nullable=True),
        sa.Column("link_href", sa.String(length=500), nullable=True),
        _at("created_at", False, True),
        _at("read_at"),
        _user_fk("customer_notifications"),
    )
    for table in ("customer_users", "customer_roles", "customer_user_roles", "customer_sessions"):
        op.create_index(op.f(f"ix_{table}_tenant_id"), table, ["tenant_id"])
    for table in ("customer_tokens", "customer_notifications"):
        op.create_index(op.f(f"ix_{table}_tenant_id"), table, ["tenant_id"])
    for table in ("customer_user_roles", "customer_sessions", "customer_tokens", "customer_notifications"):
        op.create_index(op.f(f"ix_{table}_user_id"), table, ["user_id"])
    op.create_index(op.f("ix_customer_user_roles_role_id"), "customer_user_roles", ["role_id"])
    op.create_index(op.f("ix_customer_sessions_family_id"), "customer_sessions", ["family_id"])


def downgrade() -> None:
    for table in (
        "customer_notifications",
        "customer_tokens",
        "customer_sessions",
        "customer_user_roles",
        "customer_roles",
        "customer_users",
    ):
        op.drop_table(table)
