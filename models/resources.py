"""Resources: vehicles (and other bookable things) with their types, tags, service book, timeline
(activities, comments), image gallery and accessory links.

``insurance_policy_id``, ``procurement_process_id`` and ``availability_rule_set_id`` point at other
modules' tables; they are plain indexed UUID columns (no foreign key) until those modules merge.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


def _resource_fk(*, index: bool = True) -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("resources.id"), index=index)


def _plain_uuid() -> Mapped[uuid.UUID | None]:
    return mapped_column(UUID(as_uuid=True), nullable=True, index=True)


class Appearance:
    appearance_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appearance_color: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ResourceType(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "resource_types"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    financing_eligible: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class Resource(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    """A resource (typically a customer's vehicle)."""

    __tablename__ = "resources"
    __table_args__ = (Index("ix_resources_scope_created", "tenant_id", "created_at", postgresql_where=LIVE),)
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    resource_type_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("resource_types.id"), nullable=True, index=True
    )
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    capacity_unit_value: Mapped[str | None] = mapped_column(String(100), nullable=True)
    capacity_unit_name: Mapped[str | None] = mapped_column(String(150), nullable=True)
    capacity_unit_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    capacity_unit_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    status_value: Mapped[str | None] = mapped_column(String(100), nullable=True)
    customer_entity_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), nullable=True, index=True
    )
    availability_rule_set_id: Mapped[uuid.UUID | None] = _plain_uuid()
    insurance_policy_id: Mapped[uuid.UUID | None] = _plain_uuid()
    procurement_process_id: Mapped[uuid.UUID | None] = _plain_uuid()
    financing_profile: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class ResourceTag(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "resource_tags"
    __table_args__ = (
        Index(
            "uq_resource_tags_slug",
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


class ResourceTagAssignment(OrgScoped, Base):
    __tablename__ = "resource_tag_assignments"
    __table_args__ = (
        UniqueConstraint("tag_id", "resource_id", name="uq_resource_tag_assignments_tag_resource"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    tag_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("resource_tags.id"), index=True)
    resource_id: Mapped[uuid.UUID] = _resource_fk()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


class ResourceActivity(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "resource_activities"
    id: Mapped[uuid.UUID] = uuid_pk()
    resource_id: Mapped[uuid.UUID] = _resource_fk()
    activity_type: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class ResourceComment(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "resource_comments"
    id: Mapped[uuid.UUID] = uuid_pk()
    resource_id: Mapped[uuid.UUID] = _resource_fk()
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class ServiceBookEntry(OrgScoped, Timestamps, SoftDelete, Base):
    """One visit of a resource to the workshop (in/out dates, what was done)."""

    __tablename__ = "resource_service_book_entries"
    __table_args__ = (Index("ix_resource_service_book_in", "resource_id", "service_in_at"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    resource_id: Mapped[uuid.UUID] = _resource_fk(index=False)
    service_type: Mapped[str] = mapped_column(String(100))
    service_activity: Mapped[str] = mapped_column(String(200))
    service_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    service_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class GalleryImage(OrgScoped, Timestamps, Base):
    """An image of a resource; the bytes live in file storage under ``storage_key``."""

    __tablename__ = "resource_gallery_images"
    id: Mapped[uuid.UUID] = uuid_pk()
    resource_id: Mapped[uuid.UUID] = _resource_fk()
    storage_key: Mapped[str] = mapped_column(String(64))
    thumbnail_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class AccessoryLink(OrgScoped, Timestamps, Base):
    """An accessory resource fitted to (or sold with) a host resource."""

    __tablename__ = "resource_accessory_links"
    __table_args__ = (
        UniqueConstraint(
            "host_resource_id", "accessory_resource_id", name="uq_resource_accessory_links_pair"
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    host_resource_id: Mapped[uuid.UUID] = _resource_fk()
    accessory_resource_id: Mapped[uuid.UUID] = _resource_fk()
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
