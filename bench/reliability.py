"""Reliability soak (not a test): writes under load while the worker is SIGKILLed or Redis is down.

Everything runs as its own process against a scratch database and a private ``redis-server`` (so the
outage hurts nobody else on the machine): ``crmgraph serve``, ``crmgraph worker`` and the writers
(``bench.loadgen`` in tolerant mode, counting answers per status). Per scenario it prints:

- writes answered 2xx / 5xx / no answer, and writes committed (rows in the table);
- outbox events of the run, dispatched, still pending or failed once the backlog drained;
- the write rate and the outbox drain rate (events dispatched per second, first commit to last
  dispatch), whether the worker process outlived the fault, and how long the drain took after the load.

Run: ``python -m bench.reliability [--seconds 30] [--writers 16] [--scenario kill|redis|steady|all]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import asyncpg

from bench.harness import ROOT, free_port, http, serve_env, wait_ready
from crmgraph.config import Settings
from crmgraph.db import drop_database

OUTAGE = 10.0  # seconds Redis stays down
DRAIN_TIMEOUT = 180.0


@dataclass
class Run:
    scenario: str
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    committed: int = 0
    events: int = 0
    dispatched: int = 0
    pending: int = 0
    failed: int = 0
    drain_seconds: float | None = None
    drain_rate: float = 0.0
    worker_survived: bool = True

    def report(self) -> str:
        answered = sum(v for k, v in self.statuses.items() if k.startswith("2"))
        errors = sum(v for k, v in self.statuses.items() if k.startswith("5"))
        lost = self.events - self.dispatched
        return "\n".join(
            [
                f"scenario {self.scenario}: {sum(self.statuses.values())} writes in {self.seconds:.0f} s"
                f" ({answered / self.seconds:.1f} writes/s answered 2xx)",
                f"  answers: {dict(sorted(self.statuses.items()))}; committed rows: {self.committed};"
                f" committed but answered 5xx/none: {max(0, self.committed - answered)}; 5xx: {errors}",
                f"  outbox: {self.events} events, {self.dispatched} dispatched, {self.pending} pending,"
                f" {self.failed} failed → lost {lost}",
                f"  drain: {self.drain_rate:.1f} events/s; backlog empty "
                + (
                    f"{self.drain_seconds:.1f} s after the load"
                    if self.drain_seconds is not None
                    else "NEVER"
                )
                + f"; worker alive at the end (kill: the restarted one; redis: never restarted): {self.worker_survived}",
            ]
        )


class Redis:
    """A private redis-server on a free port (nothing persisted), stoppable for an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed: the soak needs a private Redis")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextlib.contextmanager
def stack(settings: Settings, redis: Redis) -> Iterator[tuple[str, dict[str, str]]]:
    """Migrated and seeded scratch database, ``crmgraph serve``; yields (base URL, environment)."""
    port = free_port()
    env = {**serve_env(settings, port), "REDIS_URL": redis.url}
    for command in (["migrate"], ["seed", "--no-demo"]):
        subprocess.run(
            [sys.executable, "-m", "crmgraph.cli", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    server_log = tempfile.mktemp(prefix="soak-serve-", suffix=".log")
    server = subprocess.Popen(
        [sys.executable, "-m", "crmgraph.cli", "serve", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=open(server_log, "ab"),  # noqa: SIM115 - the child owns it
        stderr=subprocess.STDOUT,
    )
    print(f"(server log: {server_log})")
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}", env
    finally:
        server.terminate()
        server.wait(timeout=15)


def start_worker(env: dict[str, str], log: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crmgraph.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
    )


def writers(base: str, token: str, seconds: float, connections: int, out: dict) -> threading.Thread:
    spec = {
        "url": f"{base}/api/customers/people",
        "method": "POST",
        "headers": {"Authorization": f"Bearer {token}"},
        "body": {"displayName": "Soak {uuid}", "firstName": "Soak", "lastName": "{uuid}"},
        "seconds": seconds,
        "connections": connections,
        "tolerate": True,
    }

    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "bench.loadgen", json.dumps(spec)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        out.update(json.loads(done.stdout) if done.returncode == 0 else {"failed": done.stderr[-2000:]})

    thread = threading.Thread(target=run)
    thread.start()
    return thread


async def outbox(dsn: str, since: float) -> dict[str, float]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS events, count(*) FILTER (WHERE status = 'dispatched') AS dispatched,"
            " count(*) FILTER (WHERE status = 'pending') AS pending,"
            " count(*) FILTER (WHERE status = 'failed') AS failed,"
            " extract(epoch FROM max(dispatched_at) - min(created_at)) AS span"
            " FROM outbox_events WHERE name = 'customers.person.created' AND created_at >= to_timestamp($1)",
            since,
        )
        committed = await conn.fetchval(
            "SELECT count(*) FROM customer_entities WHERE display_name LIKE 'Soak %' AND created_at >= to_timestamp($1)",
            since,
        )
    finally:
        await conn.close()
    return {**dict(row), "committed": committed}


def scenario(
    name: str, base: str, env: dict[str, str], redis: Redis, seconds: float, connections: int
) -> Run:
    dsn = env["DATABASE_URL"].replace("+asyncpg", "")
    log = tempfile.mktemp(prefix=f"soak-{name}-", suffix=".log")
    worker = start_worker(env, log)
    time.sleep(3)  # the worker connects and claims its queue
    token = http("POST", f"{base}/api/auth/login", {"email": "admin@example.com", "password": "admin"})[
        "token"
    ]
    run, load = Run(name), {}
    since = time.time()
    thread = writers(base, token, seconds, connections, load)
    time.sleep(seconds / 3)
    if name == "kill":
        worker.send_signal(signal.SIGKILL)  # mid-run: jobs in flight die with it
        worker.wait()
        time.sleep(3)
        worker = start_worker(env, log)  # the restart a supervisor would do
    elif name == "redis":
        redis.stop()
        time.sleep(OUTAGE)
        redis.start()  # same port, empty: queued jobs are gone, the outbox sweep must recover them
    thread.join()
    ended = time.monotonic()
    run.statuses, run.seconds = load.get("statuses", {}), load.get("seconds", seconds)
    if "failed" in load:
        print(load["failed"])
    while True:
        figures = asyncio.run(outbox(dsn, since))
        if figures["pending"] == 0 or time.monotonic() - ended > DRAIN_TIMEOUT:
            break
        time.sleep(1)
    if figures["pending"] == 0:
        run.drain_seconds = time.monotonic() - ended
    run.worker_survived = worker.poll() is None
    run.committed, run.events = int(figures["committed"]), int(figures["events"])
    run.dispatched, run.pending, run.failed = (int(figures[k]) for k in ("dispatched", "pending", "failed"))
    run.drain_rate = run.dispatched / float(figures["span"] or 1)
    worker.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.wait(timeout=15)
    print(f"  (worker log: {log})")
    return run


def main(seconds: float, connections: int, scenarios: list[str]) -> None:
    database = f"crmgraph_soak_{uuid.uuid4().hex[:8]}"
    base_settings = Settings()
    url = base_settings.database_url.rsplit("/", 1)[0] + f"/{database}"
    settings = Settings(database_url=url, queue_name=f"crmgraph:{database}:queue")
    redis = Redis()
    redis.start()
    try:
        with stack(settings, redis) as (base, env):
            for name in scenarios:
                print(scenario(name, base, env, redis, seconds, connections).report(), flush=True)
    finally:
        redis.stop()
        asyncio.run(drop_database(url))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--scenario", choices=["steady", "kill", "redis", "all"], default="all")
    args = parser.parse_args()
    chosen = ["steady", "kill", "redis"] if args.scenario == "all" else [args.scenario]
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(args.seconds, args.writers, chosen)
