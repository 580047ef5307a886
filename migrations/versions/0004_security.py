"""security: installation secrets, one staff login per email, expiring secret-bearing mail

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIVATE = "crmgraph_private"


def upgrade() -> None:
    # Secrets generated per installation live outside the public schema: the request role
    # (crmgraph_app) is granted the public tables only, so no request transaction can read them.
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PRIVATE}")
    op.create_table(
        "installation_secrets",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        schema=PRIVATE,
    )
    # An email identifies at most one live staff login across all tenants.
    op.drop_index("ix_users_email_lower", table_name="users")
    op.create_index(
        "uq_users_email_lower",
        "users",
        [sa.text("lower(email)")],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    # Mail carrying a secret (reset links) expires when undelivered.
    op.add_column("email_outbox", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("email_outbox", "expires_at")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")], unique=False)
    op.drop_table("installation_secrets", schema=PRIVATE)
    op.execute(f"DROP SCHEMA IF EXISTS {PRIVATE}")
