"""The demo vehicles: one per listed demo customer, each with a service book entry, seeded
idempotently after the customers' demo data (here into a fresh tenant, not the shared demo one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from models.auth import User
from models.resources import Resource, ServiceBookEntry
from resolvers.resources.demo import VEHICLES


async def _count(sessionmaker: Any, model: Any, tenant_id: Any) -> int:
    async with sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )


async def test_demo_vehicles_have_owners_and_service_books(
    sessionmaker: Any, settings: Settings, world: Any, admin: Any
) -> None:
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    await seed_demo_data(sessionmaker, settings, admin_id)  # idempotent
    assert await _count(sessionmaker, Resource, world.tenant_id) == len(VEHICLES)
    assert await _count(sessionmaker, ServiceBookEntry, world.tenant_id) == len(VEHICLES)
    reply = await admin.gql(
        "{ resources(pageSize: 50) { items { name person { displayName } serviceBook { serviceActivity } } } }"
    )
    items = reply["data"]["resources"]["items"]
    assert {i["name"] for i in items} == {v[1] for v in VEHICLES}
    assert all(i["person"] and len(i["serviceBook"]) == 1 for i in items), items
