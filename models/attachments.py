"""Attachments: files linked to any record (entity id + record id), kept in a partition of the tenant.

A partition says whether its files are public (served without credentials) and where they are
stored (local disk or S3-compatible storage, by configuration). The bytes live in storage; a row
keeps where (``storage_driver``, ``storage_bucket``, ``storage_key``), the detected content type and
the metadata (tags, assignments, custom fields).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import cast, literal

from models.base import Base, OrgScoped, TenantScoped, Timestamps, uuid_pk

FILE_PATH = "/api/attachments/file/"


class AttachmentPartition(TenantScoped, Timestamps, Base):
    """A tenant's partition of attachments (``privateAttachments`` and ``productsMedia`` by default)."""

    __tablename__ = "attachment_partitions"
    __table_args__ = (Index("uq_attachment_partitions_code", "tenant_id", "code", unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    requires_ocr: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    ocr_model: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Attachment(OrgScoped, Timestamps, Base):
    """A stored file of a record. ``record_uuid`` is the record id when it is a UUID (the edge from
    custom entity records)."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_record", "tenant_id", "entity_id", "record_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    entity_id: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[str] = mapped_column(String(200))
    record_uuid: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True, nullable=True)
    partition_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("attachment_partitions.id"), index=True
    )
    partition_code: Mapped[str] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(255))
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_driver: Mapped[str] = mapped_column(String(20), default="local", server_default="local")
    storage_bucket: Mapped[str | None] = mapped_column(String(255), nullable=True)
    storage_key: Mapped[str] = mapped_column(String(500))
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    assignments: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    content: Mapped[str | None] = mapped_column(Text, nullable=True)

    @hybrid_property
    def url(self) -> str:
        """Where the file is served (``GET /api/attachments/file/{id}``)."""
        return f"{FILE_PATH}{self.id}"

    @url.inplace.expression
    @classmethod
    def _url_expression(cls) -> Any:
        return literal(FILE_PATH) + cast(cls.id, String)
