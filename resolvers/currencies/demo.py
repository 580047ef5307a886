"""The currencies module's demo data: PLN (the base currency), EUR and USD, a few exchange rates and
a (disabled) NBP fetch configuration, in the demo organization."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.currencies import CurrencyFetchConfig
from resolvers.crud import service
from resolvers.currencies.entities import CURRENCY, EXCHANGE_RATE, FETCH_CONFIG

CURRENCIES = [
    ("PLN", "Polish złoty", "zł", True),
    ("EUR", "Euro", "€", False),
    ("USD", "US dollar", "$", False),
]
# from, to, rate (exact), date
RATES = [
    ("EUR", "PLN", "4.25370000", "2026-01-02T00:00:00.000Z"),
    ("USD", "PLN", "3.95120000", "2026-01-02T00:00:00.000Z"),
    ("EUR", "USD", "1.07650000", "2026-01-02T00:00:00.000Z"),
]


async def seed(self: DemoSeeder) -> None:
    """Three currencies (PLN the base one), three rates of one day and an NBP configuration."""
    for code, name, symbol, base in CURRENCIES:
        payload = {"code": code, "name": name, "symbol": symbol, "isBase": base}
        self.ids[f"currency:{code}"] = await self.ensure(CURRENCY, {"code": code}, payload)
    for source, target, rate, day in RATES:
        key = {"from_currency_code": source, "to_currency_code": target, "source": "demo"}
        payload = {
            "fromCurrencyCode": source,
            "toCurrencyCode": target,
            "rate": rate,
            "date": day,
            "source": "demo",
        }
        await self.ensure(EXCHANGE_RATE, key, payload)
    async with self.ctx.read_session() as session:
        configured = await session.scalar(
            select(CurrencyFetchConfig.id).where(
                CurrencyFetchConfig.tenant_id == self.ctx.tenant_id(), CurrencyFetchConfig.provider == "NBP"
            )
        )
    if configured is None:
        await service(FETCH_CONFIG).create(
            self.ctx, {"provider": "NBP", "isEnabled": False, "syncTime": "09:00"}
        )
