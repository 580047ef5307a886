"""Insurance: insurers and their contacts, leads (inquiries) with attachments, policies, and the
module's per-organization settings (status dictionaries, list colour rules, protection catalog)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


def _fk(target: str) -> Mapped[uuid.UUID | None]:
    return mapped_column(UUID(as_uuid=True), ForeignKey(target), nullable=True, index=True)


class Insurer(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "insurance_insurers"
    __table_args__ = (
        Index(
            "uq_insurance_insurers_code",
            "tenant_id",
            "organization_id",
            "code",
            unique=True,
            postgresql_where=LIVE,
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(50), default="active", server_default="active")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)


class InsurerContact(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "insurance_insurer_contacts"
    id: Mapped[uuid.UUID] = uuid_pk()
    insurer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("insurance_insurers.id"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    role: Mapped[str | None] = mapped_column(String(100), nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Policy(OrgScoped, Timestamps, SoftDelete, Base):
    """``resource_id`` and ``catalog_product_id`` point at modules not wired yet: plain UUIDs."""

    __tablename__ = "insurance_policies"
    __table_args__ = (
        Index(
            "uq_insurance_policies_number",
            "tenant_id",
            "organization_id",
            "insurer_id",
            "policy_number",
            unique=True,
            postgresql_where=LIVE,
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    policy_number: Mapped[str] = mapped_column(String(100))
    insurer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("insurance_insurers.id"), index=True
    )
    insurer_contact_id: Mapped[uuid.UUID | None] = _fk("insurance_insurer_contacts.id")
    caretaker_user_id: Mapped[uuid.UUID | None] = _fk("users.id")
    referring_partner_entity_id: Mapped[uuid.UUID | None] = _fk("customer_entities.id")
    catalog_product_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), nullable=True, index=True
    )
    resource_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    insured_person_entity_id: Mapped[uuid.UUID | None] = _fk("customer_entities.id")
    insured_company_entity_id: Mapped[uuid.UUID | None] = _fk("customer_entities.id")
    deal_id: Mapped[uuid.UUID | None] = _fk("customer_deals.id")
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str | None] = mapped_column(String(50), nullable=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)


class Lead(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "insurance_leads"
    __table_args__ = (
        Index(
            "uq_insurance_leads_external_id",
            "tenant_id",
            "organization_id",
            "external_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND external_id IS NOT NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(50), default="new", server_default="new")
    source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(191), nullable=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    referring_partner_entity_id: Mapped[uuid.UUID | None] = _fk("customer_entities.id")
    linked_policy_id: Mapped[uuid.UUID | None] = _fk("insurance_policies.id")


class LeadAttachment(OrgScoped, Timestamps, SoftDelete, Base):
    """A file of a lead: uploaded (``storage_key``) or imported from ``source_url``."""

    __tablename__ = "insurance_lead_attachments"
    id: Mapped[uuid.UUID] = uuid_pk()
    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("insurance_leads.id"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(255), nullable=True)
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    tags: Mapped[list[Any] | None] = mapped_column(JSONB, nullable=True)


class InsuranceSetting(OrgScoped, Timestamps, Base):
    """One JSON document per organization and settings key (``insurer_status``, ...)."""

    __tablename__ = "insurance_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "organization_id", "key", name="uq_insurance_settings_key"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSONB)
