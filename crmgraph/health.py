"""Worker liveness shared by the worker (which reports it) and the app's health endpoints, and the
dependency probes behind ``/healthz``, ``/readyz`` and the system status (``resolvers.configs``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text

from crmgraph.config import Settings

# The in-process worker's state (``serve --worker``): "stopped", "connecting", "running", "reconnecting".
WORKER_STATE: dict[str, Any] = {"state": "stopped", "restarts": 0, "last_error": None}

PROBE_TIMEOUT = 1.0  # seconds per dependency probe


def health_key(settings: Settings) -> str:
    return f"{settings.queue_name}:health-check"  # arq's default heartbeat key


async def probe(check: Callable[[], Awaitable[Any]]) -> bool:
    """Whether ``check`` answers truthily within PROBE_TIMEOUT (any failure is "down", never raised)."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            return bool(await check())
    except Exception:
        return False


async def dependency_states(
    engine: Any, redis: Any, settings: Settings, *, database: bool = True
) -> dict[str, str]:
    """Database, Redis and worker (its heartbeat key in Redis: works for a separate process too)."""

    async def reachable() -> bool:
        async with engine.connect() as conn:
            return await conn.scalar(text("SELECT 1")) == 1

    found = {"database": "up" if await probe(reachable) else "down"} if database else {}
    if redis is None:
        return {**found, "redis": "disabled", "worker": "disabled"}
    found["redis"] = "up" if await probe(redis.ping) else "down"
    if found["redis"] == "down":
        return {**found, "worker": "unknown"}
    heartbeat = await probe(lambda: redis.exists(health_key(settings)))
    return {**found, "worker": "up" if heartbeat else "down"}
