"""Self-service onboarding requests: a sign-up waiting for its e-mail to be verified.

The table lives in the ``crmgraph_private`` schema, which the request role (``crmgraph_app``) cannot
read: a request carries a password hash and a token digest before any tenant exists, so row-level
security (which is per tenant) could not guard it. Only system sessions touch it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, uuid_pk

PRIVATE_SCHEMA = "crmgraph_private"


class OnboardingRequest(Base):
    """``status``: pending (mail sent) -> completed (tenant provisioned), or expired (superseded)."""

    __tablename__ = "onboarding_requests"
    __table_args__ = (
        Index("ix_onboarding_requests_email", text("lower(email)")),
        {"schema": PRIVATE_SCHEMA},
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    organization_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)  # dropped once used
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ready_mail_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    # What verification provisioned (plain ids: the rows live in the public schema).
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
