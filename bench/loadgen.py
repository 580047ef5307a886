"""Load generator run as its own process (never in the server's event loop): keep-alive connections,
a fixed number of requests or a duration, any non-2xx answer is an error. Prints a JSON line with
``requests``, ``seconds``, ``rps`` and latency percentiles.

``python -m bench.loadgen '{"url": ..., "method": "GET", "headers": {}, "body": null,
"requests": 400 | "seconds": 5, "connections": 8}'``; a ``{uuid}`` in the JSON body is replaced by a
fresh UUID per request (for writes that must not collide). With ``"tolerate": true`` failed answers
and connection errors are counted (``statuses``: answers per status code, ``"error"`` for no answer)
instead of stopping the run, for soak tests that break things on purpose. With ``"latencies": true``
every request's latency (ms) comes back too (``latencies``), to take percentiles over several runs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from typing import Any

from aiohttp import ClientSession, DummyCookieJar, TCPConnector


async def hammer(spec: dict[str, Any]) -> dict[str, float]:
    url, method = spec["url"], spec.get("method", "GET")
    headers = {
        **spec.get("headers", {}),
        **({"Content-Type": "application/json"} if spec.get("body") else {}),
    }
    body = json.dumps(spec["body"]) if spec.get("body") is not None else None
    budget = iter(range(spec["requests"])) if "requests" in spec else None
    deadline = time.perf_counter() + spec.get("seconds", 0)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    tolerate = bool(spec.get("tolerate"))

    def more() -> bool:
        return next(budget, None) is not None if budget is not None else time.perf_counter() < deadline

    async def worker(session: ClientSession) -> None:
        while more():
            data = body.replace("{uuid}", uuid.uuid4().hex) if body else None
            start = time.perf_counter()
            try:
                async with session.request(method, url, headers=headers, data=data) as response:
                    await response.read()
                    status = str(response.status)
            except (TimeoutError, OSError):
                if not tolerate:
                    raise
                status = "error"
                await asyncio.sleep(0.05)  # the server is gone: do not spin
            statuses[status] = statuses.get(status, 0) + 1
            if not tolerate and not status.startswith("2"):
                raise RuntimeError(f"{method} {url}: HTTP {status}")
            latencies.append(time.perf_counter() - start)

    connections = spec.get("connections", 8)
    async with ClientSession(
        connector=TCPConnector(limit=connections), cookie_jar=DummyCookieJar()
    ) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    figures = {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": pct(0.5),
        "p99": pct(0.99),
        "statuses": statuses,
    }
    if spec.get("latencies"):
        figures["latencies"] = [round(latency * 1000, 3) for latency in latencies]
    return figures


if __name__ == "__main__":
    print(json.dumps(asyncio.run(hammer(json.loads(sys.argv[1])))))
