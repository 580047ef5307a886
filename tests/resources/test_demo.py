"""The demo tenant's vehicles: one per listed demo customer, each with a service book entry,
seeded idempotently after the customers' demo data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from models.resources import Resource, ServiceBookEntry
from resolvers.resources.demo import VEHICLES
from tests.conftest import login
from tests.test_demo_seed import run_seed


async def _count(sessionmaker: Any, model: Any, tenant_id: Any) -> int:
    async with sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )


async def test_demo_vehicles_have_owners_and_service_books(
    client: Any, sessionmaker: Any, settings: Settings
) -> None:
    result = await run_seed(sessionmaker, settings)
    await run_seed(sessionmaker, settings)  # idempotent
    assert await _count(sessionmaker, Resource, result.tenant_id) == len(VEHICLES)
    assert await _count(sessionmaker, ServiceBookEntry, result.tenant_id) == len(VEHICLES)
    admin = await login(client, settings.admin_email, settings.admin_password)
    reply = await admin.gql(
        "{ resources(pageSize: 50) { items { name person { displayName } serviceBook { serviceActivity } } } }"
    )
    items = reply["data"]["resources"]["items"]
    assert {i["name"] for i in items} == {v[1] for v in VEHICLES}
    assert all(i["person"] and len(i["serviceBook"]) == 1 for i in items), items
