"""Served benchmark: ``crmgraph serve --workers N`` and the raw aiohttp + asyncpg floor
(``bench.raw_server``, as many processes) each run as their own processes against a scratch database,
driven by a separate load generator (``wrk`` when installed, else ``bench.loadgen``). Every row prints
the served and raw req/s from the same run and their ratio.

Run: ``python -m bench.served [--people 100000] [--seconds 5] [--connections 4] [--workers N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import time
import uuid
from dataclasses import dataclass

import asyncpg

from bench.customers import EMAIL, PASSWORD, seed_rows, seed_scope
from bench.harness import drop_scratch, http, plain_dsn, scratch_settings, served_and_raw, side_by_side
from crmgraph.config import Settings
from crmgraph.db import engine_for, session_factory
from crmgraph.setup import migrate

TAGS = 20


@dataclass
class Row:
    name: str
    served_path: str
    served_headers: dict[str, str]
    raw_path: str
    raw_label: str


async def seed(settings: Settings, people: int) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant with ``people`` people and ``TAGS`` tags, its super admin; returns (tenant, admin)."""
    async with engine_for(settings.database_url) as engine:
        tenant_id, orgs, pipeline = await seed_scope(session_factory(engine))
    dsn = plain_dsn(settings)
    await seed_rows(dsn, tenant_id, orgs, pipeline, people, deals=1)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany(
            "INSERT INTO customer_tags (id, tenant_id, organization_id, slug, label, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $4, now(), now())",
            [(uuid.uuid4(), tenant_id, orgs[0], f"tag-{i:02d}") for i in range(TAGS)],
        )
        admin = await conn.fetchval("SELECT id FROM users WHERE email = $1", EMAIL)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return tenant_id, admin


def credentials(base: str) -> tuple[str, str]:
    """A JWT (login) and an API key (created through the API) for the bench admin."""
    token = http("POST", f"{base}/api/auth/login", {"email": EMAIL, "password": PASSWORD})["token"]
    key = http(
        "POST",
        f"{base}/api/api_keys/keys",
        {"name": "bench", "roles": ["superadmin"]},
        {"Authorization": f"Bearer {token}"},
    )["secret"]
    return token, key


def rows(token: str, key: str) -> list[Row]:
    jwt, api_key = {"Authorization": f"Bearer {token}"}, {"X-Api-Key": key}
    return [
        Row("GET /healthz, no credentials", "/healthz", {}, "/healthz", "json only"),
        Row("GET /healthz with a JWT (authentication runs)", "/healthz", jwt, "/one-select", "one SELECT"),
        Row(
            "GET /api/customers/tags?pageSize=5, JWT",
            "/api/customers/tags?pageSize=5",
            jwt,
            "/tags",
            "page + count",
        ),
        Row(
            "GET /api/customers/tags?pageSize=5, API key",
            "/api/customers/tags?pageSize=5",
            api_key,
            "/tags",
            "page + count",
        ),
        Row(
            "GET /api/customers/people?pageSize=50, JWT",
            "/api/customers/people?pageSize=50",
            jwt,
            "/people",
            "page + count",
        ),
    ]


def main(people: int, seconds: float, connections: int, workers: int) -> None:
    settings = scratch_settings("served")
    migrate(settings)
    try:
        started = time.perf_counter()
        tenant_id, admin = asyncio.run(seed(settings, people))
        print(f"seeded {people} people and {TAGS} tags in {time.perf_counter() - started:.1f} s", flush=True)
        with served_and_raw(settings, workers, "customers", tenant_id, user=admin) as (served, raw):
            token, key = credentials(served)
            results = []
            for row in rows(token, key):
                mine, floor = side_by_side(
                    served + row.served_path, row.served_headers, raw + row.raw_path, seconds, connections
                )
                results.append((row, mine, floor))
                print(f"  {row.name}: {mine:.0f} vs {floor:.0f} req/s", flush=True)
        tool = "wrk" if shutil.which("wrk") else "bench.loadgen"
        print(
            f"\nserved benchmark: {people} people, `crmgraph serve --workers {workers}` vs raw aiohttp + asyncpg"
            f" ({workers} processes), {tool} with {connections} connections, {seconds:g} s per target and side in alternating slices"
        )
        print(f"{'':<50} {'served':>9} {'raw':>9}  {'served/raw':>10}  raw does")
        for row, mine, floor in results:
            print(f"{row.name:<50} {mine:9.0f} {floor:9.0f}  {mine / floor:9.2f}x  {row.raw_label}")
    finally:
        asyncio.run(drop_scratch(settings))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument(
        "--seconds", type=float, default=6, help="per target and side, in 3 alternating slices"
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    main(args.people, args.seconds, args.connections, args.workers)
