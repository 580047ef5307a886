"""Customers: people and companies (one table, ``kind`` discriminator), deals, pipelines, timeline
records (activities, comments, interactions, todos), addresses, tags, dictionaries and settings.

People and companies share ``customer_entities`` (single-table inheritance), so timeline tables point
at one ``entity_id`` whatever the customer's kind, and a list of people is one indexed scan.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


def _uuid_fk(target: str, *, index: bool = False) -> Mapped[uuid.UUID | None]:
    return mapped_column(UUID(as_uuid=True), ForeignKey(target), nullable=True, index=index)


class CustomerEntity(OrgScoped, Timestamps, SoftDelete, Base):
    """A customer record; :class:`Person` and :class:`Company` are its two kinds."""

    __tablename__ = "customer_entities"
    __table_args__ = (
        Index("ix_customer_entities_scope", "tenant_id", "kind", "organization_id", postgresql_where=LIVE),
        Index("ix_customer_entities_created", "tenant_id", "kind", "created_at", postgresql_where=LIVE),
        Index(
            "ix_customer_entities_email_prefix",
            text("lower(primary_email) text_pattern_ops"),
            postgresql_where=LIVE,
        ),
        Index(
            "ix_customer_entities_name_trgm",
            "display_name",
            postgresql_using="gin",
            postgresql_ops={"display_name": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_entities_email_trgm",
            "primary_email",
            postgresql_using="gin",
            postgresql_ops={"primary_email": "gin_trgm_ops"},
        ),
        Index("ix_customer_entities_phone_digits", text("regexp_replace(primary_phone, '\\D', '', 'g')")),
        Index(
            "ix_customer_entities_next_interaction",
            "tenant_id",
            "next_interaction_at",
            postgresql_where=text("deleted_at IS NULL AND next_interaction_at IS NOT NULL"),
        ),
        Index("ix_customer_entities_referral_code", "tenant_id", "organization_id", "referral_code"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    primary_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    primary_phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lifecycle_stage: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    crm_record_type: Mapped[str] = mapped_column(String(32), default="customer", server_default="customer")
    referral_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    next_interaction_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    next_interaction_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    next_interaction_ref_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    next_interaction_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    next_interaction_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Person profile
    first_name: Mapped[str | None] = mapped_column(String(150), nullable=True)
    last_name: Mapped[str | None] = mapped_column(String(150), nullable=True)
    preferred_name: Mapped[str | None] = mapped_column(String(150), nullable=True)
    job_title: Mapped[str | None] = mapped_column(String(150), nullable=True)
    department: Mapped[str | None] = mapped_column(String(150), nullable=True)
    seniority: Mapped[str | None] = mapped_column(String(100), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    linked_in_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    twitter_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    company_entity_id: Mapped[uuid.UUID | None] = _uuid_fk("customer_entities.id", index=True)
    residence_street: Mapped[str | None] = mapped_column(String(300), nullable=True)
    residence_postal_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    residence_city: Mapped[str | None] = mapped_column(String(150), nullable=True)
    pesel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Company profile
    legal_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    brand_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    domain: Mapped[str | None] = mapped_column(String(300), nullable=True)
    website_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(150), nullable=True)
    size_bucket: Mapped[str | None] = mapped_column(String(50), nullable=True)
    annual_revenue: Mapped[float | None] = mapped_column(Numeric(18, 2, asdecimal=False), nullable=True)
    nip: Mapped[str | None] = mapped_column(String(20), nullable=True)
    regon: Mapped[str | None] = mapped_column(String(20), nullable=True)

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}


class Person(CustomerEntity):
    __mapper_args__ = {"polymorphic_identity": "person"}


class Company(CustomerEntity):
    __mapper_args__ = {"polymorphic_identity": "company"}


class Pipeline(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_pipelines"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class PipelineStage(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_pipeline_stages"
    id: Mapped[uuid.UUID] = uuid_pk()
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_pipelines.id"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    order: Mapped[int] = mapped_column("sort_order", Integer, default=0)
    color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    icon: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Deal(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_deals"
    __table_args__ = (
        Index("ix_customer_deals_scope", "tenant_id", "organization_id", postgresql_where=LIVE),
        Index("ix_customer_deals_created", "tenant_id", "created_at", postgresql_where=LIVE),
        Index(
            "ix_customer_deals_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index(
            "uq_customer_deals_external_id",
            "tenant_id",
            "organization_id",
            "external_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND external_id IS NOT NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str | None] = mapped_column(String(50), nullable=True)
    pipeline_stage: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pipeline_id: Mapped[uuid.UUID | None] = _uuid_fk("customer_pipelines.id", index=True)
    pipeline_stage_id: Mapped[uuid.UUID | None] = _uuid_fk("customer_pipeline_stages.id", index=True)
    value_amount: Mapped[float | None] = mapped_column(Numeric(18, 2, asdecimal=False), nullable=True)
    value_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    probability: Mapped[int | None] = mapped_column(Integer, nullable=True)
    expected_close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(191), nullable=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    referring_partner_entity_id: Mapped[uuid.UUID | None] = _uuid_fk("customer_entities.id")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class DealPerson(Base):
    __tablename__ = "customer_deal_people"
    deal_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_deals.id"), primary_key=True
    )
    person_entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), primary_key=True, index=True
    )


class DealCompany(Base):
    __tablename__ = "customer_deal_companies"
    deal_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_deals.id"), primary_key=True
    )
    company_entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), primary_key=True, index=True
    )


class TimelineMixin:
    """A record on a customer's timeline, optionally tied to one of its deals."""

    entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), index=True
    )
    deal_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_deals.id"), nullable=True, index=True
    )


class Activity(TimelineMixin, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_activities"
    id: Mapped[uuid.UUID] = uuid_pk()
    activity_type: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    appearance_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appearance_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    custom_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class Comment(TimelineMixin, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_comments"
    id: Mapped[uuid.UUID] = uuid_pk()
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    appearance_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appearance_color: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Interaction(TimelineMixin, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_interactions"
    __table_args__ = (
        Index(
            "ix_customer_interactions_open",
            "entity_id",
            "scheduled_at",
            postgresql_where=text("deleted_at IS NULL AND scheduled_at IS NOT NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    interaction_type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="planned")
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    priority: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    appearance_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appearance_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    custom_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    procurement_process_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    procurement_process_task_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class Todo(OrgScoped, Timestamps, SoftDelete, Base):
    """A task linked to a customer (the link and the task it points at, kept in one row)."""

    __tablename__ = "customer_todos"
    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), index=True
    )
    todo_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), default=uuid.uuid4)
    todo_source: Mapped[str] = mapped_column(String(100), default="customers:todo")
    title: Mapped[str] = mapped_column(String(300))
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int | None] = mapped_column(Integer, nullable=True)
    severity: Mapped[str | None] = mapped_column(String(50), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    custom_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class Address(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_addresses"
    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(150), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(100), nullable=True)
    company_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    address_line1: Mapped[str] = mapped_column(String(300))
    address_line2: Mapped[str | None] = mapped_column(String(300), nullable=True)
    building_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    flat_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    city: Mapped[str | None] = mapped_column(String(150), nullable=True)
    region: Mapped[str | None] = mapped_column(String(150), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    country: Mapped[str | None] = mapped_column(String(150), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Tag(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "customer_tags"
    __table_args__ = (
        Index(
            "uq_customer_tags_slug",
            "tenant_id",
            "organization_id",
            "slug",
            unique=True,
            postgresql_where=LIVE,
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(150))
    color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class TagAssignment(OrgScoped, Base):
    __tablename__ = "customer_tag_assignments"
    __table_args__ = (UniqueConstraint("tag_id", "entity_id", name="uq_customer_tag_assignments_tag_entity"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    tag_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("customer_tags.id"))
    entity_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Dictionary(OrgScoped, Timestamps, Base):
    """The dictionary of one kind for one organization (its id is what the currency endpoint returns)."""

    __tablename__ = "customer_dictionaries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "organization_id", "kind", name="uq_customer_dictionaries_scope_kind"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(50))


class DictionaryEntry(OrgScoped, Timestamps, Base):
    __tablename__ = "customer_dictionary_entries"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id",
            "organization_id",
            "kind",
            "normalized_value",
            name="uq_customer_dictionary_entries_value",
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    dictionary_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_dictionaries.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(String(150))
    normalized_value: Mapped[str] = mapped_column(String(150))
    label: Mapped[str] = mapped_column(String(150))
    color: Mapped[str | None] = mapped_column(String(16), nullable=True)
    icon: Mapped[str | None] = mapped_column(String(48), nullable=True)


class CustomerSettings(OrgScoped, Timestamps, Base):
    __tablename__ = "customer_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "organization_id", name="uq_customer_settings_scope"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    address_format: Mapped[str] = mapped_column(String(30), default="line_first")
