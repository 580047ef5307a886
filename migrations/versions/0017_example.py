"""example and onboarding: todos with assignees, customer priorities, blog posts, notifications, QA
event capture; self-service onboarding requests (in the private schema the request role cannot read)

Revision ID: 0017
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "onboarding_requests",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("organization_name", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("marketing_consent", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_mail_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_onboarding_requests_token_hash")),
        schema="crmgraph_private",
    )
    op.create_index(
        "ix_onboarding_requests_email",
        "onboarding_requests",
        [sa.literal_column("lower(email)")],
        unique=False,
        schema="crmgraph_private",
    )
    op.create_table(
        "example_qa_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("source_event_id", sa.UUID(), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_example_qa_events_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_example_qa_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_qa_events")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_example_qa_events_source_event_id")),
    )
    op.create_index(
        op.f("ix_example_qa_events_organization_id"), "example_qa_events", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_example_qa_events_tenant_captured",
        "example_qa_events",
        ["tenant_id", "captured_at"],
        unique=False,
    )
    op.create_index(op.f("ix_example_qa_events_tenant_id"), "example_qa_events", ["tenant_id"], unique=False)
    op.create_table(
        "example_todos",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("is_done", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "custom_values", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_example_todos_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_example_todos_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_todos")),
    )
    op.create_index(
        op.f("ix_example_todos_organization_id"), "example_todos", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_example_todos_scope",
        "example_todos",
        ["tenant_id", "organization_id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(op.f("ix_example_todos_tenant_id"), "example_todos", ["tenant_id"], unique=False)
    op.create_table(
        "example_blog_posts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("author_user_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_example_blog_posts_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_example_blog_posts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_example_blog_posts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_blog_posts")),
    )
    op.create_index(
        op.f("ix_example_blog_posts_author_user_id"), "example_blog_posts", ["author_user_id"], unique=False
    )
    op.create_index(
        op.f("ix_example_blog_posts_organization_id"), "example_blog_posts", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_example_blog_posts_tenant_id"), "example_blog_posts", ["tenant_id"], unique=False
    )
    op.create_table(
        "example_customer_priorities",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("priority", sa.String(length=20), server_default="normal", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer_entities.id"],
            name=op.f("fk_example_customer_priorities_customer_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_example_customer_priorities_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_example_customer_priorities_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_customer_priorities")),
    )
    op.create_index(
        op.f("ix_example_customer_priorities_customer_id"),
        "example_customer_priorities",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_example_customer_priorities_organization_id"),
        "example_customer_priorities",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_example_customer_priorities_tenant_id"),
        "example_customer_priorities",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        "uq_example_customer_priorities_customer",
        "example_customer_priorities",
        ["tenant_id", "customer_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "example_notifications",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("recipient_user_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=20), server_default="info", nullable=False),
        sa.Column("link_href", sa.String(length=1000), nullable=False),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("primary_action_id", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_example_notifications_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_example_notifications_recipient_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_example_notifications_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_notifications")),
    )
    op.create_index(
        op.f("ix_example_notifications_organization_id"),
        "example_notifications",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_example_notifications_recipient_user_id"),
        "example_notifications",
        ["recipient_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_example_notifications_tenant_id"), "example_notifications", ["tenant_id"], unique=False
    )
    op.create_table(
        "example_todo_assignees",
        sa.Column("todo_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_example_todo_assignees_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["todo_id"], ["example_todos.id"], name=op.f("fk_example_todo_assignees_todo_id_example_todos")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_example_todo_assignees_user_id_users")
        ),
        sa.PrimaryKeyConstraint("todo_id", "user_id", name=op.f("pk_example_todo_assignees")),
    )
    op.create_index(
        op.f("ix_example_todo_assignees_tenant_id"), "example_todo_assignees", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_example_todo_assignees_user_id"), "example_todo_assignees", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_example_todo_assignees_user_id"), table_name="example_todo_assignees")
    op.drop_index(op.f("ix_example_todo_assignees_tenant_id"), table_name="example_todo_assignees")
    op.drop_table("example_todo_assignees")
    op.drop_index(op.f("ix_example_notifications_tenant_id"), table_name="example_notifications")
    op.drop_index(op.f("ix_example_notifications_recipient_user_id"), table_name="example_notifications")
    op.drop_index(op.f("ix_example_notifications_organization_id"), table_name="example_notifications")
    op.drop_table("example_notifications")
    op.drop_index(
        "uq_example_customer_priorities_customer",
        table_name="example_customer_priorities",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(op.f("ix_example_customer_priorities_tenant_id"), table_name="example_customer_priorities")
    op.drop_index(
        op.f("ix_example_customer_priorities_organization_id"), table_name="example_customer_priorities"
    )
    op.drop_index(
        op.f("ix_example_customer_priorities_customer_id"), table_name="example_customer_priorities"
    )
    op.drop_table("example_customer_priorities")
    op.drop_index(op.f("ix_example_blog_posts_tenant_id"), table_name="example_blog_posts")
    op.drop_index(op.f("ix_example_blog_posts_organization_id"), table_name="example_blog_posts")
    op.drop_index(op.f("ix_example_blog_posts_author_user_id"), table_name="example_blog_posts")
    op.drop_table("example_blog_posts")
    op.drop_index(op.f("ix_example_todos_tenant_id"), table_name="example_todos")
    op.drop_index(
        "ix_example_todos_scope", table_name="example_todos", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_index(op.f("ix_example_todos_organization_id"), table_name="example_todos")
    op.drop_table("example_todos")
    op.drop_index(op.f("ix_example_qa_events_tenant_id"), table_name="example_qa_events")
    op.drop_index("ix_example_qa_events_tenant_captured", table_name="example_qa_events")
    op.drop_index(op.f("ix_example_qa_events_organization_id"), table_name="example_qa_events")
    op.drop_table("example_qa_events")
    op.drop_index("ix_onboarding_requests_email", table_name="onboarding_requests", schema="crmgraph_private")
    op.drop_table("onboarding_requests", schema="crmgraph_private")
