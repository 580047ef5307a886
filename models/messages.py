"""Internal messages: conversations (``thread_id``), per-recipient state, attached records and files,
e-mail access tokens and confirmations."""

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
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, TenantScoped, Timestamps, uuid_pk


def _at() -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True), nullable=True)


def _ref(target: str, *, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(UUID(as_uuid=True), ForeignKey(target), nullable=nullable, index=True)


class Message(OrgScoped, Timestamps, SoftDelete, Base):
    """A message (or a draft) of a sender; replies and forwards share the ``thread_id`` of the first."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_sender_sent", "sender_user_id", "sent_at"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    type: Mapped[str] = mapped_column(String(100), default="default", server_default="default")
    thread_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    parent_message_id: Mapped[uuid.UUID | None] = _ref("messages.id", nullable=True)
    case_id: Mapped[uuid.UUID | None] = _ref("cases.id", nullable=True)
    sender_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(500), default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_format: Mapped[str] = mapped_column(String(20), default="text", server_default="text")
    priority: Mapped[str] = mapped_column(String(20), default="normal", server_default="normal")
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    is_draft: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    sent_at: Mapped[datetime | None] = _at()
    visibility: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source_entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_entity_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    external_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    external_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    action_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    action_result: Mapped[Any] = mapped_column(JSONB, nullable=True)
    action_taken: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action_taken_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    action_taken_at: Mapped[datetime | None] = _at()
    send_via_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # The sender removed it from their own folders (recipients keep their copies).
    sender_deleted_at: Mapped[datetime | None] = _at()


class MessageRecipient(TenantScoped, Timestamps, Base):
    """A recipient's copy: ``status`` unread/read/archived/deleted."""

    __tablename__ = "message_recipients"
    __table_args__ = (
        UniqueConstraint("message_id", "recipient_user_id", name="uq_message_recipients_message_user"),
        Index("ix_message_recipients_user_status", "recipient_user_id", "status"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[uuid.UUID] = _ref("messages.id")
    recipient_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    recipient_type: Mapped[str] = mapped_column(String(10), default="to", server_default="to")
    status: Mapped[str] = mapped_column(String(20), default="unread", server_default="unread")
    read_at: Mapped[datetime | None] = _at()
    archived_at: Mapped[datetime | None] = _at()
    deleted_at: Mapped[datetime | None] = _at()
    email_queued_at: Mapped[datetime | None] = _at()


class MessageObject(TenantScoped, Timestamps, Base):
    """A record the message is about (``entity_module``/``entity_type``/``entity_id``), with a snapshot."""

    __tablename__ = "message_objects"
    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[uuid.UUID] = _ref("messages.id")
    entity_module: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    action_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    action_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    action_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    entity_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class MessageAttachment(TenantScoped, Timestamps, Base):
    """A file of a message in the platform storage; a forward copies the row, sharing the stored file."""

    __tablename__ = "message_attachments"
    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[uuid.UUID] = _ref("messages.id")
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_key: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class MessageAccessToken(TenantScoped, Base):
    """A recipient's e-mail link to a message: the token is stored as a SHA-256 digest, and expires."""

    __tablename__ = "message_access_tokens"
    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[uuid.UUID] = _ref("messages.id")
    recipient_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = _at()
    use_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MessageConfirmation(TenantScoped, Timestamps, Base):
    """Whether (and by whom) a message was confirmed (one row per message)."""

    __tablename__ = "message_confirmations"
    __table_args__ = (UniqueConstraint("message_id", name="uq_message_confirmations_message"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("messages.id"))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    confirmed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    confirmed_at: Mapped[datetime | None] = _at()
