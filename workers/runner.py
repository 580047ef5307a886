"""Run the arq worker so that it survives Redis outages, on a queue only this deployment uses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
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
    """Run the worker; when Redis goes away, reconnect with exponential backoff and keep running.

    Only a cancellation of this task stops it. A stray one (``cancelling() == 0``) is a broken
    connection: on Python 3.11 ``asyncio.timeout`` expiring as its body completes leaves the
    cancellation pending with its count taken back, and it fires at the next ``await`` of this
    task (arq's loop, its ``close``, or the backoff sleep)."""

    delay = 1.0
    while True:
        worker = Worker(**worker_settings(settings, burst=burst, **overrides))
        started = time.monotonic()
        WORKER_STATE["state"] = "connecting"  # "running" once its start-up hook ran
        try:
            await _unless_stopped(worker.async_run())
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
            await _close(worker)
        with contextlib.suppress(ConnectionError):
            await _unless_stopped(asyncio.sleep(delay))
        delay = min(delay * 2, max_backoff)


def _being_stopped() -> bool:
    task = asyncio.current_task()
    return task is None or task.cancelling() > 0


async def _unless_stopped(step: Awaitable[None]) -> None:
    """Await ``step``; a stray cancellation becomes a ``ConnectionError`` (reconnect)."""
    try:
        await step
    except asyncio.CancelledError as cancelled:
        if _being_stopped():
            raise
        raise ConnectionError("the worker's connection was cancelled") from cancelled


async def _close(worker: Worker) -> None:
    """Close a worker whose connection may be gone (arq's ``close`` cancels the jobs still running
    and gathers them); nothing but a stop of this task ends it."""
    try:
        await _unless_stopped(worker.close())
    except Exception as exc:
        log.debug("closing the worker: %s", exc)
