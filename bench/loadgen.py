"""Fallback load generator when ``wrk`` is not installed: its own process, keep-alive connections,
prints requests per second. ``python -m bench.loadgen URL SECONDS CONNECTIONS HEADERS_JSON``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from aiohttp import ClientSession, DummyCookieJar, TCPConnector


async def hammer(url: str, seconds: float, connections: int, headers: dict[str, str]) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: ClientSession) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with session.get(url, headers=headers) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    raise RuntimeError(f"{url}: HTTP {response.status}")
            done += 1

    connector = TCPConnector(limit=connections)
    async with ClientSession(connector=connector, cookie_jar=DummyCookieJar()) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        return done / (time.perf_counter() - started)


if __name__ == "__main__":
    url, seconds, connections, headers = sys.argv[1:5]
    print(f"{asyncio.run(hammer(url, float(seconds), int(connections), json.loads(headers))):.1f}")
