"""``crmgraph`` command line: migrate, seed, serve, worker, conformance, retry-events, reindex."""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys

from crmgraph.config import Settings, get_settings
from crmgraph.modules import WORKER_ADAPTERS, adapter
from crmgraph.setup import migrate, reindex_installation, seed_installation


async def _serve(
    settings: Settings, with_worker: bool, reuse_port: bool = False, access_log: bool = False
) -> None:
    """Serve until SIGINT/SIGTERM, then close connections, pools and the optional worker cleanly."""
    from aiohttp import web

    from crmgraph.app import create_app

    runner = web.AppRunner(create_app(settings), access_log=web_access_log() if access_log else None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    worker_task = asyncio.create_task(_worker(settings)) if with_worker else None
    try:
        await stop.wait()
    finally:
        if worker_task:
            worker_task.cancel()
        await runner.cleanup()


def web_access_log() -> logging.Logger:
    return logging.getLogger("aiohttp.access")


def _serve_process(settings: Settings, with_worker: bool, access_log: bool) -> None:
    """One of ``serve --workers N``: its own event loop, engine and pool, sharing the port (SO_REUSEPORT)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    asyncio.run(_serve(settings, with_worker, reuse_port=True, access_log=access_log))


def serve_processes(settings: Settings, workers: int, with_worker: bool, access_log: bool) -> int:
    """Run ``workers`` server processes on one port; SIGINT/SIGTERM stops them all, so does one dying."""
    banner = f"serving GraphQL at http://{settings.host}:{settings.port}/graphql and REST at /api"
    if workers <= 1:
        print(f"{banner} (1 process)", flush=True)
        asyncio.run(_serve(settings, with_worker, access_log=access_log))
        return 0
    context = multiprocessing.get_context("fork")  # before any loop, thread or connection exists
    children = [
        context.Process(
            target=_serve_process, args=(settings, with_worker and i == 0, access_log), daemon=True
        )
        for i in range(workers)
    ]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()
    print(f"{banner} ({workers} processes)", flush=True)
    while not stopping and all(child.is_alive() for child in children):
        multiprocessing.connection.wait([child.sentinel for child in children], timeout=0.5)
    failed = not stopping
    for child in children:
        if child.is_alive():
            child.terminate()  # SIGTERM: the child shuts down cleanly
    for child in children:
        child.join(timeout=15)
        if child.is_alive():
            child.kill()
    return 1 if failed else 0


async def _worker(settings: Settings, burst: bool = False) -> None:
    await adapter(WORKER_ADAPTERS, "run")(settings, burst=burst)


async def _retry_events(settings: Settings) -> None:
    from arq import create_pool
    from arq.connections import RedisSettings

    from crmgraph.db import engine_for, session_factory

    requeue_undelivered = adapter(WORKER_ADAPTERS, "requeue")
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
    )
    try:
        async with engine_for(settings.database_url) as engine:
            count = await requeue_undelivered(session_factory(engine), pool)
            print(f"re-queued {count} failed or stale pending events")
    finally:
        await pool.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crmgraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create the database if needed and apply migrations")
    seed = sub.add_parser("seed", help="create the demo tenant, admin and demo data (idempotent)")
    seed.add_argument("--no-demo", action="store_true", help="skip the demo customers, deals and timeline")
    serve = sub.add_parser("serve", help="serve GraphQL and REST")
    serve.add_argument("--worker", action="store_true", help="also run the arq worker (in the first process)")
    serve.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes sharing the port (default: CPUs)",
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (off: it costs throughput)"
    )
    worker = sub.add_parser("worker", help="run the arq worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    sub.add_parser("conformance", help="check every documented operation against a scratch database")
    sub.add_parser("retry-events", help="re-queue failed and stale pending outbox events")
    reindex = sub.add_parser("reindex", help="rebuild the search index in this process, with a progress bar")
    reindex.add_argument("--tenant", help="one tenant (id or name); default: every tenant")
    reindex.add_argument("--entity", help="one entity type, e.g. customers:person; default: all")
    reindex.add_argument("--vectors", action="store_true", help="recompute every embedding too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    settings = get_settings()
    try:
        if args.command == "migrate":
            migrate(settings)
        elif args.command == "seed":
            asyncio.run(seed_installation(settings, demo=not args.no_demo))
        elif args.command == "serve":
            return serve_processes(settings, args.workers, args.worker, args.access_log)
        elif args.command == "worker":
            asyncio.run(_worker(settings, args.burst))
        elif args.command == "retry-events":
            asyncio.run(_retry_events(settings))
        elif args.command == "reindex":
            return asyncio.run(reindex_installation(settings, args.tenant, args.entity, args.vectors))
        elif args.command == "conformance":
            from crmgraph.conformance import run_cli

            return run_cli(settings)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
