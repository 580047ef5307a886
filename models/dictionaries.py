"""Dictionaries: named value lists of an organization (inherited by its descendants) and their entries."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, Computed, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


class Dictionary(OrgScoped, Timestamps, SoftDelete, Base):
    """``key`` is unique among the live dictionaries of an organization."""

    __tablename__ = "dictionaries"
    __table_args__ = (
        Index(
            "uq_dictionaries_scope_key",
            "tenant_id",
            "organization_id",
            "key",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    manager_visibility: Mapped[str] = mapped_column(String(20), default="default", server_default="default")


class DictionaryEntry(OrgScoped, Timestamps, Base):
    """A value of a dictionary; ``normalized_value`` (its lower case, kept by PostgreSQL) is unique
    within the dictionary."""

    __tablename__ = "dictionary_entries"
    __table_args__ = (
        UniqueConstraint("dictionary_id", "normalized_value", name="uq_dictionary_entries_value"),
        Index(
            "uq_dictionary_entries_default",
            "dictionary_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    dictionary_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("dictionaries.id"), index=True
    )
    value: Mapped[str] = mapped_column(String(150))
    normalized_value: Mapped[str] = mapped_column(String(150), Computed("lower(value)", persisted=True))
    label: Mapped[str] = mapped_column(String(150))
    color: Mapped[str | None] = mapped_column(String(7), nullable=True)
    icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
