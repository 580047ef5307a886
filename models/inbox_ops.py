"""Inbox ops: inbound emails, the proposals extracted from them with their actions, and the
tenant's inbox settings (forwarding address, webhook signing secret, working language)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, TenantScoped, Timestamps, uuid_pk


class InboxSettings(TenantScoped, Timestamps, Base):
    """One row per tenant: the forwarding token (``inbox+<token>@<domain>``) and the HMAC secret the
    inbound webhook is signed with."""

    __tablename__ = "inbox_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id", name="uq_inbox_settings_tenant"),
        UniqueConstraint("forwarding_token", name="uq_inbox_settings_token"),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=True
    )
    forwarding_token: Mapped[str] = mapped_column(String(64))
    webhook_secret: Mapped[str] = mapped_column(String(500))  # sealed (crmgraph.crypto)
    working_language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class InboxEmail(OrgScoped, Timestamps, SoftDelete, Base):
    """A received email and where its processing got to."""

    __tablename__ = "inbox_emails"
    __table_args__ = (Index("ix_inbox_emails_tenant_message", "tenant_id", "message_id"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[str | None] = mapped_column(String(500), nullable=True)
    from_address: Mapped[str] = mapped_column(String(320))
    from_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    to_address: Mapped[str | None] = mapped_column(String(320), nullable=True)
    subject: Mapped[str] = mapped_column(String(500), default="", server_default="")
    text_body: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str] = mapped_column(String(20), default="webhook", server_default="webhook")
    status: Mapped[str] = mapped_column(String(20), default="received", server_default="received")
    error_message: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class InboxProposal(OrgScoped, Timestamps, Base):
    """What the extractor proposes for one email: a summary, a category and actions to review."""

    __tablename__ = "inbox_proposals"
    id: Mapped[uuid.UUID] = uuid_pk()
    email_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("inbox_emails.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    category: Mapped[str | None] = mapped_column(String(50), nullable=True)
    summary: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    confidence: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0"), server_default="0")
    discrepancies: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    translations: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class InboxProposalAction(OrgScoped, Timestamps, Base):
    """One proposed action (``create_contact``, ``create_order``, ``draft_reply``) and its outcome."""

    __tablename__ = "inbox_proposal_actions"
    id: Mapped[uuid.UUID] = uuid_pk()
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("inbox_proposals.id"), index=True
    )
    action_type: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_entity_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_entity_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    error_message: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
