"""Notifications: per-user, actionable in-app notices, and the tenant's delivery settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, Timestamps, uuid_pk


def _at() -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True), nullable=True)


class Notification(OrgScoped, Timestamps, Base):
    """One notification of one recipient user; ``status`` unread → read/actioned/dismissed."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_status", "recipient_user_id", "status"),
        Index("ix_notifications_group", "recipient_user_id", "type", "group_key"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    recipient_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    title_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title_variables: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    body_variables: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    icon: Mapped[str | None] = mapped_column(String(100), nullable=True)
    severity: Mapped[str] = mapped_column(String(20), default="info", server_default="info")
    status: Mapped[str] = mapped_column(String(20), default="unread", server_default="unread")
    # {"actions": [{id, label, commandId?, href?, ...}], "primaryActionId": ...}
    action_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    action_taken: Mapped[str | None] = mapped_column(String(100), nullable=True)
    action_result: Mapped[Any] = mapped_column(JSONB, nullable=True)
    source_module: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_entity_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    link_href: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    group_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    read_at: Mapped[datetime | None] = _at()
    actioned_at: Mapped[datetime | None] = _at()
    dismissed_at: Mapped[datetime | None] = _at()
    expires_at: Mapped[datetime | None] = _at()


class NotificationSettings(Timestamps, Base):
    """The tenant's delivery settings (one JSON document per tenant)."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_notification_settings_tenant"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("tenants.id"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
