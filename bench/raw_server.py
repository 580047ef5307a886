"""The floor the served benchmarks compare against: hand-written aiohttp + asyncpg handlers running
the same SQL as the served operations, with no ORM, no authentication and no row-level security.

Run by the benchmarks as their own processes: ``python -m bench.raw_server APP --port P --dsn D
--tenant T [--user U] [--org O]`` (several processes share the port through SO_REUSEPORT). ``APP``:

``customers`` (``bench.served``)
    ``/one-select``: the caller's row; ``/tags``, ``/people``: a page and the exact total.
``search`` (``bench.search``)
    ``/search/fulltext?q=&limit=``: the full-text strategy's statement (``tsvector`` prefix match or
    ``pg_trgm`` word similarity on the title, ranked by ``ts_rank_cd + word_similarity``) over the
    tenant's ``search_documents``, ranking as many candidates as the served search does; titles come
    from the index rows (the served search reads the records back instead).
    ``/search/vector?q=&limit=``: the query embedded by the same model (in a thread), ranked by cosine
    against the tenant's vectors, loaded once at startup into one numpy matrix (no per-request
    freshness check); scored in a thread above the strategy's own threshold.
``sales`` (``bench.sales``)
    ``POST /orders``: the order number from the counter upsert ``resolvers.sequences`` runs, the order
    inserted. ``POST /order-lines``: one transaction inserting the line (next line number, its
    amounts in SQL) and recomputing the order's totals with one ``UPDATE ... FROM (SELECT sum(...))``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import numpy as np
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
    if isinstance(value, Decimal):
        return str(value)
    return value


def _record(row: asyncpg.Record) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in row.items()}


async def page_and_count(pool: asyncpg.Pool, page_sql: str, count_sql: str, *args: Any) -> dict[str, Any]:
    """What one writes by hand: the page and the exact total as two plain statements."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(page_sql, *args)
        total = await conn.fetchval(count_sql, *args)
    items = [_record(r) for r in rows]
    return {"items": items, "total": total, "page": 1, "pageSize": len(items)}


Startup = Callable[[web.Application], Awaitable[None]]


def pooled_app(dsn: str, routes: list[web.RouteDef], startup: Startup | None = None) -> web.Application:
    """An app with an asyncpg pool (``app["pool"]``), ``GET /healthz`` and ``routes``; ``startup``
    runs once the pool is open (the app answers only after it)."""
    app = web.Application()

    async def open_pool(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        if startup is not None:
            await startup(app)

    async def close_pool(app: web.Application) -> None:
        await app["pool"].close()

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "pid": os.getpid()})

    app.on_startup.append(open_pool)
    app.on_cleanup.append(close_pool)
    app.add_routes([web.get("/healthz", healthz), *routes])
    return app


# --- customers ----------------------------------------------------------------------------------


def customers_app(dsn: str, tenant_id: uuid.UUID, user_id: uuid.UUID, org_id: uuid.UUID) -> web.Application:
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

    routes = [web.get("/one-select", one_select), web.get("/tags", tags), web.get("/people", people)]
    return pooled_app(dsn, routes)


# --- search -------------------------------------------------------------------------------------

FULLTEXT_SQL = """
SELECT entity_type, record_id, title, ts_rank_cd(search_vector, query) + word_similarity($2, title) AS score
FROM search_documents, to_tsquery('simple'::regconfig, $3) AS query
WHERE tenant_id = $1 AND (search_vector @@ query OR title %> $2)
ORDER BY score DESC, record_id
LIMIT $4
"""


def _hits(rows: list[tuple[str, uuid.UUID, str, float]], source: str, limit: int) -> dict[str, Any]:
    """The served search's answer shape."""
    results = [
        {"entityId": kind, "recordId": str(record), "score": float(score), "source": source, "title": title}
        for kind, record, title, score in rows[:limit]
    ]
    return {"results": results, "strategiesUsed": [source]}


def search_app(dsn: str, tenant_id: uuid.UUID, user_id: uuid.UUID, org_id: uuid.UUID) -> web.Application:
    from resolvers.search import embeddings
    from resolvers.search.documents import words
    from resolvers.search.service import CANDIDATES
    from resolvers.search.strategies.postgres import MAX_QUERY_WORDS, prefix_tsquery
    from resolvers.search.strategies.vector import THREADED_ABOVE

    async def load_vectors(app: web.Application) -> None:
        rows = await app["pool"].fetch(
            "SELECT entity_type, record_id, title, embedding FROM search_documents"
            " WHERE tenant_id = $1 AND embedding IS NOT NULL ORDER BY revision",
            tenant_id,
        )
        app["matrix"] = np.stack([embeddings.from_bytes(r["embedding"]) for r in rows])
        app["rows"] = [(r["entity_type"], r["record_id"], r["title"]) for r in rows]
        await embeddings.encode(["warm"])  # the model is loaded before the first request

    def limit_of(request: web.Request) -> int:
        return max(1, min(int(request.query.get("limit", "50")), 100))

    async def fulltext(request: web.Request) -> web.Response:
        text, limit = request.query["q"], limit_of(request)
        tsquery = prefix_tsquery(text)
        rows = []
        if tsquery is not None:
            phrase = " ".join(words(text)[:MAX_QUERY_WORDS])
            rows = await request.app["pool"].fetch(
                FULLTEXT_SQL, tenant_id, phrase, tsquery, limit * CANDIDATES
            )
        return web.json_response(_hits([tuple(r) for r in rows], "fulltext", limit))

    def top(matrix: np.ndarray, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        scores = matrix @ query
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best]

    async def vector(request: web.Request) -> web.Response:
        text, limit = request.query["q"], limit_of(request)
        matrix, rows = request.app["matrix"], request.app["rows"]
        query = (await embeddings.encode([text]))[0]
        k = min(limit * CANDIDATES, len(rows))
        if len(rows) > THREADED_ABOVE:
            best = await asyncio.to_thread(top, matrix, query, k)
        else:
            best = top(matrix, query, k)
        return web.json_response(_hits([(*rows[i], score) for i, score in best], "vector", limit))

    routes = [web.get("/search/fulltext", fulltext), web.get("/search/vector", vector)]
    return pooled_app(dsn, routes, load_vectors)


# --- sales --------------------------------------------------------------------------------------

NEXT_NUMBER_SQL = """
INSERT INTO sales_document_sequences (id, tenant_id, organization_id, kind, last_value)
VALUES ($1, $2, $3, 'order', 1)
ON CONFLICT ON CONSTRAINT uq_sales_document_sequences_kind
DO UPDATE SET last_value = sales_document_sequences.last_value + 1
RETURNING last_value
"""
INSERT_ORDER_SQL = """
INSERT INTO sales_orders (id, tenant_id, organization_id, order_number, currency_code)
VALUES ($1, $2, $3, $4, $5)
RETURNING *
"""
INSERT_LINE_SQL = """
INSERT INTO sales_order_lines (
    id, tenant_id, organization_id, order_id, line_number, name, quantity, normalized_quantity,
    currency_code, unit_price_net, unit_price_gross, tax_rate, tax_amount, total_net_amount,
    total_gross_amount
)
SELECT $1, o.tenant_id, o.organization_id, o.id,
    coalesce((SELECT max(line_number) FROM sales_order_lines WHERE order_id = o.id), 0) + 1,
    $3, v.quantity, v.quantity, o.currency_code, v.net, round(v.net * (1 + v.rate / 100), 2), v.rate,
    round(v.quantity * v.net * v.rate / 100, 2), round(v.quantity * v.net, 2),
    round(v.quantity * v.net, 2) + round(v.quantity * v.net * v.rate / 100, 2)
FROM sales_orders o, (SELECT $4::numeric AS quantity, $5::numeric AS net, $6::numeric AS rate) v
WHERE o.id = $2 AND o.tenant_id = $7
RETURNING *
"""
RECALCULATE_SQL = """
UPDATE sales_orders o SET
    line_item_count = s.lines,
    subtotal_net_amount = s.net, subtotal_gross_amount = s.gross, tax_total_amount = s.tax,
    grand_total_net_amount = s.net, grand_total_gross_amount = s.gross,
    outstanding_amount = s.gross - o.paid_total_amount + o.refunded_total_amount,
    updated_at = now()
FROM (
    SELECT count(*) AS lines, coalesce(sum(total_net_amount), 0) AS net,
        coalesce(sum(total_gross_amount), 0) AS gross, coalesce(sum(tax_amount), 0) AS tax
    FROM sales_order_lines WHERE order_id = $1
) s
WHERE o.id = $1
"""


def sales_app(dsn: str, tenant_id: uuid.UUID, user_id: uuid.UUID, org_id: uuid.UUID) -> web.Application:
    async def create_order(request: web.Request) -> web.Response:
        body = await request.json()
        async with request.app["pool"].acquire() as conn, conn.transaction():
            sequence = await conn.fetchval(NEXT_NUMBER_SQL, uuid.uuid4(), tenant_id, org_id)
            number = f"SO-{datetime.now():%Y}-{sequence:05d}"
            order = await conn.fetchrow(
                INSERT_ORDER_SQL, uuid.uuid4(), tenant_id, org_id, number, body["currencyCode"]
            )
        return web.json_response(_record(order), status=201)

    async def create_line(request: web.Request) -> web.Response:
        body = await request.json()
        order_id = uuid.UUID(body["orderId"])
        async with request.app["pool"].acquire() as conn, conn.transaction():
            line = await conn.fetchrow(
                INSERT_LINE_SQL,
                uuid.uuid4(),
                order_id,
                body["name"],
                Decimal(body["quantity"]),
                Decimal(body["unitPriceNet"]),
                Decimal(body["taxRate"]),
                tenant_id,
            )
            if line is None:
                raise web.HTTPNotFound()
            await conn.execute(RECALCULATE_SQL, order_id)
        return web.json_response(_record(line), status=201)

    routes = [web.post("/orders", create_order), web.post("/order-lines", create_line)]
    return pooled_app(dsn, routes)


APPS = {"customers": customers_app, "search": search_app, "sales": sales_app}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--tenant", type=uuid.UUID, required=True)
    parser.add_argument("--user", type=uuid.UUID)
    parser.add_argument("--org", type=uuid.UUID)
    args = parser.parse_args()
    web.run_app(
        APPS[args.app](args.dsn, args.tenant, args.user, args.org),
        host="127.0.0.1",
        port=args.port,
        reuse_port=True,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
