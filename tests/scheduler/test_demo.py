"""The demo data: the nightly clean-up schedule of the demo organization and two feature toggles
(the platform's, so only a platform admin's seeding defines them) with an override, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.authn import load_user_principal
from crmgraph.config import Settings
from crmgraph.context import RequestContext
from crmgraph.demo import DemoSeeder
from models.auth import User
from models.feature_toggles import FeatureToggle, FeatureToggleOverride
from models.scheduler import ScheduledJob
from resolvers.feature_toggles import demo as toggles_demo
from resolvers.feature_toggles import resolve
from resolvers.scheduler import demo as scheduler_demo
from tests.factories import make_platform_admin, make_world


async def seeder_for(sessionmaker: Any, settings: Settings, email: str) -> DemoSeeder:
    async with sessionmaker() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        principal = await load_user_principal(session, user_id)
    return DemoSeeder(RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal))


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        identifiers = [t["identifier"] for t in toggles_demo.TOGGLES]
        return {
            "schedules": await session.scalar(
                select(func.count()).select_from(ScheduledJob).where(ScheduledJob.tenant_id == tenant_id)
            ),
            "toggles": await session.scalar(
                select(func.count())
                .select_from(FeatureToggle)
                .where(FeatureToggle.identifier.in_(identifiers), FeatureToggle.deleted_at.is_(None))
            ),
            "overrides": await session.scalar(
                select(func.count())
                .select_from(FeatureToggleOverride)
                .where(FeatureToggleOverride.tenant_id == tenant_id)
            ),
        }


async def test_demo_data_is_seeded_once(sessionmaker: Any, settings: Settings) -> None:
    # A tenant admin's seeding: its schedule, and no platform toggles of its own making.
    world = await make_world(sessionmaker)
    tenant_seeder = await seeder_for(sessionmaker, settings, world.admin_email)
    await scheduler_demo.seed(tenant_seeder)
    await toggles_demo.seed(tenant_seeder)
    # The platform admin's seeding defines the toggles and overrides one in its tenant.
    seeder = await seeder_for(sessionmaker, settings, await make_platform_admin(sessionmaker))
    for _ in range(2):
        await scheduler_demo.seed(seeder)
        await toggles_demo.seed(seeder)
    tenant_id = seeder.ctx.tenant_id()
    assert await counts(sessionmaker, tenant_id) == {"schedules": 1, "toggles": 2, "overrides": 1}
    assert (await counts(sessionmaker, world.tenant_id))["schedules"] == 1
    async with sessionmaker() as session:
        nightly = await session.get(ScheduledJob, seeder.ids["schedule:nightly"])
    assert (nightly.schedule_value, nightly.target_queue, nightly.is_enabled) == (
        "30 2 * * *",
        "scheduler_prune_executions",
        True,
    )
    compact = await resolve(seeder.ctx, toggles_demo.TOGGLES[0]["identifier"])
    assert (compact.value, compact.source) == (True, "override")
