"""arq worker settings (``crmgraph worker``)."""

from __future__ import annotations

import logging
from typing import Any

from arq import cron
from arq.connections import RedisSettings

from crmgraph.config import Settings, get_settings
from crmgraph.db import create_engine, session_factory
from crmgraph.health import WORKER_STATE
from crmgraph.modules import load_resolvers
from workers.events import dispatch_event, sweep_outbox
from workers.mail import send_email, sweep_mail
from workers.queue import HEALTH_INTERVAL, claim_queue

FUNCTIONS = [dispatch_event, send_email]
SWEEP_JOB = "cron:sweep_outbox"


class QuietSweep(logging.Filter):
    """arq logs every cron run at INFO; a sweep that found nothing is DEBUG, so the default log shows
    only sweeps that re-enqueued events (and failures)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno != logging.INFO or SWEEP_JOB not in message:
            return True
        if "→" in message or message.rstrip().endswith("● 0"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


QUIET_SWEEP = QuietSweep()


def worker_settings(settings: Settings | None = None, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``arq.Worker``; short job timeout so a killed job reruns soon."""
    settings = settings or get_settings()
    load_resolvers()  # every module's entities and subscribers

    logging.getLogger("arq.worker").addFilter(QUIET_SWEEP)  # a set: adding twice is a no-op

    async def startup(ctx: dict[str, Any]) -> None:
        await claim_queue(ctx["redis"], settings)
        engine = create_engine(settings.database_url)
        ctx["engine"] = engine
        ctx["sessionmaker"] = session_factory(engine)
        ctx["settings"] = settings
        WORKER_STATE["state"] = "running"

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "engine" in ctx:  # start-up may have failed before it existed
            await ctx["engine"].dispose()

    return {
        "functions": FUNCTIONS,
        "cron_jobs": [
            cron(sweep_outbox, second={0, 30}, run_at_startup=True),
            cron(sweep_mail, second={15, 45}),
        ],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": settings.queue_name,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_tries": 5,
        "job_timeout": 60,
        "keep_result": 3600,
        "health_check_interval": HEALTH_INTERVAL,
        "handle_signals": False,
        **overrides,
    }
