"""The catalog's demo data is seeded once (a second run adds nothing) and reads as a newcomer would
see it: the category tree, services and parts with exact PLN/EUR prices, variants and an offer.

Seeded into a tenant of its own (the demo tenant is ``tests/test_demo_seed.py``'s to fill)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.authn import load_user_principal
from crmgraph.config import Settings
from crmgraph.context import RequestContext
from crmgraph.demo import DemoSeeder
from models.auth import User
from models.catalog import CatalogCategory, CatalogOffer, CatalogPrice, CatalogProduct, CatalogVariant
from resolvers.catalog import demo
from tests.conftest import login
from tests.factories import make_world

MODELS = (CatalogCategory, CatalogProduct, CatalogVariant, CatalogPrice, CatalogOffer)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_catalog_is_seeded_once(client: Any, sessionmaker: Any, settings: Settings) -> None:
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        principal = await load_user_principal(session, admin_id)
    ctx = RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)
    await demo.seed(DemoSeeder(ctx))
    first = await counts(sessionmaker, world.tenant_id)
    assert first == {
        "CatalogCategory": len(demo.CATEGORIES),
        "CatalogProduct": len(demo.PRODUCTS),
        "CatalogVariant": 2,
        "CatalogPrice": 2 * len(demo.PRODUCTS),
        "CatalogOffer": 1,
    }
    await demo.seed(DemoSeeder(ctx))
    assert await counts(sessionmaker, world.tenant_id) == first

    admin = await login(client, world.admin_email)
    status, page = await admin.get("/api/catalog/categories", params={"search": "Brakes"})
    assert status == 200 and [c["pathLabel"] for c in page["items"]] == ["Parts / Brakes"]
    reply = await admin.gql(
        '{ products(search: "Winter storage") { items { title prices { currencyCode unitPriceGross } } } }'
    )
    [storage] = reply["data"]["products"]["items"]
    assert sorted((p["currencyCode"], p["unitPriceGross"]) for p in storage["prices"]) == [
        ("EUR", "43.0500"),  # 35.00 × 1.23
        ("PLN", "184.5000"),  # 150.00 × 1.23
    ]
