"""Akeneo PIM synchronisation: a tenant's attribute mapping and import runs, and which catalog
products came from which Akeneo product."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, TenantScoped, Timestamps, uuid_pk


class AkeneoMapping(TenantScoped, Timestamps, Base):
    """Which Akeneo attribute fills which product field or custom field (one row per tenant)."""

    __tablename__ = "akeneo_mappings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_akeneo_mappings_tenant"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    mappings: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    locale: Mapped[str | None] = mapped_column(String(20), nullable=True)


class AkeneoImportRun(OrgScoped, Timestamps, Base):
    """One import of Akeneo products into the catalog."""

    __tablename__ = "akeneo_import_runs"

    id: Mapped[uuid.UUID] = uuid_pk()
    status: Mapped[str] = mapped_column(String(30))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AkeneoProductLink(OrgScoped, Timestamps, Base):
    """A catalog product imported from the Akeneo product ``identifier``."""

    __tablename__ = "akeneo_product_links"
    __table_args__ = (UniqueConstraint("tenant_id", "identifier", name="uq_akeneo_product_links_identifier"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    identifier: Mapped[str] = mapped_column(String(255))
    product_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("catalog_products.id", ondelete="CASCADE")
    )
