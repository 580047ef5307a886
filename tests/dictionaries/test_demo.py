"""The demo data of the dictionaries, currencies and perspectives modules is seeded once: two
dictionaries with entries, PLN/EUR/USD with exact rates, views of the people and cases tables.

Seeded into a tenant of its own (the demo tenant is ``tests/test_demo_seed.py``'s to fill)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from models.auth import User
from models.currencies import Currency, CurrencyFetchConfig, ExchangeRate
from models.dictionaries import Dictionary, DictionaryEntry
from models.perspectives import Perspective, RolePerspective
from resolvers.currencies.demo import CURRENCIES, RATES
from resolvers.dictionaries.demo import DICTIONARIES
from tests.conftest import login
from tests.factories import make_world

MODELS = (
    Dictionary,
    DictionaryEntry,
    Currency,
    ExchangeRate,
    CurrencyFetchConfig,
    Perspective,
    RolePerspective,
)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_data_is_seeded_once(client: Any, sessionmaker: Any, settings: Settings) -> None:
    world = await make_world(sessionmaker, roles={"employee": ["perspectives.use"]})
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    first = await counts(sessionmaker, world.tenant_id)
    assert first["Dictionary"] == len(DICTIONARIES)
    assert first["DictionaryEntry"] == sum(len(entries) for *_, entries in DICTIONARIES)
    assert first["Currency"] == len(CURRENCIES) and first["ExchangeRate"] == len(RATES)
    assert first["CurrencyFetchConfig"] == 1 and first["RolePerspective"] == 1
    assert first["Perspective"] == 2  # the people view, and the cases view saved with the role default
    await seed_demo_data(sessionmaker, settings, admin_id)
    assert await counts(sessionmaker, world.tenant_id) == first

    admin = await login(client, world.admin_email)
    status, page = await admin.get("/api/currencies/exchange-rates", params={"sortField": "rate"})
    assert status == 200 and [r["rate"] for r in page["items"]] == ["1.07650000", "3.95120000", "4.25370000"]
    assert [
        c["code"]
        for c in (await admin.get("/api/currencies/currencies", params={"isBase": "true"}))[1]["items"]
    ] == ["PLN"]
    dictionaries = (await admin.get("/api/dictionaries"))[1]["items"]
    assert {d["key"] for d in dictionaries} == {"currency", "motorcycle-brands"}
    view = (await admin.get("/api/perspectives/customers.people"))[1]
    assert [p["name"] for p in view["perspectives"]] == ["Warsaw riders"] and view["defaultPerspectiveId"]
