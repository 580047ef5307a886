"""The schedules every organization should have, installed by the upgrade action (or the demo)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext
from models.scheduler import ScheduledJob
from resolvers.configs.upgrades import app_version, upgrade_action
from resolvers.crud import service
from resolvers.scheduler.builtins import PRUNE
from resolvers.scheduler.jobs import SCHEDULE
from resolvers.scope import scoped

NIGHTLY_PRUNE = {
    "name": "Nightly clean-up of scheduler runs",
    "description": "Deletes finished scheduler runs older than 30 days, every night at 02:30.",
    "scheduleType": "cron",
    "scheduleValue": "30 2 * * *",
    "timezone": "Europe/Warsaw",
    "targetType": "queue",
    "targetQueue": PRUNE,
    "targetPayload": {"keepDays": 30},
}
DEFAULTS = (NIGHTLY_PRUNE,)


async def install_default_schedules(ctx: RequestContext) -> list[str]:
    """Create the default schedules missing in the caller's organization (by name); their ids."""
    ids = []
    for payload in DEFAULTS:
        query = await scoped(
            ctx, SCHEDULE, select(ScheduledJob.id).where(ScheduledJob.name == payload["name"])
        )
        async with ctx.read_session() as session:
            found = await session.scalar(query.limit(1))
        if found is None:
            created, _ = await service(SCHEDULE).create(ctx, dict(payload))
            found = created.id
        ids.append(str(found))
    return ids


@upgrade_action(
    "scheduler.default_schedules",
    version=app_version(),
    message="Install the default schedules: a nightly clean-up of old scheduler runs.",
    cta_label="Install schedules",
    success_message="Default schedules installed",
    loading_label="Installing schedules…",
)
async def _install(ctx: RequestContext) -> Any:
    return await install_default_schedules(ctx)
