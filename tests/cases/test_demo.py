"""The demo seed adds playbooks, cases with a procedure under way and the admin's dashboard, once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.seed import seed, seed_demo
from models.cases import Case, CaseProcedure, CaseProcedureTask, CaseTimelineEntry
from models.dashboards import DashboardLayout
from models.playbooks import Playbook
from resolvers.cases.demo import CASES
from resolvers.playbooks.demo import PLAYBOOKS

MODELS = (Playbook, Case, CaseProcedure, CaseProcedureTask, CaseTimelineEntry, DashboardLayout)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_data_is_seeded_once(sessionmaker: Any, settings: Settings) -> None:
    async with sessionmaker() as session:
        result = await seed(session, settings)
    await seed_demo(sessionmaker, settings, result)
    first = await counts(sessionmaker, result.tenant_id)
    assert first["Playbook"] == len(PLAYBOOKS) and first["Case"] == len(CASES)
    assert first["CaseProcedure"] == 2 and first["CaseProcedureTask"] == 8 and first["DashboardLayout"] == 1
    async with sessionmaker() as session:
        done = await session.scalar(
            select(func.count())
            .select_from(CaseProcedureTask)
            .where(CaseProcedureTask.tenant_id == result.tenant_id, CaseProcedureTask.status == "done")
        )
    assert done == 1
    await seed_demo(sessionmaker, settings, result)
    assert await counts(sessionmaker, result.tenant_id) == first
