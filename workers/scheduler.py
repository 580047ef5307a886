"""arq wrappers of the scheduler (``resolvers.scheduler.engine``): the per-minute evaluation of due
schedules and the run of one execution, registered under every schedulable job name."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import Function, func

from resolvers.scheduler.engine import enqueue_due, execute
from resolvers.scheduler.targets import job_names


async def scheduler_tick(ctx: dict[str, Any]) -> int:
    """Record and queue the runs due now (arq cron, every minute)."""
    return len(await enqueue_due(ctx["settings"], ctx["sessionmaker"], ctx["redis"]))


async def run_scheduled(ctx: dict[str, Any], execution_id: str) -> dict[str, Any]:
    return await execute(ctx["settings"], ctx["sessionmaker"], ctx["redis"], execution_id)


def scheduler_functions() -> list[Function]:
    """One arq function per schedulable job name (the name a run is queued under), all running
    ``execute``; call after every module's resolvers are loaded."""
    return [func(run_scheduled, name=name) for name in job_names()]


FUNCTIONS = scheduler_functions()  # imported through ``layer_modules``: every module's resolvers are loaded
CRON_JOBS = [cron(scheduler_tick, second=0)]  # due schedules, every minute
