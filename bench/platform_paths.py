"""Platform benchmark: REST lists (enriched and compiled), GraphQL nested reads (compiled vs
resolvers), writes and outbox event delivery, each beside a raw asyncpg + JSON baseline where one
applies. The app runs as ``crmgraph serve``, its baseline and the load generator as their own
processes. Run: ``python -m bench.platform_paths [--users 2000] [--requests 400]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import replace
from types import SimpleNamespace

import asyncpg
from aiohttp import web
from arq import Worker
from sqlalchemy import select

from bench.harness import app_process, http, load, served_app
from crmgraph.config import get_settings
from crmgraph.db import create_engine, drop_database, session_factory
from crmgraph.security import hash_password
from crmgraph.seed import ensure_org, ensure_role
from crmgraph.setup import migrate
from models.auth import User, UserRole
from models.directory import Tenant
from models.events import OutboxEvent
from resolvers.events import wake_dispatcher
from workers.settings import worker_settings

NESTED = "{ organizations(pageSize: 50) { items { name users { email roles { name } } } } }"
PASSWORD = "bench-pass"


async def seed(sessionmaker, users: int) -> tuple[str, uuid.UUID]:
    async with sessionmaker() as session:
        tenant = Tenant(id=uuid.uuid4(), name="Bench", is_active=True)
        session.add(tenant)
        await session.flush()
        root = await ensure_org(session, tenant, "Bench HQ", None)
        await session.flush()
        orgs = [await ensure_org(session, tenant, f"Branch {i}", root) for i in range(20)]
        admin_role = await ensure_role(session, tenant, "superadmin", ["*"], super_admin=True)
        staff = await ensure_role(session, tenant, "staff", ["auth.users.list"])
        password_hash = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
        admin = User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            organization_id=root.id,
            email="bench@example.com",
            password_hash=password_hash,
        )
        session.add(admin)
        session.add(UserRole(user_id=admin.id, role_id=admin_role.id))
        for i in range(users):
            user = User(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                organization_id=orgs[i % len(orgs)].id,
                email=f"user{i:06d}@example.com",
                name=f"User {i}",
                password_hash=password_hash,
            )
            session.add(user)
            session.add(UserRole(user_id=user.id, role_id=staff.id))
        await session.commit()
    return "bench@example.com", tenant.id


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def raw_app(dsn: str, tenant_id: uuid.UUID) -> web.Application:
    """The floor: one asyncpg query for the same users page + count, encoded with json.dumps."""
    app = web.Application()

    async def startup(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)

    async def users(request: web.Request) -> web.Response:
        rows = await request.app["pool"].fetch(
            "SELECT id, email, name, organization_id, tenant_id, is_confirmed, locale, last_login_at, created_at,"
            " count(*) OVER () AS total FROM users WHERE tenant_id = $1 AND deleted_at IS NULL"
            " ORDER BY email, id LIMIT 50",
            tenant_id,
        )
        items = [
            {
                k: (str(v) if k.endswith("id") or k.endswith("_at") else v)
                for k, v in dict(r).items()
                if k != "total"
            }
            for r in rows
        ]
        return web.json_response({"items": items, "total": rows[0]["total"] if rows else 0})

    async def cleanup(app: web.Application) -> None:
        await app["pool"].close()

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/users", users)
    app.router.add_get("/healthz", healthz)
    return app


async def event_delivery(settings, sessionmaker, count: int) -> str:
    async with sessionmaker() as session:
        ids = [uuid.uuid4() for _ in range(count)]
        session.add_all(OutboxEvent(id=i, name="bench.event.created", payload={"id": str(i)}) for i in ids)
        await session.commit()
    from arq import create_pool
    from arq.connections import RedisSettings

    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
    )
    await wake_dispatcher(SimpleNamespace(enqueue=pool.enqueue_job, settings=settings))  # as a command does
    await pool.aclose()
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.01, cron_jobs=[], max_jobs=20))
    started = time.perf_counter()
    await worker.async_run()
    elapsed = time.perf_counter() - started
    await worker.close()
    async with sessionmaker() as session:
        done = len(
            (
                await session.execute(
                    select(OutboxEvent.id).where(OutboxEvent.id.in_(ids), OutboxEvent.status == "dispatched")
                )
            ).all()
        )
    return f"{'outbox events dispatched by the arq worker':<58} {done / elapsed:9.1f} ev/s   ({done}/{count})"


async def main(users: int, requests: int) -> None:
    base = get_settings()
    settings = replace(
        base,
        database_url=base.database_url.rsplit("/", 1)[0] + "/crmgraph_bench",
        queue_name="crmgraph:bench",
        login_rate_per_ip=10**6,
        login_rate_per_email=10**6,
    )
    await asyncio.to_thread(migrate, settings)
    engine = create_engine(settings.database_url)
    try:
        sessionmaker = session_factory(engine)
        email, tenant_id = await seed(sessionmaker, users)
        dsn = settings.database_url.replace("+asyncpg", "")
        with served_app(settings) as server, app_process(raw_app, dsn, tenant_id) as raw:
            token = http("POST", f"{server}/api/auth/login", {"email": email, "password": PASSWORD})["token"]
            auth = {"Authorization": f"Bearer {token}"}
            floor = load("raw asyncpg + json.dumps: users page", f"{raw}/users", requests)
            rest = {
                "REST GET /api/auth/users?pageSize=50 (roles, org names)": "/api/auth/users?pageSize=50&sortField=email",
                "REST GET /api/auth/users?search=user0001 (filter+search)": (
                    f"/api/auth/users?pageSize=50&search=user0001&organizationId={uuid.uuid4()}"
                ),
                "REST GET /api/directory/tenants (compiled JSON)": "/api/directory/tenants?pageSize=50",
            }
            rows = [(floor, None)]
            rows += [
                (load(name, server + path, requests, headers=auth), floor) for name, path in rest.items()
            ]
            graphql = {"url": f"{server}/graphql", "method": "POST", "headers": auth}
            compiled = load(
                "GraphQL orgs→users→roles (compiled)",
                requests=requests // 4,
                body={"query": NESTED},
                **graphql,
            )
            resolved = load(
                "GraphQL orgs→users→roles (resolvers+dataloaders)",
                requests=requests // 4,
                body={"query": NESTED.replace("{", "{ __typename @include(if: true) ", 1)},
                **graphql,
            )
            rows += [(compiled, None), (resolved, compiled)]  # nested: the compiled read is the reference
            write = load(
                "REST POST /api/directory/organizations (write)",
                f"{server}/api/directory/organizations",
                requests // 2,
                method="POST",
                headers=auth,
                body={"name": "org {uuid}"},
            )
            rows.append((write, None))
        print(f"\nplatform benchmark: {users} users, 21 organizations, concurrency 8")
        print(f"{'':<58} {'throughput':>15}  {'latency':>10}  {'':>16} {'vs raw':>8}")
        for figures, baseline in rows:
            print(figures.row(baseline))
        print(await event_delivery(settings, sessionmaker, 500))
        print("ratio = reference req/s ÷ endpoint req/s: REST lists against the raw page, the resolver-path")
        print("GraphQL read against its compiled twin (the nested read returns every user, so no raw row)")
    finally:
        await engine.dispose()
        await drop_database(settings.database_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.requests))
