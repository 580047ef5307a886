"""notifications and messages

Tables of the two modules; row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0011
Revises: 0014
Create Date: 2026-11-26 00:23:36.722928
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_settings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notification_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_settings")),
        sa.UniqueConstraint("tenant_id", name="uq_notification_settings_tenant"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("recipient_user_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("title_key", sa.String(length=200), nullable=True),
        sa.Column("body_key", sa.String(length=200), nullable=True),
        sa.Column("title_variables", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("body_variables", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("severity", sa.String(length=20), server_default="info", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="unread", nullable=False),
        sa.Column("action_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("action_taken", sa.String(length=100), nullable=True),
        sa.Column("action_result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("source_module", sa.String(length=100), nullable=True),
        sa.Column("source_entity_type", sa.String(length=100), nullable=True),
        sa.Column("source_entity_id", sa.UUID(), nullable=True),
        sa.Column("link_href", sa.String(length=2000), nullable=True),
        sa.Column("group_key", sa.String(length=200), nullable=True),
        sa.Column("created_by_user_id", sa.UUID(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actioned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notifications_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_notifications_recipient_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_group", "notifications", ["recipient_user_id", "type", "group_key"], unique=False
    )
    op.create_index(
        op.f("ix_notifications_organization_id"), "notifications", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_notifications_recipient_status", "notifications", ["recipient_user_id", "status"], unique=False
    )
    op.create_index(op.f("ix_notifications_tenant_id"), "notifications", ["tenant_id"], unique=False)
    op.create_table(
        "messages",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=100), server_default="default", nullable=False),
        sa.Column("thread_id", sa.UUID(), nullable=True),
        sa.Column("parent_message_id", sa.UUID(), nullable=True),
        sa.Column("case_id", sa.UUID(), nullable=True),
        sa.Column("sender_user_id", sa.UUID(), nullable=False),
        sa.Column("subject", sa.String(length=500), server_default="", nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("body_format", sa.String(length=20), server_default="text", nullable=False),
        sa.Column("priority", sa.String(length=20), server_default="normal", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("is_draft", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visibility", sa.String(length=20), nullable=True),
        sa.Column("source_entity_type", sa.String(length=100), nullable=True),
        sa.Column("source_entity_id", sa.UUID(), nullable=True),
        sa.Column("external_email", sa.String(length=320), nullable=True),
        sa.Column("external_name", sa.String(length=255), nullable=True),
        sa.Column("action_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("action_result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("action_taken", sa.String(length=200), nullable=True),
        sa.Column("action_taken_by_user_id", sa.UUID(), nullable=True),
        sa.Column("action_taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_via_email", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("sender_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_messages_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_messages_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["parent_message_id"], ["messages.id"], name=op.f("fk_messages_parent_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["sender_user_id"], ["users.id"], name=op.f("fk_messages_sender_user_id_users")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_messages_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(op.f("ix_messages_case_id"), "messages", ["case_id"], unique=False)
    op.create_index(op.f("ix_messages_organization_id"), "messages", ["organization_id"], unique=False)
    op.create_index(op.f("ix_messages_parent_message_id"), "messages", ["parent_message_id"], unique=False)
    op.create_index("ix_messages_sender_sent", "messages", ["sender_user_id", "sent_at"], unique=False)
    op.create_index(op.f("ix_messages_tenant_id"), "messages", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_messages_thread_id"), "messages", ["thread_id"], unique=False)
    op.create_table(
        "message_access_tokens",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("recipient_user_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("use_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_access_tokens_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_message_access_tokens_recipient_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_access_tokens_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_message_access_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_message_access_tokens_message_id"), "message_access_tokens", ["message_id"], unique=False
    )
    op.create_index(
        op.f("ix_message_access_tokens_tenant_id"), "message_access_tokens", ["tenant_id"], unique=False
    )
    op.create_table(
        "message_attachments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("uploaded_by_user_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_attachments_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_attachments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    op.create_index(
        op.f("ix_message_attachments_message_id"), "message_attachments", ["message_id"], unique=False
    )
    op.create_index(
        op.f("ix_message_attachments_storage_key"), "message_attachments", ["storage_key"], unique=False
    )
    op.create_index(
        op.f("ix_message_attachments_tenant_id"), "message_attachments", ["tenant_id"], unique=False
    )
    op.create_table(
        "message_confirmations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("confirmed_by_user_id", sa.UUID(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_confirmations_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_confirmations_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_confirmations")),
        sa.UniqueConstraint("message_id", name="uq_message_confirmations_message"),
    )
    op.create_index(
        op.f("ix_message_confirmations_tenant_id"), "message_confirmations", ["tenant_id"], unique=False
    )
    op.create_table(
        "message_objects",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("entity_module", sa.String(length=100), nullable=False),
        sa.Column("entity_type", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("action_required", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("action_type", sa.String(length=100), nullable=True),
        sa.Column("action_label", sa.String(length=200), nullable=True),
        sa.Column("entity_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_objects_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_objects_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_objects")),
    )
    op.create_index(op.f("ix_message_objects_entity_id"), "message_objects", ["entity_id"], unique=False)
    op.create_index(op.f("ix_message_objects_message_id"), "message_objects", ["message_id"], unique=False)
    op.create_index(op.f("ix_message_objects_tenant_id"), "message_objects", ["tenant_id"], unique=False)
    op.create_table(
        "message_recipients",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("recipient_user_id", sa.UUID(), nullable=False),
        sa.Column("recipient_type", sa.String(length=10), server_default="to", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="unread", nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_recipients_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_message_recipients_recipient_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_recipients_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_recipients")),
        sa.UniqueConstraint("message_id", "recipient_user_id", name="uq_message_recipients_message_user"),
    )
    op.create_index(
        op.f("ix_message_recipients_message_id"), "message_recipients", ["message_id"], unique=False
    )
    op.create_index(
        op.f("ix_message_recipients_tenant_id"), "message_recipients", ["tenant_id"], unique=False
    )
    op.create_index(
        "ix_message_recipients_user_status",
        "message_recipients",
        ["recipient_user_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_message_recipients_user_status", table_name="message_recipients")
    op.drop_index(op.f("ix_message_recipients_tenant_id"), table_name="message_recipients")
    op.drop_index(op.f("ix_message_recipients_message_id"), table_name="message_recipients")
    op.drop_table("message_recipients")
    op.drop_index(op.f("ix_message_objects_tenant_id"), table_name="message_objects")
    op.drop_index(op.f("ix_message_objects_message_id"), table_name="message_objects")
    op.drop_index(op.f("ix_message_objects_entity_id"), table_name="message_objects")
    op.drop_table("message_objects")
    op.drop_index(op.f("ix_message_confirmations_tenant_id"), table_name="message_confirmations")
    op.drop_table("message_confirmations")
    op.drop_index(op.f("ix_message_attachments_tenant_id"), table_name="message_attachments")
    op.drop_index(op.f("ix_message_attachments_storage_key"), table_name="message_attachments")
    op.drop_index(op.f("ix_message_attachments_message_id"), table_name="message_attachments")
    op.drop_table("message_attachments")
    op.drop_index(op.f("ix_message_access_tokens_tenant_id"), table_name="message_access_tokens")
    op.drop_index(op.f("ix_message_access_tokens_message_id"), table_name="message_access_tokens")
    op.drop_table("message_access_tokens")
    op.drop_index(op.f("ix_messages_thread_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_tenant_id"), table_name="messages")
    op.drop_index("ix_messages_sender_sent", table_name="messages")
    op.drop_index(op.f("ix_messages_parent_message_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_organization_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_case_id"), table_name="messages")
    op.drop_table("messages")
    op.drop_index(op.f("ix_notifications_tenant_id"), table_name="notifications")
    op.drop_index("ix_notifications_recipient_status", table_name="notifications")
    op.drop_index(op.f("ix_notifications_organization_id"), table_name="notifications")
    op.drop_index("ix_notifications_group", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_settings")
