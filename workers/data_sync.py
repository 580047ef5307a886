"""arq job of the data sync module: execute one queued run (``resolvers.data_sync.runs``)."""

from __future__ import annotations

import uuid
from typing import Any

from arq import cron, func

from resolvers.data_sync.runs import execute_run
from resolvers.data_sync.schedules import run_due_schedules


async def run_data_sync(ctx: dict[str, Any], run_id: str) -> str:
    enqueue = ctx["redis"].enqueue_job if "redis" in ctx else None
    return await execute_run(ctx["sessionmaker"], ctx["settings"], uuid.UUID(run_id), enqueue)


async def data_sync_schedules(ctx: dict[str, Any]) -> int:
    """Cron: queue the runs of due data sync schedules."""
    enqueue = ctx["redis"].enqueue_job if "redis" in ctx else None
    return await run_due_schedules(ctx["sessionmaker"], ctx["settings"], enqueue)


FUNCTIONS = [func(run_data_sync, timeout=1800)]
CRON_JOBS = [cron(data_sync_schedules, second={40})]  # due data sync schedules, every minute
