"""The demo data adds playbooks, cases with a procedure under way and the admin's dashboard, once.

Seeded into a tenant of its own (the demo tenant is ``tests/test_demo_seed.py``'s to fill)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from models.auth import User
from models.cases import Case, CaseProcedure, CaseProcedureTask, CaseTimelineEntry
from models.dashboards import DashboardLayout
from models.events import OutboxEvent
from models.playbooks import Playbook
from resolvers.cases.demo import CASES
from resolvers.playbooks.demo import PLAYBOOKS
from tests.factories import make_world

MODELS = (Playbook, Case, CaseProcedure, CaseProcedureTask, CaseTimelineEntry, DashboardLayout, OutboxEvent)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_data_is_seeded_once(sessionmaker: Any, settings: Settings) -> None:
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    first = await counts(sessionmaker, world.tenant_id)
    assert first["Playbook"] == len(PLAYBOOKS) and first["Case"] == len(CASES)
    assert first["CaseProcedure"] == 2 and first["CaseProcedureTask"] == 8 and first["DashboardLayout"] == 1
    async with sessionmaker() as session:
        done = await session.scalar(
            select(func.count())
            .select_from(CaseProcedureTask)
            .where(CaseProcedureTask.tenant_id == world.tenant_id, CaseProcedureTask.status == "done")
        )
    assert done == 1
    await seed_demo_data(sessionmaker, settings, admin_id)
    assert await counts(sessionmaker, world.tenant_id) == first  # nothing written twice, no new events
