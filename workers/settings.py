"""arq worker settings (``crmgraph worker``)."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import func

from crmgraph.config import Settings, get_settings
from crmgraph.db import create_engine, session_factory
from crmgraph.health import WORKER_STATE
from crmgraph.installation import with_installation_secret
from crmgraph.modules import layer_modules, load_resolvers
from workers.events import STATE_KEY as DISPATCH_STATE
from workers.events import batch_loops, dispatch_event, sweep_outbox
from workers.mail import send_email, sweep_mail
from workers.queue import HEALTH_INTERVAL, claim_queue

# A dispatch job keeps no result: its id (``resolvers.events.wake_dispatcher``: queue and time window)
# is free again once it ran, so a late write of a window that a clock skew let run early gets a job.
CORE_FUNCTIONS = [func(dispatch_event, keep_result=0), send_email]
SWEEP_JOB = "cron:sweep_outbox"
QUIET_JOBS = (SWEEP_JOB, "cron:scheduler_tick", "cron:sweep_webhooks")  # cron jobs whose idle runs are DEBUG


class QuietSweep(logging.Filter):
    """arq logs every cron run at INFO; a sweep (or scheduler evaluation) that found nothing is DEBUG,
    so the default log shows only those that queued something (and failures)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno != logging.INFO or not any(job in message for job in QUIET_JOBS):
            return True
        if "→" in message or message.rstrip().endswith("● 0"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


QUIET_SWEEP = QuietSweep()


async def _maybe_await(hook: Any, ctx: dict[str, Any]) -> None:
    if hook is not None and inspect.isawaitable(result := hook(ctx)):
        await result


def worker_settings(settings: Settings | None = None, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``arq.Worker``; short job timeout so a killed job reruns soon."""
    settings = settings or get_settings()
    load_resolvers()  # every module's entities and subscribers
    modules = layer_modules("workers")  # each may declare FUNCTIONS, CRON_JOBS, on_startup/on_shutdown

    logging.getLogger("arq.worker").addFilter(QUIET_SWEEP)  # a set: adding twice is a no-op

    async def startup(ctx: dict[str, Any]) -> None:
        await claim_queue(ctx["redis"], settings)
        engine = create_engine(settings.database_url)
        ctx["engine"] = engine
        ctx["sessionmaker"] = session_factory(engine)
        ctx["settings"] = await with_installation_secret(settings, engine)  # jobs decrypt secrets
        # Jobs get a shallow copy of ctx: what they share across jobs must be set here.
        ctx[DISPATCH_STATE] = batch_loops()
        for module in modules:
            await _maybe_await(getattr(module, "on_startup", None), ctx)
        WORKER_STATE["state"] = "running"

    async def shutdown(ctx: dict[str, Any]) -> None:
        for module in modules:
            await _maybe_await(getattr(module, "on_shutdown", None), ctx)
        if "engine" in ctx:  # start-up may have failed before it existed
            await ctx["engine"].dispose()

    return {
        "functions": [*CORE_FUNCTIONS, *(f for module in modules for f in getattr(module, "FUNCTIONS", ()))],
        "cron_jobs": [
            cron(sweep_outbox, second={0, 30}, run_at_startup=True),
            cron(sweep_mail, second={15, 45}),
            *(job for module in modules for job in getattr(module, "CRON_JOBS", ())),
        ],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": settings.queue_name,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_tries": 5,
        "max_jobs": settings.worker_max_jobs,  # deliveries wait on receivers: run many at once
        "job_timeout": 60,
        "keep_result": 3600,
        "health_check_interval": HEALTH_INTERVAL,
        "handle_signals": False,
        **overrides,
    }
