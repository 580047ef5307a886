"""Currencies, exchange rates and rate-fetch configurations: declarations and the rules every write
path goes through.

Currencies: an ISO 4217 code unique among an organization's live currencies, at most one base
currency (taking the flag moves it), which stays active and cannot be deleted; a currency quoted by
live exchange rates keeps its code and cannot be deleted either.

Exchange rates: 1 ``from`` = ``rate`` ``to`` (exact decimals, > 0, at most 8 places) between two
different live, active currencies of the rate's organization, as of ``date`` (minute precision),
from a ``source`` (``manual`` unless given); one live rate per pair, date, source and type.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.currencies import Currency, CurrencyFetchConfig, ExchangeRate
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, eq, since, until
from resolvers.flags import take_flag

MODULE = "currencies"
VIEW, MANAGE = "currencies.view", "currencies.manage"
RATES_VIEW, RATES_MANAGE = "currencies.rates.view", "currencies.rates.manage"
READONLY = {"create": False, "update": False}
CODE = re.compile(r"^[A-Z]{3}$")
SOURCE = re.compile(r"^[A-Za-z0-9 _-]{2,50}$")
RATE_TYPES = ("average", "buy", "sell", "reference")
PROVIDERS = ("NBP", "ECB")
SYNC_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_DECIMAL_PLACES = 8


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def currency_code(raw: str | None, path: str = "code") -> str:
    code = (raw or "").strip().upper()
    if not CODE.match(code):
        raise fail(path, "Currency code must be a three-letter ISO code (e.g., USD, EUR)", "invalid_string")
    return code


def upper(name: str, column: Any) -> Filter:
    """Equality with a currency code, whatever its case."""
    return Filter(name, str, lambda q, v: q.where(column == v.strip().upper()))


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


# --- currencies -----------------------------------------------------------------------------------


async def rates_quoting(uow: UnitOfWork, currency: Currency) -> int:
    """How many live exchange rates quote ``currency`` (either side)."""
    return await uow.session.scalar(
        select(func.count())
        .select_from(ExchangeRate)
        .where(
            or_(ExchangeRate.from_currency_id == currency.id, ExchangeRate.to_currency_id == currency.id),
            ExchangeRate.deleted_at.is_(None),
        )
    )


async def _unique_code(uow: UnitOfWork, tenant: Any, org: Any, code: str, other_than: Any = None) -> None:
    query = select(Currency.id).where(
        Currency.tenant_id == tenant,
        Currency.organization_id == org,
        Currency.code == code,
        Currency.deleted_at.is_(None),
    )
    if other_than is not None:
        query = query.where(Currency.id != other_than)
    if await uow.session.scalar(query) is not None:
        raise Conflict("Currency code already exists for this organization.")


def _currency_values(data: dict[str, Any]) -> None:
    if data.get("code") is not None:
        data["code"] = currency_code(data["code"])
    if data.get("name") is not None:
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise fail("name", "Name is required", "too_small")
    places = data.get("decimal_places")
    if places is not None and not 0 <= places <= MAX_DECIMAL_PLACES:
        raise fail("decimalPlaces", f"Between 0 and {MAX_DECIMAL_PLACES}", "out_of_range")
    for attr in ("is_base", "is_active", "decimal_places"):
        if attr in data and data[attr] is None:
            data.pop(attr)


def _base_group(currency: Any) -> list[Any]:
    return [
        Currency.tenant_id == currency["tenant_id"],
        Currency.organization_id == currency["organization_id"],
    ]


async def _currency_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _currency_values(data)
    data.setdefault("decimal_places", 2)
    data.setdefault("is_active", True)
    data.setdefault("is_base", False)
    if data["is_base"] and not data["is_active"]:
        raise fail("isActive", "The base currency must be active")
    await _unique_code(uow, data["tenant_id"], data["organization_id"], data["code"])
    if data["is_base"]:
        await take_flag(ctx, uow, CURRENCY, "is_base", _base_group(data))


async def _currency_update(ctx: RequestContext, uow: UnitOfWork, obj: Currency, data: dict[str, Any]) -> None:
    _currency_values(data)
    if data.get("code") not in (None, obj.code):
        await _unique_code(uow, obj.tenant_id, obj.organization_id, data["code"], obj.id)
        if await rates_quoting(uow, obj):
            raise Conflict("Currency code cannot change while exchange rates quote it")
    base = data.get("is_base", obj.is_base)
    if base and not data.get("is_active", obj.is_active):
        raise Conflict("The base currency must stay active")
    if base and not obj.is_base:
        scope = {"tenant_id": obj.tenant_id, "organization_id": obj.organization_id}
        await take_flag(ctx, uow, CURRENCY, "is_base", _base_group(scope), keep=obj.id)


async def _currency_delete(ctx: RequestContext, uow: UnitOfWork, obj: Currency) -> None:
    if obj.is_base:
        raise Conflict("Cannot delete the base currency")
    quoted = await rates_quoting(uow, obj)
    if quoted:
        raise Conflict(
            f"Cannot delete currency {obj.code} because {quoted} exchange rate(s) quote it; delete them first."
        )
    obj.is_active = False


CURRENCY = Entity(
    name="currency",
    module=MODULE,
    model=Currency,
    path="/currencies/currencies",
    graphql_name="Currency",
    plural="currencies",
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("code", str, required=True, sort=True, search=True, max_length=3),
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("symbol", str, max_length=10),
        Field("decimal_places", int),
        Field("thousands_separator", str, max_length=5),
        Field("decimal_separator", str, max_length=5),
        Field("is_base", bool, sort=True),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[
        upper("code", Currency.code),
        eq("isBase", Currency.is_base, bool),
        eq("isActive", Currency.is_active, bool),
    ],
    relations=[
        Relation(
            "exchange_rates",
            "exchange_rate",
            "many",
            target_fk="from_currency_id",
            description="Rates quoting this currency (1 of it = rate of the other).",
        )
    ],
    default_sort="code",
    hooks=guarded(
        Currency,
        Hooks(before_create=_currency_create, before_update=_currency_update, before_delete=_currency_delete),
    ),
    description="A currency of an organization (ISO 4217); one of them may be its base currency.",
)


# --- exchange rates -------------------------------------------------------------------------------


def to_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


async def live_currency(uow: UnitOfWork, tenant: Any, org: Any, code: str, path: str) -> Currency:
    """The live, active currency ``code`` of the organization, else a 400 naming it."""
    found = await uow.session.scalar(
        select(Currency).where(
            Currency.tenant_id == tenant,
            Currency.organization_id == org,
            Currency.code == code,
            Currency.is_active.is_(True),
            Currency.deleted_at.is_(None),
        )
    )
    if found is None:
        side = "From" if path == "fromCurrencyCode" else "To"
        raise fail(path, f"{side} currency {code} does not exist or is inactive", "not_found")
    return found


async def _unique_rate(uow: UnitOfWork, rate: dict[str, Any], other_than: Any = None) -> None:
    query = select(ExchangeRate.id).where(
        ExchangeRate.tenant_id == rate["tenant_id"],
        ExchangeRate.organization_id == rate["organization_id"],
        ExchangeRate.from_currency_code == rate["from_currency_code"],
        ExchangeRate.to_currency_code == rate["to_currency_code"],
        ExchangeRate.date == rate["date"],
        ExchangeRate.source == rate["source"],
        func.coalesce(ExchangeRate.type, "") == (rate["type"] or ""),
        ExchangeRate.deleted_at.is_(None),
    )
    if other_than is not None:
        query = query.where(ExchangeRate.id != other_than)
    if await uow.session.scalar(query) is not None:
        raise Conflict("Exchange rate for this currency pair, date, and source already exists")


def _rate_values(data: dict[str, Any]) -> None:
    for attr, path in (("from_currency_code", "fromCurrencyCode"), ("to_currency_code", "toCurrencyCode")):
        if data.get(attr) is not None:
            data[attr] = currency_code(data[attr], path)
    if data.get("rate") is not None and data["rate"] <= Decimal(0):
        raise fail("rate", "Rate must be greater than zero", "too_small")
    if data.get("date") is not None:
        data["date"] = to_minute(data["date"])
    if data.get("source") is not None:
        data["source"] = data["source"].strip()
        if not SOURCE.match(data["source"]):
            raise fail("source", "2-50 letters, digits, spaces, hyphens or underscores", "invalid_string")
    if data.get("type") is not None and data["type"] not in RATE_TYPES:
        raise fail("type", f"One of {', '.join(RATE_TYPES)}", "invalid_enum_value")
    for attr in ("rate", "date", "source", "is_active", "from_currency_code", "to_currency_code"):
        if attr in data and data[attr] is None:
            data.pop(attr)


async def _resolve_pair(uow: UnitOfWork, rate: dict[str, Any], data: dict[str, Any]) -> None:
    """The two currencies of the (final) pair: different, live and active in the rate's organization."""
    if rate["from_currency_code"] == rate["to_currency_code"]:
        raise fail("toCurrencyCode", "From and To currencies must be different")
    scope = rate["tenant_id"], rate["organization_id"]
    source = await live_currency(uow, *scope, rate["from_currency_code"], "fromCurrencyCode")
    target = await live_currency(uow, *scope, rate["to_currency_code"], "toCurrencyCode")
    data["from_currency_id"], data["to_currency_id"] = source.id, target.id


async def _rate_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _rate_values(data)
    data.setdefault("date", to_minute(datetime.now(UTC)))
    data.setdefault("source", "manual")
    data.setdefault("type", None)
    data.setdefault("is_active", True)
    await _resolve_pair(uow, data, data)
    await _unique_rate(uow, data)


RATE_KEYS = (
    "tenant_id",
    "organization_id",
    "from_currency_code",
    "to_currency_code",
    "date",
    "source",
    "type",
)


async def _rate_update(ctx: RequestContext, uow: UnitOfWork, obj: ExchangeRate, data: dict[str, Any]) -> None:
    _rate_values(data)
    final = {key: data[key] if key in data else getattr(obj, key) for key in RATE_KEYS}
    if {"from_currency_code", "to_currency_code"} & data.keys():
        await _resolve_pair(uow, final, data)
    if set(RATE_KEYS) & data.keys():
        await _unique_rate(uow, final, obj.id)


EXCHANGE_RATE = Entity(
    name="exchange_rate",
    module=MODULE,
    model=ExchangeRate,
    path="/currencies/exchange-rates",
    graphql_name="ExchangeRate",
    plural="exchangeRates",
    features=Features.view_manage(RATES_VIEW, RATES_MANAGE),
    fields=[
        Field("from_currency_code", str, required=True, sort=True, max_length=3),
        Field("to_currency_code", str, required=True, sort=True, max_length=3),
        Field("rate", Decimal, required=True, sort=True, description="Exact decimal, as a string."),
        Field("date", datetime, sort=True),
        Field("source", str, sort=True, max_length=50),
        Field("type", str, max_length=20),
        Field("is_active", bool, sort=True),
        Field("from_currency_id", uuid.UUID, **READONLY),
        Field("to_currency_id", uuid.UUID, **READONLY),
        *stamps(),
    ],
    filters=[
        upper("fromCurrencyCode", ExchangeRate.from_currency_code),
        upper("toCurrencyCode", ExchangeRate.to_currency_code),
        eq("isActive", ExchangeRate.is_active, bool),
        eq("source", ExchangeRate.source),
        eq("type", ExchangeRate.type),
        since("dateFrom", ExchangeRate.date),
        until("dateTo", ExchangeRate.date),
    ],
    relations=[
        Relation("from_currency", "currency", "one", source_fk="from_currency_id"),
        Relation("to_currency", "currency", "one", source_fk="to_currency_id"),
    ],
    default_sort="date",
    hooks=guarded(ExchangeRate, Hooks(before_create=_rate_create, before_update=_rate_update)),
    description="1 unit of the from-currency = rate units of the to-currency, as of a date, from a source.",
)


# --- fetch configurations -------------------------------------------------------------------------


async def _unique_provider(uow: UnitOfWork, tenant: Any, org: Any, provider: str) -> None:
    clash = await uow.session.scalar(
        select(CurrencyFetchConfig.id).where(
            CurrencyFetchConfig.tenant_id == tenant,
            CurrencyFetchConfig.organization_id == org,
            CurrencyFetchConfig.provider == provider,
        )
    )
    if clash is not None:
        raise Conflict("A fetch configuration for this provider already exists")


def _config_values(data: dict[str, Any]) -> None:
    if "provider" in data and data["provider"] not in PROVIDERS:
        raise fail("provider", f"One of {', '.join(PROVIDERS)}", "invalid_enum_value")
    if data.get("sync_time") is not None and not SYNC_TIME.match(data["sync_time"]):
        raise fail("syncTime", "Invalid time format. Use HH:MM", "invalid_string")
    if "is_enabled" in data and data["is_enabled"] is None:
        data.pop("is_enabled")


async def _config_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _config_values(data)
    data.setdefault("is_enabled", False)
    await _unique_provider(uow, data["tenant_id"], data["organization_id"], data["provider"])


async def _config_update(
    ctx: RequestContext, uow: UnitOfWork, obj: CurrencyFetchConfig, data: dict[str, Any]
) -> None:
    _config_values(data)


FETCH_CONFIG = Entity(
    name="currency_fetch_config",
    module=MODULE,
    model=CurrencyFetchConfig,
    path=None,
    graphql_name="CurrencyFetchConfig",
    plural="currencyFetchConfigs",
    soft_delete=False,
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("provider", str, required=True, update=False, sort=True, max_length=50),
        Field("is_enabled", bool, sort=True),
        Field("sync_time", str, max_length=5),
        Field("last_sync_at", datetime, sort=True, **READONLY),
        Field("last_sync_status", str, **READONLY),
        Field("last_sync_message", str, **READONLY),
        Field("last_sync_count", int, **READONLY),
        Field("config", dict),
        Field("organization_id", uuid.UUID, **READONLY),
        *stamps()[1:],
    ],
    filters=[
        eq("provider", CurrencyFetchConfig.provider),
        eq("isEnabled", CurrencyFetchConfig.is_enabled, bool),
    ],
    rest_verbs=(),
    mutations=(),
    default_sort="provider",
    hooks=guarded(CurrencyFetchConfig, Hooks(before_create=_config_create, before_update=_config_update)),
    description="How an organization fetches exchange rates from a provider, and how the last run went.",
)
