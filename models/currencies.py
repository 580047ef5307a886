"""Currencies of an organization (one of them its base currency), dated exchange rates between them,
and the configurations of the providers rates are fetched from."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


class Currency(OrgScoped, Timestamps, SoftDelete, Base):
    """An ISO 4217 currency; at most one live base currency per organization."""

    __tablename__ = "currencies"
    __table_args__ = (
        Index(
            "uq_currencies_scope_code",
            "tenant_id",
            "organization_id",
            "code",
            unique=True,
            postgresql_where=LIVE,
        ),
        Index(
            "uq_currencies_scope_base",
            "tenant_id",
            "organization_id",
            unique=True,
            postgresql_where=text("is_base AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(200))
    symbol: Mapped[str | None] = mapped_column(String(10), nullable=True)
    decimal_places: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    thousands_separator: Mapped[str | None] = mapped_column(String(5), nullable=True)
    decimal_separator: Mapped[str | None] = mapped_column(String(5), nullable=True)
    is_base: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class ExchangeRate(OrgScoped, Timestamps, SoftDelete, Base):
    """1 ``from_currency_code`` = ``rate`` ``to_currency_code`` as of ``date`` (exact: NUMERIC(18, 8)).

    The codes are the documented keys; the currency ids beside them are the same currencies
    (resolved when the rate is written), so the graph can walk from a rate to its currencies.
    """

    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("from_currency_code <> to_currency_code", name="distinct_pair"),
        Index(
            "uq_exchange_rates_pair_date_source",
            "tenant_id",
            "organization_id",
            "from_currency_code",
            "to_currency_code",
            "date",
            "source",
            text("coalesce(type, '')"),
            unique=True,
            postgresql_where=LIVE,
        ),
        Index("ix_exchange_rates_pair_date", "from_currency_code", "to_currency_code", "date"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    from_currency_code: Mapped[str] = mapped_column(String(3))
    to_currency_code: Mapped[str] = mapped_column(String(3))
    from_currency_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("currencies.id"), index=True
    )
    to_currency_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("currencies.id"), index=True
    )
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(50))
    type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class CurrencyFetchConfig(OrgScoped, Timestamps, Base):
    """How an organization fetches rates from one provider: enabled, at ``sync_time`` (HH:MM, UTC)
    each day, with the outcome of the last run."""

    __tablename__ = "currency_fetch_configs"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id", "organization_id", "provider", name="uq_currency_fetch_configs_provider"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    provider: Mapped[str] = mapped_column(String(50))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    sync_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_sync_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_sync_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_sync_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
