"""Benchmark harness: the app under test (``crmgraph serve --workers N``) and its raw reference run as
their own processes, and the load comes from yet another process (``wrk`` when installed, else
``bench.loadgen``), so no figure is measured with client and server sharing an event loop.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from crmgraph.config import Settings, get_settings
from crmgraph.db import drop_database

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout} s")


@contextlib.contextmanager
def processes(commands: list[list[str]], env: dict[str, str], ready_url: str) -> Iterator[None]:
    """Start the commands, wait for ``ready_url`` to answer, stop them (SIGTERM) on exit."""
    started = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for cmd in commands]
    try:
        for process in started:
            wait_ready(ready_url, process)
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def http(
    method: str, url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def run_load(url: str, headers: dict[str, str], seconds: float, connections: int) -> float:
    """Requests per second from a separate load-generator process; any non-2xx answer is an error."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
        for key, value in headers.items():
            command += ["-H", f"{key}: {value}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in output or "Socket errors" in output:
            raise RuntimeError(f"{url}: failed requests\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return loadgen({"url": url, "headers": headers, "seconds": seconds, "connections": connections})["rps"]


T = TypeVar("T")


def alternate(served: Callable[[], T], raw: Callable[[], T], rounds: int = 3) -> tuple[list[T], list[T]]:
    """Each side measured ``rounds`` times in alternating slices (served first), so load from
    elsewhere on the machine weighs on both alike."""
    mine: list[T] = []
    floor: list[T] = []
    for _ in range(rounds):
        mine.append(served())
        floor.append(raw())
    return mine, floor


def side_by_side(
    served: str, headers: dict[str, str], raw: str, seconds: float, connections: int, rounds: int = 3
) -> tuple[float, float]:
    """Mean req/s of both in alternating slices (``alternate``); each is warmed first (pools,
    caches, prepared statements)."""
    run_load(served, headers, 1, connections)
    run_load(raw, {}, 1, connections)
    slice_ = max(1, round(seconds / rounds))
    mine, floor = alternate(
        lambda: run_load(served, headers, slice_, connections),
        lambda: run_load(raw, {}, slice_, connections),
        rounds,
    )
    return sum(mine) / rounds, sum(floor) / rounds


def scratch_settings(name: str) -> Settings:
    """The settings with a scratch database ``crmgraph_bench_<name>_<random>`` (not created here)
    and a queue of its own."""
    base = get_settings()
    database = f"crmgraph_bench_{name}_{uuid.uuid4().hex[:8]}"
    return replace(
        base,
        database_url=base.database_url.rsplit("/", 1)[0] + f"/{database}",
        queue_name=f"crmgraph:bench:{database}",
    )


async def drop_scratch(settings: Settings) -> None:
    """Drop what a bench made of ``scratch_settings``: the database and the queue's Redis keys (the
    queue, its owner and heartbeat keys, the jobs left in it)."""
    from arq.constants import job_key_prefix
    from redis.asyncio import Redis

    await drop_database(settings.database_url)
    redis = Redis.from_url(settings.redis_url)
    try:
        queue = settings.queue_name
        jobs = [job_key_prefix + job.decode() for job in await redis.zrange(queue, 0, -1)]
        keys = [queue, *jobs, *[key async for key in redis.scan_iter(match=f"{queue}:*")]]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
    finally:
        await redis.aclose()


def plain_dsn(settings: Settings) -> str:
    """The database URL as asyncpg takes it."""
    return settings.database_url.replace("+asyncpg", "")


def serve_env(settings: Settings, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CRMGRAPH_QUEUE": settings.queue_name,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOGIN_RATE_PER_IP": "1000000",
        "LOGIN_RATE_PER_EMAIL": "1000000",
    }


def loadgen(spec: dict[str, Any]) -> dict[str, float]:
    """Run ``bench.loadgen`` in its own process (see its docstring for ``spec``)."""
    command = [sys.executable, "-m", "bench.loadgen", json.dumps(spec)]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if output.returncode != 0:
        raise RuntimeError(f"load generator failed: {output.stderr[-2000:]}")
    return json.loads(output.stdout)


@contextlib.contextmanager
def served_app(settings: Settings, workers: int = os.cpu_count() or 1) -> Iterator[str]:
    """``crmgraph serve --workers N`` on a free port against ``settings``' database; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "crmgraph.cli", "serve", "--workers", str(workers)]
    with processes([command], serve_env(settings, port), f"http://127.0.0.1:{port}/healthz"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def served_and_raw(
    settings: Settings,
    workers: int,
    raw_app: str,
    tenant: uuid.UUID,
    user: uuid.UUID | None = None,
    org: uuid.UUID | None = None,
) -> Iterator[tuple[str, str]]:
    """``crmgraph serve --workers N`` and as many ``bench.raw_server`` processes serving ``raw_app``
    (one port, SO_REUSEPORT), both against ``settings``' database; yields (served URL, raw URL)."""
    served_port, raw_port = free_port(), free_port()
    served, raw = f"http://127.0.0.1:{served_port}", f"http://127.0.0.1:{raw_port}"
    serve_cmd = [sys.executable, "-m", "crmgraph.cli", "serve", "--workers", str(workers)]
    raw_cmd = [sys.executable, "-m", "bench.raw_server", raw_app, "--port", str(raw_port)]
    raw_cmd += ["--dsn", plain_dsn(settings), "--tenant", str(tenant)]
    for flag, value in (("--user", user), ("--org", org)):
        if value is not None:
            raw_cmd += [flag, str(value)]
    with (
        processes([serve_cmd], serve_env(settings, served_port), f"{served}/healthz"),
        processes([raw_cmd] * workers, dict(os.environ), f"{raw}/healthz"),
    ):
        every_process_answers(f"{raw}/healthz", workers)
        yield served, raw


def every_process_answers(url: str, count: int, timeout: float = 300) -> None:
    """Until ``count`` distinct processes (``pid`` in the answer) answered ``url``: processes sharing
    a port through SO_REUSEPORT bind it once started, and a measurement must not begin while some
    still load (a model, a cache)."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}: {len(seen)} of {count} processes answered in {timeout} s")
        seen.add(http("GET", url)["pid"])
        time.sleep(0.05)


def _run_app(factory: Callable[..., web.Application], args: tuple[Any, ...], port: int) -> None:
    web.run_app(factory(*args), host="127.0.0.1", port=port, print=None, access_log=None)


@contextlib.contextmanager
def app_process(factory: Callable[..., web.Application], *args: Any) -> Iterator[str]:
    """Serve ``factory(*args)`` (a module-level function) in a child process; yields its URL.
    The app must answer ``GET /healthz``."""
    port = free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=_run_app, args=(factory, args, port), daemon=True
    )
    child.start()
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            if not child.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("reference app did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.join(timeout=15)


def _answers(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
        return response.status == 200
    return False


@dataclass
class Figures:
    name: str
    rps: float
    p50: float
    p99: float

    def row(self, baseline: Figures | None = None) -> str:
        ratio = f"{baseline.rps / self.rps:6.2f}x" if baseline else ""
        return (
            f"{self.name:<58} {self.rps:9.1f} req/s  p50 {self.p50:7.2f} ms  p99 {self.p99:7.2f} ms  {ratio}"
        )


def load(
    name: str,
    url: str,
    requests: int = 400,
    concurrency: int = 8,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> Figures:
    """``requests`` requests at ``concurrency`` from a separate process (after a 20-request warm-up)."""
    spec = {"url": url, "method": method, "headers": headers or {}, "body": body, "connections": concurrency}
    loadgen({**spec, "requests": min(20, requests), "connections": 1})
    figures = loadgen({**spec, "requests": requests})
    return Figures(name, figures["rps"], figures["p50"], figures["p99"])
