"""Run the arq worker so that it survives Redis outages, on a queue only this deployment uses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from arq import Worker
from redis.exceptions import RedisError

from crmgraph.config import Settings
from crmgraph.health import WORKER_STATE
from workers.settings import worker_settings

log = logging.getLogger("crmgraph.worker")

MAX_BACKOFF = 30.0  # seconds between reconnection attempts, doubling from 1 s


async def run_worker(
    settings: Settings, *, burst: bool = False, max_backoff: float = MAX_BACKOFF, **overrides: Any
) -> None:
    """Run the worker; when Redis goes away, reconnect with exponential backoff and keep running."""

    delay = 1.0
    while True:
        worker = Worker(**worker_settings(settings, burst=burst, **overrides))
        started = time.monotonic()
        WORKER_STATE["state"] = "connecting"  # "running" once its start-up hook ran
        try:
            await worker.async_run()
            return  # burst finished, or stopped
        except (RedisError, OSError, TimeoutError) as exc:
            WORKER_STATE.update(state="reconnecting", last_error=f"{type(exc).__name__}: {exc}")
            WORKER_STATE["restarts"] += 1
            if time.monotonic() - started > max_backoff:
                delay = 1.0  # it had been running fine: start the backoff over
            log.warning("worker lost Redis (%s); reconnecting in %.0f s", type(exc).__name__, delay)
        finally:
            if WORKER_STATE["state"] in ("connecting", "running"):
                WORKER_STATE["state"] = "stopped"
            with contextlib.suppress(Exception):
                await worker.close()
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_backoff)
