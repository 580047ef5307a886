"""Fixed-window counters in Redis that degrade to an in-process limiter when Redis is unreachable,
and the client address behind trusted reverse proxies."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Mapping
from functools import cache

from redis.exceptions import RedisError

from crmgraph.config import Settings

log = logging.getLogger("crmgraph.ratelimit")

REDIS_TIMEOUT = 1.0  # seconds; a hung Redis must not hold a login
_LOCAL: dict[str, int] = {}  # fallback buckets (key includes the window id)
_LOCAL_MAX = 100_000


def _windows(namespace: str, key: str, window: int) -> tuple[str, str, float]:
    """This window's bucket, the previous one, and how much of the previous still overlaps the
    sliding window ending now (1.0 at the start of this window, 0.0 at its end)."""
    now = time.time()
    current = int(now) // window
    overlap = 1.0 - (now - current * window) / window
    return f"{namespace}:rl:{key}:{current}", f"{namespace}:rl:{key}:{current - 1}", overlap


def _local(bucket: str, previous: str, overlap: float, increment: int) -> int:
    if len(_LOCAL) > _LOCAL_MAX:  # old windows are never read again
        _LOCAL.clear()
    _LOCAL[bucket] = _LOCAL.get(bucket, 0) + increment
    return _LOCAL[bucket] + int(_LOCAL.get(previous, 0) * overlap)


async def _redis_count(
    redis: object, bucket: str, previous: str, overlap: float, window: int, increment: int
) -> int:
    async with asyncio.timeout(REDIS_TIMEOUT):
        if increment:
            current = int(await redis.incr(bucket, increment))  # type: ignore[attr-defined]
            if current == increment:
                await redis.expire(bucket, 2 * window)  # type: ignore[attr-defined]
        else:
            current = int(await redis.get(bucket) or 0)  # type: ignore[attr-defined]
        before = int(await redis.get(previous) or 0)  # type: ignore[attr-defined]
    return current + int(before * overlap)


async def count(redis: object | None, namespace: str, key: str, window: int, increment: int = 1) -> int:
    """Add ``increment`` (0 only reads) to ``key``'s counter; returns the estimated number of hits
    in the sliding ``window`` seconds ending now (this fixed window plus the overlapping share of
    the previous one), so a budget does not reset at a window boundary.

    Redis down or slow: the in-process counter takes over (logged), so limits still apply per
    process and nothing fails because of the limiter.
    """
    bucket, previous, overlap = _windows(namespace, key, window)
    if redis is not None:
        try:
            return await _redis_count(redis, bucket, previous, overlap, window, increment)
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("rate limiter: Redis unavailable (%s), counting in process", type(exc).__name__)
    return _local(bucket, previous, overlap, increment)


@cache
def _networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _trusted(address: str, settings: Settings) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(settings.trusted_proxies))


def client_ip(remote: str | None, headers: Mapping[str, str], settings: Settings) -> str:
    """The peer address, or, when the peer is a trusted proxy, the last untrusted hop it forwarded
    (``CLIENT_IP_HEADER``, by default ``X-Forwarded-For``). Clients cannot spoof it directly."""
    peer = remote or "unknown"
    if not settings.trusted_proxies or not _trusted(peer, settings):
        return peer
    hops = [hop.strip() for hop in headers.get(settings.client_ip_header, "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, settings):
            return hop
    return hops[0] if hops else peer
