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

log = logging.getLogger("crmgraph.worker")

MAX_BACKOFF = 30.0  # seconds between reconnection attempts, doubling from 1 s
HEALTH_INTERVAL = 10  # seconds: the worker's heartbeat key in Redis lives this long (+1 s)
# What this process's worker is doing (served by /healthz when it runs inside ``serve --worker``).
WORKER_STATE: dict[str, Any] = {"state": "stopped", "restarts": 0, "last_error": None}


class ForeignQueue(RuntimeError):
    """The queue is registered to another deployment: working it would swallow that one's jobs."""


def owner_key(settings: Settings) -> str:
    return f"{settings.queue_name}:deployment"


def health_key(settings: Settings) -> str:
    return f"{settings.queue_name}:health-check"  # arq's default heartbeat key


async def claim_queue(redis: Any, settings: Settings) -> None:
    """Register the queue to this deployment, or refuse it when another one registered it first
    (two deployments configured with the same ``CRMGRAPH_QUEUE`` on one Redis)."""
    key = owner_key(settings)
    await redis.set(key, settings.deployment_id, nx=True)
    owner = await redis.get(key)
    owner = owner.decode() if isinstance(owner, bytes) else owner
    if owner != settings.deployment_id:
        raise ForeignQueue(
            f"queue {settings.queue_name!r} belongs to deployment {owner!r}, not {settings.deployment_id!r}:"
            f" set CRMGRAPH_QUEUE to a name of its own (or delete {key!r} if that deployment is gone)"
        )


async def run_worker(
    settings: Settings, *, burst: bool = False, max_backoff: float = MAX_BACKOFF, **overrides: Any
) -> None:
    """Run the worker; when Redis goes away, reconnect with exponential backoff and keep running."""
    from workers.settings import worker_settings

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
