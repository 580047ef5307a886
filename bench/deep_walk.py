"""Deep GraphQL walk benchmark: customer → deals → policies → resources → service book, 100
customers a page, served by ``crmgraph serve`` (compiled, and forced through the resolvers) beside a
raw aiohttp + asyncpg handler running the hand-written SQL for the same answer (one query per
level, as one would write it). Each runs in its own process; the load generator in another.

Run: ``python -m bench.deep_walk [--customers 300] [--requests 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections import defaultdict
from dataclasses import replace
from typing import Any

import asyncpg
from aiohttp import web

from bench.harness import Figures, app_process, http, load, served_app
from crmgraph.config import Settings, get_settings
from crmgraph.db import drop_database
from crmgraph.setup import migrate, seed_installation

WALK = """{ people(pageSize: 100) { items { id displayName deals(limit: 5) { id title
  policies(limit: 5) { id policyNumber resources(limit: 5) { id name
    serviceBook(limit: 5) { id serviceType } } } } } } }"""


def bench_settings() -> Settings:
    base = get_settings()
    url = base.database_url.rsplit("/", 1)[0] + "/crmgraph_bench_walk"
    return replace(base, database_url=url, queue_name="crmgraph:bench:walk")


def seed_customers(server: str, auth: dict[str, str], customers: int) -> None:
    """Customers with a deal, a policy on it, a vehicle under the policy and a service entry."""

    def create(path: str, body: dict[str, Any]) -> str:
        return http("POST", f"{server}/api{path}", body, headers=auth)["id"]

    insurer = create("/insurance/insurers", {"code": "bench", "name": "Bench Insurance"})
    for i in range(customers):
        person = create("/customers/people", {"firstName": f"Rider{i:04d}", "lastName": "Bench"})
        deal = create("/customers/deals", {"title": f"Cover {i}", "personIds": [person]})
        policy = create(
            "/insurance/policies",
            {"policyNumber": f"B-{i}", "insurerId": insurer, "dealId": deal, "insuredPersonEntityId": person},
        )
        bike = create(
            "/resources/resources",
            {"name": f"Bike {i}", "customerEntityId": person, "insurancePolicyId": policy},
        )
        create(
            "/resources/service-book",
            {
                "entityId": bike,
                "serviceType": "inspection",
                "serviceActivity": "Check",
                "serviceInAt": "2030-01-01T10:00:00.000Z",
            },
        )


def raw_app(dsn: str, tenant_id: str) -> web.Application:
    """The floor: one hand-written query per level (first 100 people by id, up to 5 children each)."""
    app = web.Application()
    tenant = uuid.UUID(tenant_id)

    async def startup(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)

    async def cleanup(app: web.Application) -> None:
        await app["pool"].close()

    async def children(conn: Any, sql: str, keys: list[Any]) -> dict[Any, list[dict[str, Any]]]:
        grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for row in await conn.fetch(sql, keys, tenant):
            grouped[row["key"]].append(
                {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}
            )
        return grouped

    def ranked(columns: str, table: str, key: str, join: str = "") -> str:
        return (
            f"SELECT * FROM (SELECT {columns}, {key} AS key, row_number() OVER (PARTITION BY {key} ORDER BY t.id)"
            f" AS n FROM {table} t {join} WHERE {key} = ANY($1) AND t.tenant_id = $2 AND t.deleted_at IS NULL) x"
            " WHERE n <= 5 ORDER BY key, id"
        )

    async def walk(request: web.Request) -> web.Response:
        async with request.app["pool"].acquire() as conn:
            people = await conn.fetch(
                "SELECT id, display_name FROM customer_entities WHERE tenant_id = $1 AND kind = 'person'"
                " AND deleted_at IS NULL ORDER BY id LIMIT 100",
                tenant,
            )
            deals = await children(
                conn,
                ranked(
                    "t.id, t.title",
                    "customer_deals",
                    "dp.person_entity_id",
                    "JOIN customer_deal_people dp ON dp.deal_id = t.id",
                ),
                [p["id"] for p in people],
            )
            deal_ids = [uuid.UUID(d["id"]) for rows in deals.values() for d in rows]
            policies = await children(
                conn, ranked("t.id, t.policy_number", "insurance_policies", "t.deal_id"), deal_ids
            )
            policy_ids = [uuid.UUID(p["id"]) for rows in policies.values() for p in rows]
            resources = await children(
                conn, ranked("t.id, t.name", "resources", "t.insurance_policy_id"), policy_ids
            )
            resource_ids = [uuid.UUID(r["id"]) for rows in resources.values() for r in rows]
            book = await children(
                conn,
                ranked("t.id, t.service_type", "resource_service_book_entries", "t.resource_id"),
                resource_ids,
            )

        def nest(
            rows: list[dict[str, Any]], fields: dict[str, str], edge: str | None = None, below: Any = None
        ) -> list[dict[str, Any]]:
            out = []
            for row in rows:
                item = {name: row[column] for name, column in fields.items()}
                if edge:
                    item[edge] = below(uuid.UUID(row["id"]))
                out.append(item)
            return out

        def service(resource: uuid.UUID) -> list[dict[str, Any]]:
            return nest(book.get(resource, []), {"id": "id", "serviceType": "service_type"})

        def vehicles(policy: uuid.UUID) -> list[dict[str, Any]]:
            return nest(resources.get(policy, []), {"id": "id", "name": "name"}, "serviceBook", service)

        def covers(deal: uuid.UUID) -> list[dict[str, Any]]:
            fields = {"id": "id", "policyNumber": "policy_number"}
            return nest(policies.get(deal, []), fields, "resources", vehicles)

        def person_deals(person: uuid.UUID) -> list[dict[str, Any]]:
            return nest(deals.get(person, []), {"id": "id", "title": "title"}, "policies", covers)

        items = [
            {"id": str(p["id"]), "displayName": p["display_name"], "deals": person_deals(p["id"])}
            for p in people
        ]
        return web.json_response({"data": {"people": {"items": items}}}, dumps=json.dumps)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/walk", walk)
    app.router.add_get("/healthz", healthz)
    return app


async def main(customers: int, requests: int, concurrency: int) -> None:
    settings = bench_settings()
    await drop_database(settings.database_url)
    await asyncio.to_thread(migrate, settings)
    await seed_installation(settings, demo=False)
    dsn = settings.database_url.replace("+asyncpg", "")
    try:
        with served_app(settings) as server:
            login = {"email": settings.admin_email, "password": settings.admin_password}
            token = http("POST", f"{server}/api/auth/login", login)["token"]
            auth = {"Authorization": f"Bearer {token}"}
            started = time.perf_counter()
            seed_customers(server, auth, customers)
            seeded = time.perf_counter() - started
            conn = await asyncpg.connect(dsn)
            try:
                tenant = str(
                    await conn.fetchval("SELECT tenant_id FROM users WHERE email = $1", login["email"])
                )
            finally:
                await conn.close()
            answer = http("POST", f"{server}/graphql", {"query": WALK}, headers=auth)
            assert "errors" not in answer, answer
            with app_process(raw_app, dsn, tenant) as raw:
                floor = http("GET", f"{raw}/walk")
                assert floor == answer, "the raw handler must give the served answer"
                graphql = {
                    "url": f"{server}/graphql",
                    "method": "POST",
                    "headers": auth,
                    "concurrency": concurrency,
                }
                raw_figures = load(
                    "raw asyncpg: 5 hand-written queries", f"{raw}/walk", requests, concurrency
                )
                compiled = load(
                    "GraphQL walk, compiled (one SQL)", requests=requests, body={"query": WALK}, **graphql
                )
                resolved = load(
                    "  same, resolvers + dataloaders",
                    requests=max(20, requests // 4),
                    body={"query": WALK.replace("{", "{ __typename @include(if: true) ", 1)},
                    **graphql,
                )
        rows: list[tuple[Figures, Figures | None]] = [
            (raw_figures, None),
            (compiled, raw_figures),
            (resolved, raw_figures),
        ]
        print(
            f"\ndeep walk: 100 of {customers} customers × deal × policy × vehicle × service entry"
            f" (seeded through the API in {seeded:.1f} s); concurrency {concurrency}"
        )
        for figures, baseline in rows:
            print(figures.row(baseline))
        print(
            "ratio = raw req/s ÷ endpoint req/s (1.0x is the floor); the app also authenticates every request"
        )
    finally:
        await drop_database(settings.database_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.customers, args.requests, args.concurrency))
