"""The floor the served benchmark compares against: hand-written aiohttp + asyncpg handlers running
the same SQL as the served reads, with no ORM, no authentication and no row-level security.

Run by ``bench.served`` as its own processes: ``python -m bench.raw_server --port P --dsn D --tenant T
--user U`` (several processes share the port through SO_REUSEPORT).
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from aiohttp import web

TAG_COLUMNS = "id, slug, label, color, description, organization_id, tenant_id, created_at, updated_at"
PERSON_COLUMNS = (
    "id, display_name, description, owner_user_id, primary_email, primary_phone, status, lifecycle_stage,"
    " source, is_active, crm_record_type, custom_fields, organization_id, tenant_id, created_at, updated_at,"
    " first_name, last_name, company_entity_id"
)
PEOPLE_WHERE = "kind = 'person' AND tenant_id = $1 AND deleted_at IS NULL"


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


async def page_and_count(pool: asyncpg.Pool, page_sql: str, count_sql: str, *args: Any) -> dict[str, Any]:
    """What one writes by hand: the page and the exact total as two plain statements."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(page_sql, *args)
        total = await conn.fetchval(count_sql, *args)
    items = [{k: _jsonable(v) for k, v in r.items()} for r in rows]
    return {"items": items, "total": total, "page": 1, "pageSize": len(items)}


def raw_app(dsn: str, tenant_id: uuid.UUID, user_id: uuid.UUID) -> web.Application:
    app = web.Application()

    async def startup(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)

    async def cleanup(app: web.Application) -> None:
        await app["pool"].close()

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def one_select(request: web.Request) -> web.Response:
        # The least an authenticated request costs: one indexed SELECT of the caller's row.
        email = await request.app["pool"].fetchval("SELECT email FROM users WHERE id = $1", user_id)
        return web.json_response({"ok": email is not None})

    async def tags(request: web.Request) -> web.Response:
        where = "tenant_id = $1 AND deleted_at IS NULL"
        body = await page_and_count(
            request.app["pool"],
            f"SELECT {TAG_COLUMNS} FROM customer_tags WHERE {where} ORDER BY label, id LIMIT 5",
            f"SELECT count(*) FROM customer_tags WHERE {where}",
            tenant_id,
        )
        return web.json_response(body, dumps=json.dumps)

    async def people(request: web.Request) -> web.Response:
        body = await page_and_count(
            request.app["pool"],
            f"SELECT {PERSON_COLUMNS} FROM customer_entities WHERE {PEOPLE_WHERE}"
            " ORDER BY created_at, id LIMIT 50",
            f"SELECT count(*) FROM customer_entities WHERE {PEOPLE_WHERE}",
            tenant_id,
        )
        return web.json_response(body, dumps=json.dumps)

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/one-select", one_select)
    app.router.add_get("/tags", tags)
    app.router.add_get("/people", people)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--tenant", type=uuid.UUID, required=True)
    parser.add_argument("--user", type=uuid.UUID, required=True)
    args = parser.parse_args()
    web.run_app(
        raw_app(args.dsn, args.tenant, args.user),
        host="127.0.0.1",
        port=args.port,
        reuse_port=True,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
