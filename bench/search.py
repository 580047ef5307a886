"""Search latency at scale: p50/p99 of ``GET /api/search/search`` for full-text and for vector search
over 100k indexed records, ``crmgraph serve --workers N`` in its own process against a scratch
database, beside the raw floor (``bench.raw_server search``, as many processes: the full-text
strategy's statement over the tenant's documents, and cosine ranking over the tenant's vectors loaded
once at startup into numpy; see its docstring), both measured in the same run from a separate
load-generator process (``bench.loadgen``: keep-alive connections, latency percentiles; any non-2xx
answer fails the run). Each query is measured on the served side, then on the raw side; the ratio is
served req/s ÷ raw req/s. The fused search (all three strategies) has no raw counterpart.

The records are real people (``bench.customers.seed_rows``: COPY), each given one of a few hundred
descriptions; their index documents are built by the indexer's own ``document()`` and loaded with
COPY. Embeddings: the model embeds each distinct description once and a document takes its
description's vector (``--embed-all`` embeds every document's own text instead: the real indexing
cost, several minutes on two cores). Queries rotate through a set of words/phrases so no answer is
cached anywhere.

Run: ``python -m bench.search [--records 100000] [--seconds 8] [--connections 4] [--workers N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from urllib.parse import quote

import asyncpg
from sqlalchemy import select

from bench.customers import EMAIL, PASSWORD, seed_rows, seed_scope
from bench.harness import drop_scratch, http, loadgen, plain_dsn, scratch_settings, served_and_raw
from crmgraph.config import Settings
from crmgraph.db import engine_for, session_factory
from crmgraph.modules import load_resolvers
from crmgraph.setup import migrate

SUBJECTS = [
    "vintage motorcycles",
    "touring bikes",
    "track days",
    "off-road enduro",
    "classic scooters",
    "sidecar rigs",
    "cafe racers",
    "electric motorbikes",
    "custom choppers",
    "sport bikes",
]
NEEDS = [
    "winter storage",
    "engine rebuild",
    "insurance renewal",
    "tyre change",
    "paint restoration",
    "chain and sprocket service",
    "roadside assistance",
    "bike transport",
    "brake overhaul",
    "electrical diagnosis",
    "suspension setup",
    "warranty claim",
    "valve clearance check",
    "carburettor tuning",
    "battery replacement",
    "detailing and polish",
    "frame straightening",
    "exhaust upgrade",
    "track preparation",
    "pre-purchase inspection",
]
DESCRIPTIONS = [f"Rides {s}; asks about {n}." for s in SUBJECTS for n in NEEDS]  # 200 descriptions
FULLTEXT_QUERIES = ["kowalski", "anna", "nowak", "wisniewska", "piotr", "zielinski", "mail", "kaminska"]
VECTOR_QUERIES = [
    "keeping my bike safe over the cold months",
    "fix the carburetor",
    "old british motorcycle",
    "my scooter will not start",
    "cover for an accident",
    "repaint the tank",
    "ship the motorcycle abroad",
    "new tyres before summer",
]


async def seed(settings: Settings, records: int, embed_all: bool) -> uuid.UUID:
    """``records`` people with descriptions, and their index documents (full-text, tokens, vectors);
    returns the tenant."""
    load_resolvers()
    from resolvers.entity import ENTITIES
    from resolvers.search import embeddings
    from resolvers.search.documents import document

    person = ENTITIES["person"]
    async with engine_for(settings.database_url) as engine:
        tenant_id, orgs, pipeline = await seed_scope(session_factory(engine))
    dsn = plain_dsn(settings)
    await seed_rows(dsn, tenant_id, orgs, pipeline, records, deals=0)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE customer_entities SET description = ($1::text[])[1 + abs(hashtext(id::text)) % $2]"
            " WHERE tenant_id = $3 AND kind = 'person'",
            DESCRIPTIONS,
            len(DESCRIPTIONS),
            tenant_id,
        )
    finally:
        await conn.close()
    async with engine_for(settings.database_url) as engine, session_factory(engine)() as session:
        rows = (
            await session.execute(select(person.model).where(person.model.tenant_id == tenant_id))
        ).scalars()
        docs = [document(person, row) for row in rows]
    started = time.perf_counter()
    if embed_all:
        vectors = list(await embeddings.encode([d.embedding_text for d in docs]))
    else:
        by_text = dict(zip(DESCRIPTIONS, await embeddings.encode(DESCRIPTIONS), strict=True))
        vectors = [by_text[d.text.rsplit("\n", 1)[-1]] for d in docs]
    print(
        f"embedded in {time.perf_counter() - started:.1f} s ({'every document' if embed_all else 'per description'})"
    )
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "search_documents",
            columns=[
                "id",
                "tenant_id",
                "organization_id",
                "entity_type",
                "record_id",
                "title",
                "body",
                "view_features",
                "tokens",
                "content_hash",
                "embedding",
                "embedding_model",
            ],
            records=[
                (
                    uuid.uuid4(),
                    d.tenant_id,
                    d.organization_id,
                    d.entity_type,
                    d.record_id,
                    d.title,
                    d.text,
                    list(d.view_features),
                    d.tokens,
                    d.content_hash,
                    embeddings.to_bytes(v),
                    embeddings.MODEL,
                )
                for d, v in zip(docs, vectors, strict=True)
            ],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return tenant_id


def warm_up(base: str, headers: dict[str, str], workers: int, timeout: float = 600) -> None:
    """Until every serving process answers with vectors (model loaded, tenant vectors cached): a
    process still loading its model answers without them, which must not count as a measurement."""
    url = f"{base}/api/search/search?q=warm&strategies=vector"
    deadline = time.monotonic() + timeout
    streak = 0
    while streak < 10 * workers:  # connections land on any process (SO_REUSEPORT)
        if time.monotonic() > deadline:
            raise RuntimeError("the serving processes did not load the model in time")
        streak = streak + 1 if http("GET", url, headers=headers)["strategiesUsed"] == ["vector"] else 0
        if streak == 0:
            time.sleep(1)


def combine(results: list[dict]) -> dict:
    """One figure from per-query runs: req/s over their time, percentiles over all their requests."""
    latencies = sorted(latency for r in results for latency in r["latencies"])

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "requests": len(latencies),
        "rps": len(latencies) / sum(r["seconds"] for r in results),
        "p50": pct(0.5),
        "p99": pct(0.99),
    }


def measure(
    served: str, token: str, strategy: str, queries: list[str], seconds: float, connections: int, raw: str
) -> tuple[dict, dict | None]:
    """Latency over the rotating queries, each getting an equal share of the time, served then raw
    per query (alternating); (served, raw) figures, raw None when ``raw`` is empty."""
    headers = {"Authorization": f"Bearer {token}"}
    per_query = max(1.0, seconds / len(queries))
    mine, floor = [], []
    for q in queries:
        spec = {"seconds": per_query, "connections": connections, "latencies": True}
        url = f"{served}/api/search/search?q={quote(q)}&strategies={strategy}&limit=20"
        mine.append(loadgen({**spec, "url": url, "headers": headers}))
        if raw:
            floor.append(loadgen({**spec, "url": f"{raw}/search/{strategy}?q={quote(q)}&limit=20"}))
    return combine(mine), combine(floor) if raw else None


def main(records: int, seconds: float, connections: int, workers: int, embed_all: bool) -> None:
    settings = scratch_settings("search")
    migrate(settings)
    try:
        started = time.perf_counter()
        tenant_id = asyncio.run(seed(settings, records, embed_all))
        print(f"seeded and indexed {records} people in {time.perf_counter() - started:.1f} s", flush=True)
        with served_and_raw(settings, workers, "search", tenant_id) as (served, raw):
            token = http("POST", f"{served}/api/auth/login", {"email": EMAIL, "password": PASSWORD})["token"]
            headers = {"Authorization": f"Bearer {token}"}
            warm_up(served, headers, workers)
            q = quote(VECTOR_QUERIES[0])
            sample = http("GET", f"{served}/api/search/search?q={q}&strategies=vector", headers=headers)
            print("sample vector hits:", json.dumps([h["title"] for h in sample["results"][:3]]))
            sample = http("GET", f"{raw}/search/vector?q={q}")
            print("raw vector hits:   ", json.dumps([h["title"] for h in sample["results"][:3]]))
            figures = {
                "fulltext": measure(served, token, "fulltext", FULLTEXT_QUERIES, seconds, connections, raw),
                "vector": measure(served, token, "vector", VECTOR_QUERIES, seconds, connections, raw),
                "fused (all three)": measure(
                    served, token, "fulltext,vector,tokens", VECTOR_QUERIES, seconds, connections, ""
                ),
            }
        print(
            f"\nsearch latency: {records} indexed people, `crmgraph serve --workers {workers}` vs raw aiohttp"
            f" + asyncpg ({workers} processes), bench.loadgen with {connections} connections,"
            f" {seconds:g} s per strategy and side, at least 1 s per query (queries rotated, served then"
            " raw per query)"
        )
        print(
            f"{'strategy':<18} {'served p50':>10} {'p99':>7} {'req/s':>7}"
            f"  {'raw p50':>8} {'p99':>7} {'req/s':>7}  {'served/raw req/s':>16}"
        )
        for name, (mine, floor) in figures.items():
            line = f"{name:<18} {mine['p50']:10.1f} {mine['p99']:7.1f} {mine['rps']:7.1f}"
            if floor is not None:
                line += f"  {floor['p50']:8.1f} {floor['p99']:7.1f} {floor['rps']:7.1f}"
                line += f"  {mine['rps'] / floor['rps']:15.2f}x"
            print(line)
    finally:
        asyncio.run(drop_scratch(settings))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8, help="per strategy")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--embed-all", action="store_true", help="embed every document's own text")
    args = parser.parse_args()
    main(args.records, args.seconds, args.connections, args.workers, args.embed_all)
