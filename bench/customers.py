"""Customers benchmark (not a test): seed people, companies and deals, then measure the REST people
list with a filter and a search and the nested GraphQL read people → company → deals → stage →
pipeline, each beside a raw asyncpg + json.dumps handler doing the same read. The app runs as
``crmgraph serve``, the raw handler and the load generator as their own processes.

Run: ``python -m bench.customers`` (100k people, 300k deals; a few minutes), or ``--small`` for 10k/30k.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiohttp import web

from bench.harness import Figures, app_process, http, load, served_app
from crmgraph.config import Settings, get_settings
from crmgraph.db import create_engine, drop_database, session_factory
from crmgraph.security import hash_password
from crmgraph.seed import ensure_org, ensure_role
from crmgraph.setup import migrate
from models.auth import User, UserRole
from models.customers import Pipeline, PipelineStage
from models.directory import Tenant

PASSWORD = "bench-pass"
EMAIL = "customers-bench@example.com"
FIRST = ["Anna", "Piotr", "Maria", "Jan", "Ewa", "Tomasz", "Kasia", "Marek", "Ola", "Adam", "Zofia", "Pawel"]
LAST = [
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Wojcik",
    "Kowalczyk",
    "Kaminski",
    "Lewandowski",
    "Zielinski",
    "Szymanski",
    "Wozniak",
    "Dabrowski",
    "Kozlowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
]
STATUSES = ["active", "active", "inactive", "lead"]
SEARCH = "kowal"  # matches Kowalski, Kowalczyk: about an eighth of the people
REST_URL = f"/api/customers/people?pageSize=50&status=active&search={SEARCH}"
NESTED = (
    '{ people(pageSize: 50, search: "' + SEARCH + '", filter: {status: "active"}) { items { id displayName'
    " company { id displayName deals { id title valueAmount stage { id label pipeline { id name } } } } } } }"
)
PERSON_COLUMNS = (
    "id",
    "display_name",
    "description",
    "owner_user_id",
    "primary_email",
    "primary_phone",
    "status",
    "lifecycle_stage",
    "source",
    "is_active",
    "crm_record_type",
    "referral_code",
    "custom_fields",
    "next_interaction_at",
    "next_interaction_name",
    "next_interaction_ref_id",
    "next_interaction_icon",
    "next_interaction_color",
    "organization_id",
    "tenant_id",
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "company_entity_id",
    "preferred_name",
    "job_title",
    "department",
    "seniority",
    "timezone",
    "linked_in_url",
    "twitter_url",
    "residence_street",
    "residence_postal_code",
    "residence_city",
    "pesel",
)


async def seed_scope(
    sessionmaker: Any,
) -> tuple[uuid.UUID, list[uuid.UUID], tuple[uuid.UUID, list[uuid.UUID]]]:
    """A tenant with an organization tree, a super admin, and one pipeline with five stages."""
    async with sessionmaker() as session:
        tenant = Tenant(id=uuid.uuid4(), name="Customers bench", is_active=True)
        session.add(tenant)
        await session.flush()
        root = await ensure_org(session, tenant, "HQ", None)
        await session.flush()
        orgs = [root, *[await ensure_org(session, tenant, f"Branch {i}", root) for i in range(4)]]
        role = await ensure_role(session, tenant, "superadmin", ["*"], super_admin=True)
        admin = User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            organization_id=root.id,
            email=EMAIL,
            password_hash=hash_password(PASSWORD),
        )
        session.add(admin)
        await session.flush()
        session.add(UserRole(user_id=admin.id, role_id=role.id))
        pipeline = Pipeline(
            id=uuid.uuid4(), name="Sales", is_default=True, tenant_id=tenant.id, organization_id=root.id
        )
        session.add(pipeline)
        await session.flush()
        stages = [
            PipelineStage(
                id=uuid.uuid4(),
                pipeline_id=pipeline.id,
                label=label,
                order=i,
                tenant_id=tenant.id,
                organization_id=root.id,
            )
            for i, label in enumerate(["New", "Qualified", "Proposal", "Won", "Lost"])
        ]
        session.add_all(stages)
        await session.commit()
        return tenant.id, [o.id for o in orgs], (pipeline.id, [s.id for s in stages])


async def seed_rows(
    dsn: str,
    tenant_id: uuid.UUID,
    orgs: list[uuid.UUID],
    pipeline: tuple[uuid.UUID, list[uuid.UUID]],
    people: int,
    deals: int,
) -> None:
    """Bulk-load companies, people and deals (with their people/company links) with COPY."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    pipeline_id, stage_ids = pipeline
    stage_labels = ["New", "Qualified", "Proposal", "Won", "Lost"]
    company_ids = [uuid.uuid4() for _ in range(max(1, people // 10))]
    company_org = {c: orgs[i % len(orgs)] for i, c in enumerate(company_ids)}
    entity_columns = [
        "id",
        "kind",
        "display_name",
        "first_name",
        "last_name",
        "primary_email",
        "primary_phone",
        "status",
        "lifecycle_stage",
        "source",
        "company_entity_id",
        "tenant_id",
        "organization_id",
        "is_active",
        "crm_record_type",
        "custom_fields",
        "created_at",
        "updated_at",
    ]
    companies = [
        (
            c,
            "company",
            f"{rng.choice(LAST)} {i} sp. z o.o.",
            None,
            None,
            f"office@company{i}.example",
            None,
            "active",
            "customer",
            "web",
            None,
            tenant_id,
            company_org[c],
            True,
            "customer",
            "{}",
            now - timedelta(days=i % 900),
            now,
        )
        for i, c in enumerate(company_ids)
    ]
    person_ids, person_company, rows = [], {}, []
    for i in range(people):
        pid, first, last = uuid.uuid4(), rng.choice(FIRST), rng.choice(LAST)
        company = company_ids[i % len(company_ids)]
        person_ids.append(pid)
        person_company[pid] = company
        rows.append(
            (
                pid,
                "person",
                f"{first} {last}",
                first,
                last,
                f"{first}.{last}{i}@mail.example".lower(),
                f"+48 600 {i:06d}",
                rng.choice(STATUSES),
                rng.choice(["lead", "customer"]),
                rng.choice(["web", "referral", "fair"]),
                company,
                tenant_id,
                company_org[company],
                True,
                "customer",
                "{}",
                now - timedelta(minutes=i),
                now,
            )
        )
    deal_rows, deal_people, deal_companies = [], [], []
    for i in range(deals):
        did, person = uuid.uuid4(), person_ids[i % len(person_ids)]
        stage = i % len(stage_ids)
        deal_rows.append(
            (
                did,
                f"Deal {i}",
                "open",
                stage_labels[stage],
                pipeline_id,
                stage_ids[stage],
                float(rng.randint(1, 500) * 100),
                "PLN",
                tenant_id,
                company_org[person_company[person]],
                "{}",
                now - timedelta(minutes=i),
                now,
            )
        )
        deal_people.append((did, person))
        deal_companies.append((did, person_company[person]))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "customer_entities", records=companies + rows, columns=entity_columns
        )
        await conn.copy_records_to_table(
            "customer_deals",
            records=deal_rows,
            columns=[
                "id",
                "title",
                "status",
                "pipeline_stage",
                "pipeline_id",
                "pipeline_stage_id",
                "value_amount",
                "value_currency",
                "tenant_id",
                "organization_id",
                "custom_fields",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "customer_deal_people", records=deal_people, columns=["deal_id", "person_entity_id"]
        )
        await conn.copy_records_to_table(
            "customer_deal_companies", records=deal_companies, columns=["deal_id", "company_entity_id"]
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)
    return value


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def raw_app(dsn: str, tenant_id: uuid.UUID, orgs: list[uuid.UUID]) -> web.Application:
    """The floor: hand-written asyncpg queries for the same two reads, encoded with json.dumps."""
    app = web.Application()
    where = (
        "kind = 'person' AND tenant_id = $1 AND organization_id = ANY($2) AND deleted_at IS NULL"
        " AND status = 'active' AND (display_name ILIKE $3 OR primary_email ILIKE $3)"
    )

    async def startup(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)

    async def cleanup(app: web.Application) -> None:
        await app["pool"].close()

    async def people(request: web.Request) -> web.Response:
        # What one would write by hand: the page and the total as two plain statements.
        args = (tenant_id, orgs, f"%{SEARCH}%")
        async with request.app["pool"].acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {', '.join(PERSON_COLUMNS)} FROM customer_entities"
                f" WHERE {where} ORDER BY id LIMIT 50",
                *args,
            )
            total = await conn.fetchval(f"SELECT count(*) FROM customer_entities WHERE {where}", *args)
        items = [{k: _jsonable(v) for k, v in dict(r).items()} for r in rows]
        return web.json_response(
            {"items": items, "total": total, "page": 1, "pageSize": 50, "totalPages": -(-total // 50)},
            dumps=json.dumps,
        )

    async def nested(request: web.Request) -> web.Response:
        pool = request.app["pool"]
        people_rows = await pool.fetch(
            "SELECT id, display_name, company_entity_id FROM customer_entities"
            f" WHERE {where} ORDER BY id LIMIT 50",
            tenant_id,
            orgs,
            f"%{SEARCH}%",
        )
        company_ids = list({r["company_entity_id"] for r in people_rows if r["company_entity_id"]})
        companies = {
            r["id"]: r
            for r in await pool.fetch(
                "SELECT id, display_name FROM customer_entities WHERE id = ANY($1) AND deleted_at IS NULL",
                company_ids,
            )
        }
        deals: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for r in await pool.fetch(
            "SELECT dc.company_entity_id, d.id, d.title, d.value_amount, s.id AS stage_id, s.label,"
            " p.id AS pid, p.name FROM customer_deal_companies dc JOIN customer_deals d ON d.id = dc.deal_id"
            " LEFT JOIN customer_pipeline_stages s ON s.id = d.pipeline_stage_id"
            " LEFT JOIN customer_pipelines p ON p.id = s.pipeline_id"
            " WHERE dc.company_entity_id = ANY($1) AND d.deleted_at IS NULL ORDER BY d.id",
            company_ids,
        ):
            deals.setdefault(r["company_entity_id"], []).append(
                {
                    "id": str(r["id"]),
                    "title": r["title"],
                    "valueAmount": float(r["value_amount"]),
                    "stage": {
                        "id": str(r["stage_id"]),
                        "label": r["label"],
                        "pipeline": {"id": str(r["pid"]), "name": r["name"]},
                    },
                }
            )
        items = [
            {
                "id": str(p["id"]),
                "displayName": p["display_name"],
                "company": {
                    "id": str(p["company_entity_id"]),
                    "displayName": companies[p["company_entity_id"]]["display_name"],
                    "deals": deals.get(p["company_entity_id"], []),
                },
            }
            for p in people_rows
        ]
        return web.json_response({"data": {"people": {"items": items}}}, dumps=json.dumps)

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/people", people)
    app.router.add_get("/nested", nested)
    app.router.add_get("/healthz", healthz)
    return app


def bench_settings() -> Settings:
    base = get_settings()
    return replace(
        base,
        database_url=base.database_url.rsplit("/", 1)[0] + "/crmgraph_bench_customers",
        queue_name="crmgraph:bench:customers",
        login_rate_per_ip=10**6,
        login_rate_per_email=10**6,
    )


async def main(people: int, deals: int, requests: int, concurrency: int) -> None:
    settings = bench_settings()
    await drop_database(settings.database_url)
    await asyncio.to_thread(migrate, settings)
    engine = create_engine(settings.database_url)
    dsn = settings.database_url.replace("+asyncpg", "")
    try:
        started = time.perf_counter()
        tenant_id, orgs, pipeline = await seed_scope(session_factory(engine))
        await seed_rows(dsn, tenant_id, orgs, pipeline, people, deals)
        seeded = time.perf_counter() - started
        with served_app(settings) as server, app_process(raw_app, dsn, tenant_id, orgs) as raw:
            token = http("POST", f"{server}/api/auth/login", {"email": EMAIL, "password": PASSWORD})["token"]
            auth = {"Authorization": f"Bearer {token}"}
            total = http("GET", server + REST_URL, headers=auth)["total"]
            graphql = {
                "url": f"{server}/graphql",
                "method": "POST",
                "headers": auth,
                "concurrency": concurrency,
            }
            rest_floor = load(
                "raw asyncpg + json.dumps: people page + count", f"{raw}/people", requests, concurrency
            )
            rest = load(f"REST GET {REST_URL}", server + REST_URL, requests, concurrency, headers=auth)
            nested_floor = load(
                "raw asyncpg + json.dumps: nested read (3 queries)",
                f"{raw}/nested",
                requests // 4,
                concurrency,
            )
            compiled = load(
                "GraphQL people→company→deals→stage→pipeline",
                requests=requests // 4,
                body={"query": NESTED},
                **graphql,
            )
            # The general executor resolves ~1,500 deals field by field: far slower, so fewer requests.
            resolved = load(
                "  same, forced through resolvers + dataloaders",
                requests=max(20, requests // 10),
                body={"query": NESTED.replace("{", "{ __typename @include(if: true) ", 1)},
                **graphql,
            )
        rows: list[tuple[Figures, Figures | None]] = [
            (rest_floor, None),
            (rest, rest_floor),
            (nested_floor, None),
            (compiled, nested_floor),
            (resolved, nested_floor),
        ]
        print(
            f"\ncustomers benchmark: {people} people, {people // 10} companies, {deals} deals "
            f"(seeded in {seeded:.1f} s); the filtered search matches {total} people;"
            f" concurrency {concurrency}"
        )
        print(f"{'':<58} {'throughput':>15}  {'latency':>10}  {'':>16} {'vs raw':>8}")
        for figures, baseline in rows:
            print(figures.row(baseline))
        print(
            "ratio = raw req/s ÷ endpoint req/s (1.0x is the floor); the app also authenticates every request"
        )
    finally:
        await engine.dispose()
        await drop_database(settings.database_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--deals", type=int, default=300_000)
    parser.add_argument("--small", action="store_true", help="10k people and 30k deals")
    parser.add_argument(
        "--requests", type=int, default=200, help="REST requests per target (GraphQL: a quarter)"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    people, deals = (10_000, 30_000) if args.small else (args.people, args.deals)
    asyncio.run(main(people, deals, args.requests, args.concurrency))
