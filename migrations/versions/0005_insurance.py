"""insurance, partner_programs, customer_signals: insurers, contacts, policies, leads and
their attachments, insurance settings, partner programs and memberships, customer signals

Revision ID: 0005
Revises: 0009
Create Date: 2026-11-25 21:58:23.782527
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insurance_insurers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=50), server_default="active", nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_insurers_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_insurance_insurers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_insurers")),
    )
    op.create_index(
        op.f("ix_insurance_insurers_organization_id"), "insurance_insurers", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_insurers_tenant_id"), "insurance_insurers", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_insurance_insurers_code",
        "insurance_insurers",
        ["tenant_id", "organization_id", "code"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "insurance_settings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_settings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_insurance_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_settings")),
        sa.UniqueConstraint("tenant_id", "organization_id", "key", name="uq_insurance_settings_key"),
    )
    op.create_index(
        op.f("ix_insurance_settings_organization_id"), "insurance_settings", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_settings_tenant_id"), "insurance_settings", ["tenant_id"], unique=False
    )
    op.create_table(
        "partner_programs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_programs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_partner_programs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_programs")),
    )
    op.create_index(
        op.f("ix_partner_programs_organization_id"), "partner_programs", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_partner_programs_tenant_id"), "partner_programs", ["tenant_id"], unique=False)
    op.create_table(
        "insurance_insurer_contacts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("insurer_id", sa.UUID(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["insurance_insurers.id"],
            name=op.f("fk_insurance_insurer_contacts_insurer_id_insurance_insurers"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_insurer_contacts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_insurance_insurer_contacts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_insurer_contacts")),
    )
    op.create_index(
        op.f("ix_insurance_insurer_contacts_insurer_id"),
        "insurance_insurer_contacts",
        ["insurer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_insurer_contacts_organization_id"),
        "insurance_insurer_contacts",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_insurer_contacts_tenant_id"),
        "insurance_insurer_contacts",
        ["tenant_id"],
        unique=False,
    )
    op.create_table(
        "partner_program_memberships",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("program_id", sa.UUID(), nullable=False),
        sa.Column("partner_entity_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_program_memberships_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_partner_program_memberships_partner_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["partner_programs.id"],
            name=op.f("fk_partner_program_memberships_program_id_partner_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_partner_program_memberships_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_program_memberships")),
    )
    op.create_index(
        op.f("ix_partner_program_memberships_organization_id"),
        "partner_program_memberships",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_partner_program_memberships_partner_entity_id"),
        "partner_program_memberships",
        ["partner_entity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_partner_program_memberships_program_id"),
        "partner_program_memberships",
        ["program_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_partner_program_memberships_tenant_id"),
        "partner_program_memberships",
        ["tenant_id"],
        unique=False,
    )
    op.create_index(
        "uq_partner_program_memberships_partner",
        "partner_program_memberships",
        ["program_id", "partner_entity_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "customer_signals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("signal_type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("external_id", sa.String(length=191), nullable=False),
        sa.Column("customer_entity_id", sa.UUID(), nullable=True),
        sa.Column("deal_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_customer_signals_customer_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["customer_deals.id"], name=op.f("fk_customer_signals_deal_id_customer_deals")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customer_signals_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_customer_signals_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_signals")),
    )
    op.create_index(
        op.f("ix_customer_signals_customer_entity_id"),
        "customer_signals",
        ["customer_entity_id"],
        unique=False,
    )
    op.create_index(op.f("ix_customer_signals_deal_id"), "customer_signals", ["deal_id"], unique=False)
    op.create_index(
        "ix_customer_signals_occurred", "customer_signals", ["tenant_id", "occurred_at"], unique=False
    )
    op.create_index(
        op.f("ix_customer_signals_organization_id"), "customer_signals", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_customer_signals_tenant_id"), "customer_signals", ["tenant_id"], unique=False)
    op.create_index(
        "uq_customer_signals_external_id",
        "customer_signals",
        ["tenant_id", "organization_id", "source", "external_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "insurance_policies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("policy_number", sa.String(length=100), nullable=False),
        sa.Column("insurer_id", sa.UUID(), nullable=False),
        sa.Column("insurer_contact_id", sa.UUID(), nullable=True),
        sa.Column("caretaker_user_id", sa.UUID(), nullable=True),
        sa.Column("referring_partner_entity_id", sa.UUID(), nullable=True),
        sa.Column("catalog_product_id", sa.UUID(), nullable=True),
        sa.Column("resource_id", sa.UUID(), nullable=True),
        sa.Column("insured_person_entity_id", sa.UUID(), nullable=True),
        sa.Column("insured_company_entity_id", sa.UUID(), nullable=True),
        sa.Column("deal_id", sa.UUID(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=50), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["caretaker_user_id"], ["users.id"], name=op.f("fk_insurance_policies_caretaker_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["customer_deals.id"], name=op.f("fk_insurance_policies_deal_id_customer_deals")
        ),
        sa.ForeignKeyConstraint(
            ["insured_company_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_insurance_policies_insured_company_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["insured_person_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_insurance_policies_insured_person_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_contact_id"],
            ["insurance_insurer_contacts.id"],
            name=op.f("fk_insurance_policies_insurer_contact_id_insurance_insurer_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["insurance_insurers.id"],
            name=op.f("fk_insurance_policies_insurer_id_insurance_insurers"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_policies_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_partner_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_insurance_policies_referring_partner_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_insurance_policies_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policies")),
    )
    op.create_index(
        op.f("ix_insurance_policies_caretaker_user_id"),
        "insurance_policies",
        ["caretaker_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_policies_catalog_product_id"),
        "insurance_policies",
        ["catalog_product_id"],
        unique=False,
    )
    op.create_index(op.f("ix_insurance_policies_deal_id"), "insurance_policies", ["deal_id"], unique=False)
    op.create_index(
        op.f("ix_insurance_policies_insured_company_entity_id"),
        "insurance_policies",
        ["insured_company_entity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_policies_insured_person_entity_id"),
        "insurance_policies",
        ["insured_person_entity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_policies_insurer_contact_id"),
        "insurance_policies",
        ["insurer_contact_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_policies_insurer_id"), "insurance_policies", ["insurer_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_policies_organization_id"), "insurance_policies", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_policies_referring_partner_entity_id"),
        "insurance_policies",
        ["referring_partner_entity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_policies_resource_id"), "insurance_policies", ["resource_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_policies_tenant_id"), "insurance_policies", ["tenant_id"], unique=False
    )
    op.create_index(
        "uq_insurance_policies_number",
        "insurance_policies",
        ["tenant_id", "organization_id", "insurer_id", "policy_number"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "insurance_leads",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=50), server_default="new", nullable=False),
        sa.Column("source", sa.String(length=120), nullable=True),
        sa.Column("external_id", sa.String(length=191), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("referring_partner_entity_id", sa.UUID(), nullable=True),
        sa.Column("linked_policy_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_policy_id"],
            ["insurance_policies.id"],
            name=op.f("fk_insurance_leads_linked_policy_id_insurance_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_leads_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_partner_entity_id"],
            ["customer_entities.id"],
            name=op.f("fk_insurance_leads_referring_partner_entity_id_customer_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_insurance_leads_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_leads")),
    )
    op.create_index(
        op.f("ix_insurance_leads_linked_policy_id"), "insurance_leads", ["linked_policy_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_leads_organization_id"), "insurance_leads", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_leads_referring_partner_entity_id"),
        "insurance_leads",
        ["referring_partner_entity_id"],
        unique=False,
    )
    op.create_index(op.f("ix_insurance_leads_tenant_id"), "insurance_leads", ["tenant_id"], unique=False)
    op.create_index(
        "uq_insurance_leads_external_id",
        "insurance_leads",
        ["tenant_id", "organization_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL AND external_id IS NOT NULL"),
    )
    op.create_table(
        "insurance_lead_attachments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("lead_id", sa.UUID(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["insurance_leads.id"],
            name=op.f("fk_insurance_lead_attachments_lead_id_insurance_leads"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_lead_attachments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_insurance_lead_attachments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_lead_attachments")),
    )
    op.create_index(
        op.f("ix_insurance_lead_attachments_lead_id"), "insurance_lead_attachments", ["lead_id"], unique=False
    )
    op.create_index(
        op.f("ix_insurance_lead_attachments_organization_id"),
        "insurance_lead_attachments",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_insurance_lead_attachments_tenant_id"),
        "insurance_lead_attachments",
        ["tenant_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_insurance_lead_attachments_tenant_id"), table_name="insurance_lead_attachments")
    op.drop_index(
        op.f("ix_insurance_lead_attachments_organization_id"), table_name="insurance_lead_attachments"
    )
    op.drop_index(op.f("ix_insurance_lead_attachments_lead_id"), table_name="insurance_lead_attachments")
    op.drop_table("insurance_lead_attachments")
    op.drop_index(
        "uq_insurance_leads_external_id",
        table_name="insurance_leads",
        postgresql_where=sa.text("deleted_at IS NULL AND external_id IS NOT NULL"),
    )
    op.drop_index(op.f("ix_insurance_leads_tenant_id"), table_name="insurance_leads")
    op.drop_index(op.f("ix_insurance_leads_referring_partner_entity_id"), table_name="insurance_leads")
    op.drop_index(op.f("ix_insurance_leads_organization_id"), table_name="insurance_leads")
    op.drop_index(op.f("ix_insurance_leads_linked_policy_id"), table_name="insurance_leads")
    op.drop_table("insurance_leads")
    op.drop_index(
        "uq_insurance_policies_number",
        table_name="insurance_policies",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(op.f("ix_insurance_policies_tenant_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_resource_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_referring_partner_entity_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_organization_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_insurer_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_insurer_contact_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_insured_person_entity_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_insured_company_entity_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_deal_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_catalog_product_id"), table_name="insurance_policies")
    op.drop_index(op.f("ix_insurance_policies_caretaker_user_id"), table_name="insurance_policies")
    op.drop_table("insurance_policies")
    op.drop_index(
        "uq_customer_signals_external_id",
        table_name="customer_signals",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(op.f("ix_customer_signals_tenant_id"), table_name="customer_signals")
    op.drop_index(op.f("ix_customer_signals_organization_id"), table_name="customer_signals")
    op.drop_index("ix_customer_signals_occurred", table_name="customer_signals")
    op.drop_index(op.f("ix_customer_signals_deal_id"), table_name="customer_signals")
    op.drop_index(op.f("ix_customer_signals_customer_entity_id"), table_name="customer_signals")
    op.drop_table("customer_signals")
    op.drop_index(
        "uq_partner_program_memberships_partner",
        table_name="partner_program_memberships",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(op.f("ix_partner_program_memberships_tenant_id"), table_name="partner_program_memberships")
    op.drop_index(op.f("ix_partner_program_memberships_program_id"), table_name="partner_program_memberships")
    op.drop_index(
        op.f("ix_partner_program_memberships_partner_entity_id"), table_name="partner_program_memberships"
    )
    op.drop_index(
        op.f("ix_partner_program_memberships_organization_id"), table_name="partner_program_memberships"
    )
    op.drop_table("partner_program_memberships")
    op.drop_index(op.f("ix_insurance_insurer_contacts_tenant_id"), table_name="insurance_insurer_contacts")
    op.drop_index(
        op.f("ix_insurance_insurer_contacts_organization_id"), table_name="insurance_insurer_contacts"
    )
    op.drop_index(op.f("ix_insurance_insurer_contacts_insurer_id"), table_name="insurance_insurer_contacts")
    op.drop_table("insurance_insurer_contacts")
    op.drop_index(op.f("ix_partner_programs_tenant_id"), table_name="partner_programs")
    op.drop_index(op.f("ix_partner_programs_organization_id"), table_name="partner_programs")
    op.drop_table("partner_programs")
    op.drop_index(op.f("ix_insurance_settings_tenant_id"), table_name="insurance_settings")
    op.drop_index(op.f("ix_insurance_settings_organization_id"), table_name="insurance_settings")
    op.drop_table("insurance_settings")
    op.drop_index(
        "uq_insurance_insurers_code",
        table_name="insurance_insurers",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(op.f("ix_insurance_insurers_tenant_id"), table_name="insurance_insurers")
    op.drop_index(op.f("ix_insurance_insurers_organization_id"), table_name="insurance_insurers")
    op.drop_table("insurance_insurers")
