"""Webhook delivery throughput (not a test): outbox events -> batched dispatch -> signed POSTs.

A scratch database (migrated, seeded without demo data) gets one endpoint of the first tenant pointing
at a local receiver running in its own process. Served: once a ``crmgraph worker`` process has
delivered a warm-up event, N outbox events of that tenant are committed at once (each waking the
dispatcher, as a command does: one job per window); the worker dispatches them in batches of up to
200 and posts the deliveries. Raw, in the same run once the worker has stopped: ``bench.raw_dispatcher``
(one asyncpg + aiohttp process claiming the same outbox table's due events in batches of 200, signing
and posting them with the worker's concurrency; see its docstring) delivers a warm-up event, then N
fresh events committed at once (no jobs: it polls).
Printed for both: delivery throughput (distinct events received per second, from the commit to the
last receipt), commit-to-delivery latency p50/p99 (the outbox row's ``created_at`` to the receiver's
clock; one machine, one clock), and served ÷ raw events/s.

Run: ``python -m bench.webhooks [--events 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from aiohttp import web
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import insert, select, text

from bench.harness import ROOT, drop_scratch, free_port, plain_dsn, scratch_settings
from crmgraph.config import Settings
from crmgraph.db import create_engine, session_factory
from crmgraph.installation import with_installation_secret
from models.events import OutboxEvent
from models.webhooks import WebhookEndpoint
from resolvers.events import wake_dispatcher
from resolvers.webhooks.security import new_secret, seal


def _receiver(port: int, log_path: str) -> None:
    """The receiver process: appends ``<webhook-id> <unix time>`` per request, answers 200."""
    out = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the process

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        out.write(f"{request.headers.get('webhook-id')} {time.time()}\n")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=True)


def received(log_path: str) -> dict[str, float]:
    """First receipt time per webhook-id."""
    first: dict[str, float] = {}
    for line in Path(log_path).read_text().splitlines():
        ident, moment = line.split(" ")
        first.setdefault(ident, float(moment))
    return first


@dataclass
class Endpoint:
    id: uuid.UUID
    secret: str
    tenant_id: uuid.UUID
    organization_id: uuid.UUID


async def endpoint(settings: Settings, url: str) -> Endpoint:
    """The endpoint of the first tenant's first organization."""
    engine = create_engine(settings.database_url)
    try:
        settings = await with_installation_secret(settings, engine)
        async with session_factory(engine)() as session:
            tenant_id = await session.scalar(text("SELECT id FROM tenants ORDER BY created_at LIMIT 1"))
            org_id = await session.scalar(
                text("SELECT id FROM organizations WHERE tenant_id = :t LIMIT 1"), {"t": tenant_id}
            )
            secret = new_secret()
            encrypted, hint = seal(settings, secret)
            hook = Endpoint(uuid.uuid4(), secret, tenant_id, org_id)
            session.add(
                WebhookEndpoint(
                    id=hook.id,
                    tenant_id=tenant_id,
                    organization_id=org_id,
                    name="bench",
                    url=url,
                    subscribed_events=["customers.person.updated"],
                    http_method="POST",
                    delivery_strategy="http",
                    max_retries=3,
                    timeout_ms=5000,
                    rate_limit_per_minute=0,
                    auto_disable_threshold=0,
                    is_active=True,
                    secret_encrypted=encrypted,
                    secret_hint=hint,
                    consecutive_failures=0,
                )
            )
            await session.commit()
        return hook
    finally:
        await engine.dispose()


async def commit_events(settings: Settings, hook: Endpoint, events: int, queue: bool = True) -> float:
    """``events`` outbox events in one commit, then (``queue``) the dispatcher woken per event (as
    ``emit`` does after a commit); returns the commit time (the rows' ``created_at``)."""
    tenant_id, org_id = hook.tenant_id, hook.organization_id
    engine = create_engine(settings.database_url)
    try:
        ids = [uuid.uuid4() for _ in range(events)]
        rows = [
            {
                "id": i,
                "name": "customers.person.updated",
                "tenant_id": tenant_id,
                "organization_id": org_id,
                "payload": {"id": str(uuid.uuid4()), "tenantId": str(tenant_id)},
                "status": "pending",
                "attempts": 0,
            }
            for i in ids
        ]
        async with session_factory(engine)() as session:
            for start in range(0, len(rows), 1000):
                await session.execute(insert(OutboxEvent), rows[start : start + 1000])
            await session.commit()
            committed = await session.scalar(select(OutboxEvent.created_at).where(OutboxEvent.id == ids[0]))
        if not queue:
            return committed.timestamp()
        redis = RedisSettings.from_dsn(settings.redis_url)
        pool = await create_pool(redis, default_queue_name=settings.queue_name)
        try:
            woken = SimpleNamespace(enqueue=pool.enqueue_job, settings=settings)
            for _ in ids:  # what each command does after its commit
                await wake_dispatcher(woken)
        finally:
            await pool.aclose()
        return committed.timestamp()
    finally:
        await engine.dispose()


def wait_for(log_path: str, count: int, timeout: float) -> dict[str, float]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if Path(log_path).exists() and len(found := received(log_path)) >= count:
            return found
        time.sleep(0.2)
    return received(log_path) if Path(log_path).exists() else {}


def stop(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    if process.poll() is None:
        process.kill()


def delivered(
    settings: Settings, hook: Endpoint, log_path: str, events: int, queue: bool
) -> dict[str, float]:
    """Commit ``events`` events, wait for their receipts: events/s and commit-to-delivery p50/p99 (ms).
    The receipts counted are those of webhook-ids not seen before (earlier phases share the log)."""
    seen = set(received(log_path))
    committed = asyncio.run(commit_events(settings, hook, events, queue))
    first = wait_for(log_path, len(seen) + events, max(120, events / 5))
    first = {k: v for k, v in first.items() if k not in seen}
    if not first:
        raise SystemExit("nothing was delivered")
    latencies = sorted((moment - committed) * 1000 for moment in first.values())
    elapsed = max(first.values()) - committed
    return {
        "delivered": len(first),
        "seconds": elapsed,
        "rate": len(first) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def warmed_up(settings: Settings, hook: Endpoint, log_path: str, queue: bool) -> None:
    """One event delivered: the dispatcher is up, connected and posting."""
    before = len(received(log_path)) if Path(log_path).exists() else 0
    asyncio.run(commit_events(settings, hook, 1, queue))
    if len(wait_for(log_path, before + 1, 120)) <= before:
        raise SystemExit("the dispatcher delivered nothing")


def main(events: int) -> None:
    settings = scratch_settings("webhooks")
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CRMGRAPH_QUEUE": settings.queue_name,
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    crmgraph = [sys.executable, "-m", "crmgraph.cli"]
    log_path = tempfile.mktemp(prefix="webhooks-bench-", suffix=".log")
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    receiver = multiprocessing.get_context("spawn").Process(
        target=_receiver, args=(port, log_path), daemon=True
    )
    worker = dispatcher = None
    try:
        for command in (["migrate"], ["seed", "--no-demo"]):
            subprocess.run([*crmgraph, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        receiver.start()
        hook = asyncio.run(endpoint(settings, url))
        worker = subprocess.Popen(
            [*crmgraph, "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        warmed_up(settings, hook, log_path, queue=True)
        served = delivered(settings, hook, log_path, events, queue=True)
        stop(worker)  # the raw dispatcher has the outbox to itself
        worker = None
        raw_cmd = [sys.executable, "-m", "bench.raw_dispatcher", "--dsn", plain_dsn(settings), "--url", url]
        raw_cmd += ["--secret", hook.secret, "--endpoint", str(hook.id)]
        raw_cmd += ["--concurrency", str(settings.worker_max_jobs)]
        dispatcher = subprocess.Popen(raw_cmd, cwd=ROOT)
        warmed_up(settings, hook, log_path, queue=False)
        raw = delivered(settings, hook, log_path, events, queue=False)
        print(
            f"\nwebhook delivery: {events} events per side, one `crmgraph worker` (up to"
            f" {settings.worker_max_jobs} jobs at once) vs bench.raw_dispatcher ({settings.worker_max_jobs}"
            " POSTs in flight), the same receiver"
        )
        print(f"{'':<8} {'delivered':>9} {'seconds':>8} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
        for name, f in (("served", served), ("raw", raw)):
            print(
                f"{name:<8} {f['delivered']:9d} {f['seconds']:8.1f} {f['rate']:9.1f} {f['p50']:8.0f} {f['p99']:8.0f}"
            )
        print(f"served/raw {served['rate'] / raw['rate']:.2f}x (events/s; p50/p99: commit to delivery)")
    finally:
        stop(worker)
        stop(dispatcher)
        if receiver.is_alive():
            receiver.terminate()
        with contextlib.suppress(Exception):
            asyncio.run(drop_scratch(settings))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(log_path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    main(parser.parse_args().events)
