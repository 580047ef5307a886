"""entities and attachments

Custom entities, custom field definitions, encryption maps and custom entity records (entities
module); attachment partitions and attachments (attachments module). Row-level security is applied
to them by ``crmgraph migrate``.

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-26 00:26:04.664128
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_partitions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("requires_ocr", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("ocr_model", sa.String(length=100), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_attachment_partitions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_partitions")),
    )
    op.create_index(
        op.f("ix_attachment_partitions_tenant_id"), "attachment_partitions", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_attachment_partitions_code", "attachment_partitions", ["tenant_id", "code"], unique=True
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("record_uuid", sa.UUID(), nullable=True),
        sa.Column("partition_id", sa.UUID(), nullable=False),
        sa.Column("partition_code", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_driver", sa.String(length=20), server_default="local", nullable=False),
        sa.Column("storage_bucket", sa.String(length=255), nullable=True),
        sa.Column("storage_key", sa.String(length=500), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column(
            "assignments", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "custom_fields", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_attachments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["partition_id"],
            ["attachment_partitions.id"],
            name=op.f("fk_attachments_partition_id_attachment_partitions"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_attachments_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_organization_id"), "attachments", ["organization_id"], unique=False)
    op.create_index(op.f("ix_attachments_partition_id"), "attachments", ["partition_id"], unique=False)
    op.create_index(
        "ix_attachments_record", "attachments", ["tenant_id", "entity_id", "record_id"], unique=False
    )
    op.create_index(op.f("ix_attachments_record_uuid"), "attachments", ["record_uuid"], unique=False)
    op.create_index(op.f("ix_attachments_tenant_id"), "attachments", ["tenant_id"], unique=False)
    op.create_table(
        "custom_entities",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("label_field", sa.String(length=100), nullable=True),
        sa.Column("show_in_sidebar", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_custom_entities_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_custom_entities_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_entities")),
    )
    op.create_index(
        op.f("ix_custom_entities_organization_id"), "custom_entities", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_custom_entities_tenant_id"), "custom_entities", ["tenant_id"], unique=False)
    op.create_index(
        "uq_custom_entities_scope",
        "custom_entities",
        [
            "tenant_id",
            sa.literal_column("coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "entity_id",
        ],
        unique=True,
    )
    op.create_table(
        "custom_field_definitions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_custom_field_definitions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_custom_field_definitions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_field_definitions")),
    )
    op.create_index(
        op.f("ix_custom_field_definitions_entity_id"), "custom_field_definitions", ["entity_id"], unique=False
    )
    op.create_index(
        op.f("ix_custom_field_definitions_organization_id"),
        "custom_field_definitions",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_custom_field_definitions_tenant_id"), "custom_field_definitions", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_custom_field_definitions_scope",
        "custom_field_definitions",
        [
            "tenant_id",
            sa.literal_column("coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "entity_id",
            "key",
        ],
        unique=True,
    )
    op.create_table(
        "entity_encryption_maps",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_entity_encryption_maps_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_entity_encryption_maps_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_encryption_maps")),
    )
    op.create_index(
        op.f("ix_entity_encryption_maps_organization_id"),
        "entity_encryption_maps",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_entity_encryption_maps_tenant_id"), "entity_encryption_maps", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_entity_encryption_maps_scope",
        "entity_encryption_maps",
        [
            "tenant_id",
            sa.literal_column("coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "entity_id",
        ],
        unique=True,
    )
    op.create_table(
        "custom_entity_records",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("custom_entity_id", sa.UUID(), nullable=True),
        sa.Column("values", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["custom_entity_id"],
            ["custom_entities.id"],
            name=op.f("fk_custom_entity_records_custom_entity_id_custom_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_custom_entity_records_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_custom_entity_records_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_entity_records")),
    )
    op.create_index(
        op.f("ix_custom_entity_records_custom_entity_id"),
        "custom_entity_records",
        ["custom_entity_id"],
        unique=False,
    )
    op.create_index(
        "ix_custom_entity_records_entity", "custom_entity_records", ["tenant_id", "entity_id"], unique=False
    )
    op.create_index(
        op.f("ix_custom_entity_records_organization_id"),
        "custom_entity_records",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_custom_entity_records_tenant_id"), "custom_entity_records", ["tenant_id"], unique=False
    )
    op.create_index(
        "ix_custom_entity_records_values",
        "custom_entity_records",
        ["values"],
        unique=False,
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_custom_entity_records_values", table_name="custom_entity_records", postgresql_using="gin"
    )
    op.drop_index(op.f("ix_custom_entity_records_tenant_id"), table_name="custom_entity_records")
    op.drop_index(op.f("ix_custom_entity_records_organization_id"), table_name="custom_entity_records")
    op.drop_index("ix_custom_entity_records_entity", table_name="custom_entity_records")
    op.drop_index(op.f("ix_custom_entity_records_custom_entity_id"), table_name="custom_entity_records")
    op.drop_table("custom_entity_records")
    op.drop_index("uq_entity_encryption_maps_scope", table_name="entity_encryption_maps")
    op.drop_index(op.f("ix_entity_encryption_maps_tenant_id"), table_name="entity_encryption_maps")
    op.drop_index(op.f("ix_entity_encryption_maps_organization_id"), table_name="entity_encryption_maps")
    op.drop_table("entity_encryption_maps")
    op.drop_index("uq_custom_field_definitions_scope", table_name="custom_field_definitions")
    op.drop_index(op.f("ix_custom_field_definitions_tenant_id"), table_name="custom_field_definitions")
    op.drop_index(op.f("ix_custom_field_definitions_organization_id"), table_name="custom_field_definitions")
    op.drop_index(op.f("ix_custom_field_definitions_entity_id"), table_name="custom_field_definitions")
    op.drop_table("custom_field_definitions")
    op.drop_index("uq_custom_entities_scope", table_name="custom_entities")
    op.drop_index(op.f("ix_custom_entities_tenant_id"), table_name="custom_entities")
    op.drop_index(op.f("ix_custom_entities_organization_id"), table_name="custom_entities")
    op.drop_table("custom_entities")
    op.drop_index(op.f("ix_attachments_tenant_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_record_uuid"), table_name="attachments")
    op.drop_index("ix_attachments_record", table_name="attachments")
    op.drop_index(op.f("ix_attachments_partition_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_organization_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index("uq_attachment_partitions_code", table_name="attachment_partitions")
    op.drop_index(op.f("ix_attachment_partitions_tenant_id"), table_name="attachment_partitions")
    op.drop_table("attachment_partitions")
