"""Customer portal accounts: a login audience of their own, apart from staff ``users``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, uuid_pk


def _at() -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True), nullable=True)


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("tenants.id"), index=True)


def _uuid_ref() -> Mapped[uuid.UUID | None]:
    return mapped_column(UUID(as_uuid=True), nullable=True)


class CustomerUser(Timestamps, Base):
    """A portal login of a customer company (``customer_entity_id``) or person."""

    __tablename__ = "customer_users"
    __table_args__ = (
        Index(
            "uq_customer_users_tenant_email",
            "tenant_id",
            "email",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = _tenant()
    organization_id: Mapped[uuid.UUID | None] = _uuid_ref()
    email: Mapped[str] = mapped_column(String(320))  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    email_verified_at: Mapped[datetime | None] = _at()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    locked_until: Mapped[datetime | None] = _at()
    failed_login_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = _at()
    customer_entity_id: Mapped[uuid.UUID | None] = _uuid_ref()
    person_entity_id: Mapped[uuid.UUID | None] = _uuid_ref()
    deleted_at: Mapped[datetime | None] = _at()


class CustomerRole(Timestamps, Base):
    """A customer role with its ACL (``features``, ``is_portal_admin``)."""

    __tablename__ = "customer_roles"
    __table_args__ = (
        Index(
            "uq_customer_roles_tenant_slug",
            "tenant_id",
            "slug",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = _tenant()
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_system: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    customer_assignable: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    features: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    is_portal_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    deleted_at: Mapped[datetime | None] = _at()


class CustomerUserRole(Base):
    __tablename__ = "customer_user_roles"
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = _tenant()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_users.id"), index=True
    )
    role_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_roles.id"), index=True
    )


class CustomerSession(Base):
    """A refresh session (token stored hashed); rotation revokes the old row, same family."""

    __tablename__ = "customer_sessions"
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = _tenant()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_users.id"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    family_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_used_at: Mapped[datetime | None] = _at()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = _at()


class CustomerToken(Base):
    """A single-use mailed token (verify, reset, magic, invite), stored as a SHA-256 with its expiry."""

    __tablename__ = "customer_tokens"
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = _tenant()
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_users.id"), nullable=True, index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    role_ids: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    customer_entity_id: Mapped[uuid.UUID | None] = _uuid_ref()
    invited_by_user_id: Mapped[uuid.UUID | None] = _uuid_ref()  # staff user
    invited_by_customer_id: Mapped[uuid.UUID | None] = _uuid_ref()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = _at()


class CustomerNotification(Base):
    """An in-portal notice of one customer user; ``status`` unread → read → dismissed."""

    __tablename__ = "customer_notifications"
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = _tenant()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_users.id"), index=True
    )
    type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    severity: Mapped[str] = mapped_column(String(20), default="info", server_default="info")
    status: Mapped[str] = mapped_column(String(20), default="unread", server_default="unread")
    actions: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    source_module: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    link_href: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    read_at: Mapped[datetime | None] = _at()
