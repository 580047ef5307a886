"""Custom entities and custom fields: user-defined entities, field definitions (per entity, kind and
configuration) that govern the custom values of any entity, encryption maps, and the records of
custom entities (their values in one JSONB document).

Definitions, custom entities and encryption maps belong to a tenant and, optionally, to one of its
organizations (``organization_id`` null: the whole tenant; an organization's row overrides the
tenant-wide one for that organization).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

NO_ORG = "coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)"


def _scoped_unique(name: str, *columns: str, live: bool = False) -> Index:
    """One row per tenant, organization (or none) and ``columns``."""
    where = {"postgresql_where": text("deleted_at IS NULL")} if live else {}
    return Index(name, "tenant_id", text(NO_ORG), *columns, unique=True, **where)


class CustomEntity(OrgScoped, Timestamps, SoftDelete, Base):
    """A user-defined entity (``entity_id`` like ``user:track_day``); inactive once deleted."""

    __tablename__ = "custom_entities"
    __table_args__ = (_scoped_unique("uq_custom_entities_scope", "entity_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    label_field: Mapped[str | None] = mapped_column(String(100), nullable=True)
    show_in_sidebar: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CustomFieldDefinition(OrgScoped, Timestamps, SoftDelete, Base):
    """A custom field of an entity: ``kind`` and ``config`` (label, options, required, ...).
    Deleting tombstones the row (``deleted_at``); restoring clears it."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (_scoped_unique("uq_custom_field_definitions_scope", "entity_id", "key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[str] = mapped_column(String(200), index=True)
    key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class EncryptionMap(OrgScoped, Timestamps, Base):
    """The fields of an entity stored encrypted: ``[{field, hashField}]`` (a hash field keeps a
    keyed digest of the value, so equality filters still work)."""

    __tablename__ = "entity_encryption_maps"
    __table_args__ = (
        Index("uq_entity_encryption_maps_scope", "tenant_id", text(NO_ORG), "entity_id", unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CustomEntityRecord(OrgScoped, Timestamps, SoftDelete, Base):
    """A record of a custom entity: its values, governed by the entity's field definitions."""

    __tablename__ = "custom_entity_records"
    __table_args__ = (
        Index("ix_custom_entity_records_entity", "tenant_id", "entity_id"),
        Index("ix_custom_entity_records_values", "values", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[str] = mapped_column(String(200))
    custom_entity_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("custom_entities.id"), index=True, nullable=True
    )
    values: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
