"""Shipments booked with carriers (a provider's parcel, its tracking number, status and cost) and their
events: booking, cancelling and every provider webhook event received (one row per event key, so a
replayed webhook changes nothing)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, TenantScoped, Timestamps, uuid_pk


class CarrierShipment(OrgScoped, Timestamps, SoftDelete, Base):
    """A parcel booked with ``provider`` (its id there: ``external_id``); cost exact (NUMERIC(12, 2))."""

    __tablename__ = "carrier_shipments"
    __table_args__ = (
        Index(
            "uq_carrier_shipments_provider_external",
            "tenant_id",
            "provider",
            "external_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_carrier_shipments_tracking", "provider", "tracking_number"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    provider: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    service: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(40), server_default="created")
    provider_status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    target_point: Mapped[str | None] = mapped_column(String(100), nullable=True)
    receiver: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    sender: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    parcels: Mapped[list[Any] | None] = mapped_column(JSONB, nullable=True)
    cost_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    currency_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    last_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CarrierShipmentEvent(TenantScoped, Base):
    """An event of a shipment: ``booked``/``cancelled`` here, or a provider's webhook event, keyed by
    the provider's event id (or the body's digest)."""

    __tablename__ = "carrier_shipment_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "provider", "event_key", name="uq_carrier_shipment_events_key"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=True
    )
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("carrier_shipments.id"), index=True
    )
    provider: Mapped[str] = mapped_column(String(50))
    event_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
