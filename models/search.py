"""Search: one index document per searchable record, the tenant's search settings, index jobs and
their log.

``search_documents`` holds the three stores of one record side by side: the full-text store (a
generated ``tsvector`` plus trigram-indexed ``title``), the tokens store (hashed word tokens) and the
vector store (a normalised float32 embedding as ``bytea``: the server has no pgvector).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, uuid_pk

# Bumped on every write of a document: the vector cache reads what changed since the last look.
REVISION = Sequence("search_documents_revision_seq")
TSVECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')"
)


class SearchDocument(TenantScoped, Base):
    """The index document of one record (``entity_type`` is ``<module>:<entity>``)."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_type", "record_id", name="uq_search_documents_record"),
        Index("ix_search_documents_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_search_documents_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index("ix_search_documents_tokens", "tokens", postgresql_using="gin"),
        Index("ix_search_documents_revision", "tenant_id", "revision"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=True
    )
    entity_type: Mapped[str] = mapped_column(String(120))
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    view_features: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list)
    tokens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    search_vector: Mapped[Any] = mapped_column(TSVECTOR, Computed(TSVECTOR_SQL, persisted=True))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    embedding_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    revision: Mapped[int] = mapped_column(BigInteger, REVISION, server_default=REVISION.next_value())
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SearchSettings(Base):
    """A tenant's search settings; ``index_epoch`` grows when documents are removed in bulk."""

    __tablename__ = "search_settings"
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id"), primary_key=True
    )
    global_strategies: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    auto_indexing: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    embedding_config: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    indexed_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    index_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SearchIndexJob(TenantScoped, Base):
    """A reindex or purge run (``kind`` fulltext | vector | query_index) and its progress."""

    __tablename__ = "search_index_jobs"
    # One queued or running job per tenant and kind: the lock a second start runs into (409).
    __table_args__ = (
        Index(
            "uq_search_index_jobs_active",
            "tenant_id",
            "kind",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        Index("ix_search_index_jobs_recent", "tenant_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    entity_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # Organizations the job covers (None: the whole tenant).
    scope: Mapped[list[str] | None] = mapped_column(JSONB, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    processed_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SearchIndexLog(TenantScoped, Base):
    """What indexing did or failed at (``level`` info | warn | error), shown by the status route."""

    __tablename__ = "search_index_logs"
    __table_args__ = (Index("ix_search_index_logs_recent", "tenant_id", "occurred_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    level: Mapped[str] = mapped_column(String(10), default="info")
    source: Mapped[str] = mapped_column(String(60))
    handler: Mapped[str] = mapped_column(String(120))
    entity_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
