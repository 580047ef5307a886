"""Fetching exchange rates from providers into an organization, and the per-provider configurations.

A fetch asks each provider (named, else those enabled in the organization's configurations) for the
rates of a day, outside any transaction, keeps the pairs of the organization's active currencies and
stores them in one unit of work: new rates are created, changed ones updated (source = the
provider, date = the day at 00:00 UTC), each recorded, and every configuration involved notes how
its run went. A provider that fails is reported in ``errors``; the others are still stored.

The catalog documents these routes without features; they act on the caller's organization, so they
need a signed-in caller holding ``currencies.view`` (read) or ``currencies.manage`` (configure), and
``currencies.rates.manage`` to store fetched rates.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.currencies import Currency, CurrencyFetchConfig, ExchangeRate
from resolvers.crud import flush_or_conflict, service
from resolvers.currencies.entities import (
    EXCHANGE_RATE,
    FETCH_CONFIG,
    MANAGE,
    MODULE,
    PROVIDERS,
    RATES_MANAGE,
    VIEW,
)
from resolvers.currencies.providers import FetchedRate, ProviderError, provider
from resolvers.customers.settings import selected_organization
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.operations import Rest, operation, pick, reloaded
from resolvers.validation import SafeDict, text

Day = date  # ``date`` is also an input field's name

# --- configurations ---------------------------------------------------------------------------------


class FetchConfigInput(BaseModel):
    """A provider (``NBP`` or ``ECB``) to fetch rates from, daily at ``syncTime`` (HH:MM, UTC) when enabled."""

    model_config = ConfigDict(extra="ignore")
    provider: text(50)
    isEnabled: bool | None = None
    syncTime: text(5) | None = None
    config: SafeDict | None = None


class FetchConfigPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    isEnabled: bool | None = None
    syncTime: text(5) | None = None
    config: SafeDict | None = None


class FetchConfigRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


def configs_body(rows: list[CurrencyFetchConfig]) -> dict[str, Any]:
    return {"configs": [serialize(FETCH_CONFIG, row) for row in rows]}


@operation(
    "currency_fetch_configs",
    MODULE,
    kind="query",
    output=list[FETCH_CONFIG],
    rest=Rest("GET", "/currencies/fetch-configs", reply=configs_body),
)
async def list_configs(ctx: RequestContext) -> list[CurrencyFetchConfig]:
    """The fetch configurations of the selected organization, by provider."""
    ctx.require_features([VIEW])
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.read_session() as session:
        rows = await session.execute(
            select(CurrencyFetchConfig)
            .where(CurrencyFetchConfig.tenant_id == tenant_id, CurrencyFetchConfig.organization_id == org_id)
            .order_by(CurrencyFetchConfig.provider)
        )
        return list(rows.scalars())


@operation(
    "create_currency_fetch_config",
    MODULE,
    input=FetchConfigInput,
    output=FETCH_CONFIG,
    graphql_result=reloaded(FETCH_CONFIG, lambda r: r["config"]["id"]),
    rest=Rest("POST", "/currencies/fetch-configs", status=201),
)
async def create_config(ctx: RequestContext, data: FetchConfigInput) -> dict[str, Any]:
    """Configure a provider for the selected organization (one configuration per provider: 409)."""
    ctx.require_features([MANAGE])
    created, _ = await service(FETCH_CONFIG).create(ctx, data.model_dump(mode="json", exclude_unset=True))
    return {"config": serialize(FETCH_CONFIG, created)}


@operation(
    "update_currency_fetch_config",
    MODULE,
    input=FetchConfigPatch,
    output=FETCH_CONFIG,
    graphql_result=reloaded(FETCH_CONFIG, lambda r: r["config"]["id"]),
    rest=Rest("PUT", "/currencies/fetch-configs"),
)
async def update_config(ctx: RequestContext, data: FetchConfigPatch) -> dict[str, Any]:
    """Enable or disable a configuration, change its sync time or provider settings."""
    ctx.require_features([MANAGE])
    body = data.model_dump(mode="json", exclude_unset=True, exclude={"id"})
    updated = await service(FETCH_CONFIG).update(ctx, body, id_=data.id)
    return {"config": serialize(FETCH_CONFIG, updated)}


@operation(
    "delete_currency_fetch_config",
    MODULE,
    input=FetchConfigRef,
    output=bool,
    graphql_result=pick("success"),
    rest=Rest("DELETE", "/currencies/fetch-configs"),
)
async def delete_config(ctx: RequestContext, data: FetchConfigRef) -> dict[str, Any]:
    """Remove a fetch configuration."""
    ctx.require_features([MANAGE])
    await service(FETCH_CONFIG).delete(ctx, data.id)
    return {"success": True}


# --- fetching -----------------------------------------------------------------------------------------


class FetchRatesInput(BaseModel):
    """The day to fetch (today, UTC, when omitted) and the providers to ask (default: the enabled ones)."""

    model_config = ConfigDict(extra="ignore")
    date: Day | None = None
    providers: list[text(50)] | None = PydanticField(default=None, max_length=10)


class ProviderOutcome(BaseModel):
    count: int
    errors: list[str] | None = None


class FetchRatesResult(BaseModel):
    totalFetched: int
    byProvider: dict[str, ProviderOutcome]
    errors: list[str]


async def fetch_rates(
    ctx: RequestContext,
    tenant_id: uuid.UUID,
    org_id: uuid.UUID,
    day: date,
    names: list[str] | None = None,
    *,
    system: bool = False,
) -> dict[str, Any]:
    """Fetch the rates of ``day`` for one organization (see the module docstring); ``system`` for
    work without a caller (the daily sync)."""
    async with ctx.read_session(system) as session:
        configs = {
            c.provider: c
            for c in (
                await session.execute(
                    select(CurrencyFetchConfig).where(
                        CurrencyFetchConfig.tenant_id == tenant_id,
                        CurrencyFetchConfig.organization_id == org_id,
                    )
                )
            ).scalars()
        }
        currencies = dict(
            (
                await session.execute(
                    select(Currency.code, Currency.id).where(
                        Currency.tenant_id == tenant_id,
                        Currency.organization_id == org_id,
                        Currency.is_active.is_(True),
                        Currency.deleted_at.is_(None),
                    )
                )
            ).all()
        )
    wanted = names if names is not None else [name for name, c in sorted(configs.items()) if c.is_enabled]
    outcome: dict[str, Any] = {"totalFetched": 0, "byProvider": {}, "errors": []}
    fetched: dict[str, list[FetchedRate]] = {}
    for name in dict.fromkeys(wanted):
        if name not in PROVIDERS:
            outcome["errors"].append(f"Unknown provider: {name}")
            continue
        try:
            rates = await provider(name, ctx.settings).fetch(day)
        except ProviderError as exc:
            outcome["errors"].append(str(exc))
            outcome["byProvider"][name] = {"count": 0, "errors": [str(exc)]}
            continue
        fetched[name] = [r for r in rates if r.from_code in currencies and r.to_code in currencies]
    if not fetched and not (outcome["byProvider"].keys() & configs.keys()):
        return outcome
    async with ctx.unit_of_work(
        system=system, command="currencies.exchange_rate.fetch", about="currencies.exchange_rate"
    ) as uow:
        for name, rates in fetched.items():
            count = await store_rates(ctx, uow, (tenant_id, org_id), name, rates, currencies)
            outcome["byProvider"][name] = {"count": count}
            outcome["totalFetched"] += count
        for name, result in outcome["byProvider"].items():
            if name in configs:
                config = await uow.session.get(CurrencyFetchConfig, configs[name].id, with_for_update=True)
                if config is not None:
                    note_run(ctx, uow, config, result)
    return outcome


async def store_rates(
    ctx: RequestContext,
    uow: UnitOfWork,
    scope: tuple[uuid.UUID, uuid.UUID],
    source: str,
    rates: list[FetchedRate],
    currencies: dict[str, uuid.UUID],
) -> int:
    """Create or update the provider's rates of one day; returns how many are stored."""
    tenant_id, org_id = scope
    days = {datetime.combine(r.day, time(), UTC) for r in rates}
    existing = {
        (row.from_currency_code, row.to_currency_code, row.date, row.type): row
        for row in (
            await uow.session.execute(
                select(ExchangeRate)
                .where(
                    ExchangeRate.tenant_id == tenant_id,
                    ExchangeRate.organization_id == org_id,
                    ExchangeRate.source == source,
                    ExchangeRate.date.in_(days),
                    ExchangeRate.deleted_at.is_(None),
                )
                .with_for_update()
            )
        ).scalars()
    }
    now = datetime.now(UTC)
    latest = {(r.from_code, r.to_code, r.day, r.type): r for r in rates}  # a pair listed twice: the last
    for rate in latest.values():
        moment = datetime.combine(rate.day, time(), UTC)
        row = existing.get((rate.from_code, rate.to_code, moment, rate.type))
        if row is not None and row.rate == rate.rate and row.is_active:
            continue  # already stored as fetched
        before = serialize(EXCHANGE_RATE, row) if row is not None else None
        if row is None:
            row = ExchangeRate(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                organization_id=org_id,
                from_currency_code=rate.from_code,
                to_currency_code=rate.to_code,
                from_currency_id=currencies[rate.from_code],
                to_currency_id=currencies[rate.to_code],
                date=moment,
                source=source,
                type=rate.type,
                created_at=now,
            )
            uow.session.add(row)
        row.rate, row.is_active, row.updated_at = rate.rate, True, now
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity=EXCHANGE_RATE.name,
            verb="create" if before is None else "update",
            event="created" if before is None else "updated",
            resource_id=row.id,
            tenant_id=tenant_id,
            organization_id=org_id,
            before=before,
            after=serialize(EXCHANGE_RATE, row),
        )
    await flush_or_conflict(uow, "Rates of this day are being stored by another request")
    return len(latest)


def note_run(
    ctx: RequestContext, uow: UnitOfWork, config: CurrencyFetchConfig, result: dict[str, Any]
) -> None:
    """Record on the provider's configuration how its run went."""
    before = serialize(FETCH_CONFIG, config)
    errors = result.get("errors") or []
    config.last_sync_at = config.updated_at = datetime.now(UTC)
    config.last_sync_count = result["count"]
    config.last_sync_status = "error" if errors else "success"
    config.last_sync_message = (
        "; ".join(errors) if errors else f"Successfully fetched {result['count']} rates"
    )
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=FETCH_CONFIG.name,
        verb="update",
        event="updated",
        resource_id=config.id,
        tenant_id=config.tenant_id,
        organization_id=config.organization_id,
        before=before,
        after=serialize(FETCH_CONFIG, config),
        secondary=True,
    )


@operation(
    "fetch_exchange_rates",
    MODULE,
    input=FetchRatesInput,
    output=FetchRatesResult,
    transaction=False,  # the providers are asked outside any transaction; storing is one unit of work
    rest=Rest("POST", "/currencies/fetch-rates"),
)
async def fetch_rates_now(ctx: RequestContext, data: FetchRatesInput) -> dict[str, Any]:
    """Fetch the rates of a day from the providers into the selected organization."""
    ctx.require_features([RATES_MANAGE])
    day = data.date or datetime.now(UTC).date()
    if day > datetime.now(UTC).date():
        raise ValidationFailed([issue("date", "The date must not be in the future", "too_big")])
    tenant_id, org_id = await selected_organization(ctx)
    return await fetch_rates(ctx, tenant_id, org_id, day, data.providers)
