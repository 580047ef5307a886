"""Translations of records' text fields by locale, and the locales a tenant translates into."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, TenantScoped, Timestamps, uuid_pk


class EntityTranslation(OrgScoped, Timestamps, Base):
    """``translations``: ``{locale: {field: text}}`` for one record (``entity_type`` is
    ``<module>:<entity>``); it lives in the record's organization."""

    __tablename__ = "entity_translations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_type", "entity_id", name="uq_entity_translations_record"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_type: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    translations: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class TranslationSettings(TenantScoped, Timestamps, Base):
    """The locales a tenant translates into (one row per tenant)."""

    __tablename__ = "translation_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_translation_settings_tenant"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    locales: Mapped[list[str]] = mapped_column(JSONB, default=list)
