"""The deployment's queue: its heartbeat and who owns it (two deployments must never share one)."""

from __future__ import annotations

from typing import Any

from crmgraph.config import Settings

HEALTH_INTERVAL = 10  # seconds: the worker's heartbeat key in Redis lives this long (+1 s)


class ForeignQueue(RuntimeError):
    """The queue is registered to another deployment: working it would swallow that one's jobs."""


def owner_key(settings: Settings) -> str:
    return f"{settings.queue_name}:deployment"


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
