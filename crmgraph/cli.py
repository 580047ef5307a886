"""``crmgraph`` command line: migrate, seed, serve, worker, conformance."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from crmgraph.config import Settings, get_settings


def migrate(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    from crmgraph.db import ensure_database

    if asyncio.run(ensure_database(settings.database_url)):
        print("created database")
    import migrations

    config = Config()
    config.set_main_option("script_location", migrations.__path__[0])
    config.set_main_option("sqlalchemy.url", settings.database_url)
    command.upgrade(config, "head")
    tables = asyncio.run(_row_level_security(settings))
    print(f"migrations applied; row-level security on {len(tables)} tenant tables")


async def _row_level_security(settings: Settings) -> list[str]:
    from crmgraph.db import engine_for
    from crmgraph.installation import ensure_secret
    from crmgraph.rls import apply_row_level_security

    async with engine_for(settings.database_url) as engine, engine.begin() as conn:
        if await ensure_secret(conn):
            print("generated this installation's signing secret")
        return await apply_row_level_security(conn)


async def _seed(settings: Settings, demo: bool = True) -> None:
    from crmgraph.db import engine_for, session_factory
    from crmgraph.installation import ensure_secret
    from crmgraph.seed import seed, seed_demo

    async with engine_for(settings.database_url) as engine:
        async with engine.begin() as conn:
            await ensure_secret(conn)
        async with session_factory(engine)() as session:
            result = await seed(session, settings)
        state = "created" if result.created else "already present"
        print(f"demo tenant {result.tenant_id} {state}; admin {settings.admin_email}")
        if demo:
            await seed_demo(session_factory(engine), settings, result)
            print("demo customers, deals and timeline in place (skip with --no-demo)")


async def _serve(settings: Settings, with_worker: bool) -> None:
    from aiohttp import web

    from crmgraph.app import create_app

    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    print(f"serving GraphQL at http://{settings.host}:{settings.port}/graphql and REST at /api", flush=True)
    worker_task = None
    if with_worker:
        worker_task = asyncio.create_task(_worker(settings))
    try:
        await asyncio.Event().wait()
    finally:
        if worker_task:
            worker_task.cancel()
        await runner.cleanup()


async def _worker(settings: Settings, burst: bool = False) -> None:
    from workers.runner import run_worker

    await run_worker(settings, burst=burst)


async def _retry_events(settings: Settings) -> None:
    from arq import create_pool
    from arq.connections import RedisSettings

    from crmgraph.db import engine_for, session_factory
    from workers.events import requeue_undelivered

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
    serve.add_argument("--worker", action="store_true", help="also run the arq worker in this process")
    worker = sub.add_parser("worker", help="run the arq worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    sub.add_parser("conformance", help="check every documented operation against a scratch database")
    sub.add_parser("retry-events", help="re-queue failed and stale pending outbox events")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    settings = get_settings()
    try:
        if args.command == "migrate":
            migrate(settings)
        elif args.command == "seed":
            asyncio.run(_seed(settings, demo=not args.no_demo))
        elif args.command == "serve":
            asyncio.run(_serve(settings, args.worker))
        elif args.command == "worker":
            asyncio.run(_worker(settings, args.burst))
        elif args.command == "retry-events":
            asyncio.run(_retry_events(settings))
        elif args.command == "conformance":
            from crmgraph.conformance import run_cli

            return run_cli(settings)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
