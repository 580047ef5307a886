"""The procurement demo data: settings, transition rules and a process with its records, idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from models.auth import User
from models.procurement import (
    ProcessLineItem,
    ProcessSupplier,
    ProcessTask,
    ProcurementProcess,
    ProcurementSettings,
    StatusTransitionRule,
    SupplierLineItem,
)
from resolvers.procurement.demo import LINE_ITEMS, PROCESS_TITLE, RULES, SUPPLIERS
from tests.factories import World

COUNTED = (
    ProcurementProcess,
    ProcessLineItem,
    ProcessSupplier,
    ProcessTask,
    ProcurementSettings,
    StatusTransitionRule,
)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        found = {
            model.__name__: await session.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
            )
            for model in COUNTED
        }
        found["links"] = await session.scalar(
            select(func.count())
            .select_from(SupplierLineItem)
            .join(ProcessSupplier, ProcessSupplier.id == SupplierLineItem.supplier_id)
            .where(ProcessSupplier.tenant_id == tenant_id)
        )
        found["customer"] = await session.scalar(
            select(ProcurementProcess.customer_entity_id).where(
                ProcurementProcess.tenant_id == tenant_id, ProcurementProcess.title == PROCESS_TITLE
            )
        )
    return found


async def test_demo_procurement_is_seeded_once(sessionmaker: Any, settings: Settings, world: World) -> None:
    """Seeded as a fresh tenant's admin (the demo tenant itself belongs to ``tests/test_demo_seed``)."""
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    first = await counts(sessionmaker, world.tenant_id)
    assert first["ProcurementProcess"] >= 1 and first["customer"] is not None
    assert first["ProcessLineItem"] == len(LINE_ITEMS) and first["ProcessSupplier"] == len(SUPPLIERS)
    assert first["ProcessTask"] == len(SUPPLIERS)
    assert first["links"] == sum(len(s[3]) for s in SUPPLIERS)
    assert first["ProcurementSettings"] == 1 and first["StatusTransitionRule"] == len(RULES)
    await seed_demo_data(sessionmaker, settings, admin_id)
    assert await counts(sessionmaker, world.tenant_id) == first
