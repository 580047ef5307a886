"""Tiny load harness: fire N requests at C concurrency over real HTTP and report req/s, p50, p99."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, DummyCookieJar


@dataclass
class Figures:
    name: str
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def row(self, baseline: Figures | None = None) -> str:
        ratio = f"{baseline.rps / self.rps:6.2f}x" if baseline else ""
        return (
            f"{self.name:<58} {self.rps:9.1f} req/s  p50 {self.pct(0.5):7.2f} ms  "
            f"p99 {self.pct(0.99):7.2f} ms  {ratio}"
        )


async def load(
    name: str,
    session: ClientSession,
    make_request: Callable[[ClientSession], Awaitable[Any]],
    requests: int = 400,
    concurrency: int = 8,
) -> Figures:
    """Run ``make_request`` ``requests`` times with ``concurrency`` workers; every response must be 2xx."""
    latencies: list[float] = []
    remaining = iter(range(requests))

    async def worker() -> None:
        for _ in remaining:
            start = time.perf_counter()
            status = await make_request(session)
            latencies.append(time.perf_counter() - start)
            if not 200 <= status < 300:
                raise RuntimeError(f"{name}: HTTP {status}")

    for _ in range(min(20, requests)):  # warm-up
        await make_request(session)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Figures(name, requests, time.perf_counter() - started, latencies)


def get(url: str, headers: dict[str, str]) -> Callable[[ClientSession], Awaitable[int]]:
    async def call(session: ClientSession) -> int:
        async with session.get(url, headers=headers) as response:
            await response.read()
            return response.status

    return call


def post(
    url: str, headers: dict[str, str], body: Callable[[], Any]
) -> Callable[[ClientSession], Awaitable[int]]:
    async def call(session: ClientSession) -> int:
        async with session.post(url, headers=headers, json=body()) as response:
            await response.read()
            return response.status

    return call


def client_session(base_url: str) -> ClientSession:
    return ClientSession(base_url, cookie_jar=DummyCookieJar())
