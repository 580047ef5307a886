"""The demo data adds one finished and one running progress job, once; ``crmgraph seed`` (with its
console bar) tracks the seeding itself as a ``demo.seed`` job, one step per module.

Seeded into a tenant of its own (the demo tenant is ``tests/test_demo_seed.py``'s to fill)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from sqlalchemy import select

from crmgraph.config import Settings
from crmgraph.demo import demo_modules, seed_demo_data
from models.auth import User
from models.progress import ProgressJob
from resolvers.progress.console import ConsoleBar
from tests.factories import make_world


async def jobs(sessionmaker: Any, tenant_id: Any) -> dict[str, tuple[str, str, int]]:
    async with sessionmaker() as session:
        rows = await session.scalars(select(ProgressJob).where(ProgressJob.tenant_id == tenant_id))
        return {row.name: (row.job_type, row.status, row.progress_percent) for row in rows}


async def test_demo_jobs_are_seeded_once_and_the_seeding_is_tracked(
    sessionmaker: Any, settings: Settings
) -> None:
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    out = io.StringIO()
    await seed_demo_data(sessionmaker, settings, admin_id, [ConsoleBar(Console(file=out, width=120))])
    first = await jobs(sessionmaker, world.tenant_id)
    assert first["Customer search reindex"] == ("customers.people.reindex", "completed", 100)
    assert first["Insurance policy import"] == ("insurance.policies.import", "running", 40)
    assert first["Demo data"] == ("demo.seed", "completed", 100)
    async with sessionmaker() as session:
        seeding = await session.scalar(
            select(ProgressJob).where(
                ProgressJob.job_type == "demo.seed", ProgressJob.tenant_id == world.tenant_id
            )
        )
    assert seeding.total_count == seeding.processed_count == len(demo_modules())
    assert "progress" in demo_modules() and f"{len(demo_modules())}/{len(demo_modules())}" in out.getvalue()

    await seed_demo_data(sessionmaker, settings, admin_id)  # without a bar: not tracked
    assert await jobs(sessionmaker, world.tenant_id) == first
