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


def _bucket(namespace: str, key: str, window: int) -> str:
    return f"{namespace}:rl:{key}:{int(time.time()) // window}"


def _local(bucket: str, increment: int) -> int:
    if len(_LOCAL) > _LOCAL_MAX:  # old windows are never read again
        _LOCAL.clear()
    _LOCAL[bucket] = _LOCAL.get(bucket, 0) + increment
    return _LOCAL[bucket]


async def _redis_count(redis: object, bucket: str, window: int, increment: int) -> int:
    async with asyncio.timeout(REDIS_TIMEOUT):
        if not increment:
            return int(await redis.get(bucket) or 0)  # type: ignore[attr-defined]
        count = int(await redis.incr(bucket))  # type: ignore[attr-defined]
        if count == 1:
            await redis.expire(bucket, window)  # type: ignore[attr-defined]
        return count


async def count(redis: object | None, namespace: str, key: str, window: int, increment: int = 1) -> int:
    """Add ``increment`` (0 only reads) to this window's counter for ``key``; returns the count.

    Redis down or slow: the in-process counter takes over (logged), so limits still apply per
    process and nothing fails because of the limiter.
    """
    bucket = _bucket(namespace, key, window)
    if redis is not None:
        try:
            return await _redis_count(redis, bucket, window, increment)
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("rate limiter: Redis unavailable (%s), counting in process", type(exc).__name__)
    return _local(bucket, increment)


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
