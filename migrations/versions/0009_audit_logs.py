"""audit_logs: access log of sensitive reads; action log state changes (undo/redo) timestamped

Revision ID: 0009
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_logs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("resource_kind", sa.String(length=200), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("access_type", sa.String(length=20), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_logs")),
    )
    op.create_index(op.f("ix_access_logs_tenant_id"), "access_logs", ["tenant_id"])
    op.create_index(op.f("ix_access_logs_actor"), "access_logs", ["actor"])
    op.create_index(op.f("ix_access_logs_resource_kind"), "access_logs", ["resource_kind"])
    op.create_index(op.f("ix_access_logs_created_at"), "access_logs", ["created_at"])
    op.add_column(
        "action_logs",
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_action_logs_actor_state", "action_logs", ["actor", "execution_state", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_action_logs_actor_state", table_name="action_logs")
    op.drop_column("action_logs", "updated_at")
    op.drop_table("access_logs")
