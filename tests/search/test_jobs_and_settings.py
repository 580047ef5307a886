"""Reindex/purge jobs (queued by the routes, run by a real burst worker, one at a time per kind),
the query-index status, and the settings routes."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import delete, select

from crmgraph.setup import reindex_installation
from models.search import SearchDocument, SearchIndexJob
from resolvers.progress.search_jobs import follow, progress_job_id
from tests.search.conftest import company, found, person, run_worker, unique


async def status_of(api, entity_id: str) -> dict:
    status, body = await api.get("/api/query_index/status")
    assert status == 200, body
    return next(item for item in body["items"] if item["entityId"] == entity_id)


async def test_query_index_reindex_rebuilds_a_lost_index_and_reports_status(
    sworld, boss, indexer, bsettings, sessionmaker
):
    word = unique("Reindexword")
    ids = [await person(boss, sworld.branch_org, "Rafal", f"{word} {i}") for i in range(3)]
    await run_worker(bsettings)
    assert (await status_of(indexer, "customers:person"))["indexCount"] == 3
    async with sessionmaker() as session:  # the index is lost (e.g. restored from an old backup)
        await session.execute(delete(SearchDocument).where(SearchDocument.tenant_id == sworld.tenant_id))
        await session.commit()
    item = await status_of(indexer, "customers:person")
    assert (item["baseCount"], item["indexCount"], item["ok"]) == (3, 0, False)
    assert await found(indexer, word) == []

    assert await indexer.post("/api/query_index/reindex", {"entityType": "customers:person"}) == (
        200,
        {"ok": True},
    )
    status, body = await indexer.post("/api/query_index/reindex", {"entityType": "customers:person"})
    assert status == 409 and body["lock"]["type"] == "query_index" and body["lock"]["action"] == "reindex"
    assert (await status_of(indexer, "customers:person"))["job"]["status"] == "queued"

    await run_worker(bsettings)

    item = await status_of(indexer, "customers:person")
    assert (item["baseCount"], item["indexCount"], item["vectorCount"], item["ok"]) == (3, 3, 3, True)
    assert item["job"]["status"] == "done"
    assert (item["job"]["processedCount"], item["job"]["totalCount"]) == (3, 3)
    assert sorted(h["recordId"] for h in await found(indexer, word, strategies="fulltext")) == sorted(ids)
    _, body = await indexer.get("/api/query_index/status")
    assert {"query_index reindex started", "query_index reindex done"} <= {
        log["message"] for log in body["logs"]
    }


async def test_query_index_purge_removes_one_entity_type(sworld, boss, indexer, bsettings):
    word = unique("Purgeword")
    await person(boss, sworld.branch_org, "Iga", word)
    company_id = await company(boss, sworld.branch_org, f"{word} Ltd")
    await run_worker(bsettings)
    assert await indexer.post("/api/query_index/purge", {"entityType": "customers:person"}) == (
        200,
        {"ok": True},
    )
    await run_worker(bsettings)
    assert [h["recordId"] for h in await found(indexer, word)] == [company_id]
    assert (await status_of(indexer, "customers:person"))["indexCount"] == 0


async def test_query_index_input_errors(indexer, searcher):
    for path in ("/api/query_index/reindex", "/api/query_index/purge"):
        assert (await indexer.post(path, {"entityType": "string"}))[0] == 400
        assert (await indexer.post(path, {}))[0] == 400
        status, body = await searcher.post(path, {"entityType": "customers:person"})
        assert status == 403 and body["requiredFeatures"]


async def test_cancelled_reindex_does_not_run(sworld, indexer, bsettings):
    assert (await indexer.post("/api/search/reindex", {"action": "recreate"}))[0] == 200
    status, body = await indexer.post("/api/search/reindex", {})
    assert status == 409 and body["lock"]["type"] == "fulltext"
    assert await indexer.post("/api/search/reindex/cancel") == (200, {"ok": True, "jobsRemoved": 1})
    assert await indexer.post("/api/search/reindex/cancel") == (200, {"ok": True, "jobsRemoved": 0})
    await run_worker(bsettings)
    assert (await indexer.post("/api/search/reindex", {"entityId": "customers:company"}))[1] == {
        "ok": True,
        "action": "reindex",
        "entityId": "customers:company",
    }
    await run_worker(bsettings)
    _, settings_body = await indexer.get("/api/search/settings")
    assert settings_body["settings"]["fulltextReindexLock"] is None


async def test_fulltext_clear_and_vector_purge_and_reindex(sworld, boss, indexer, bsettings):
    word = unique("Vectorword")
    company_id = await company(boss, sworld.branch_org, f"{word} Works", description="Custom exhaust systems")
    await run_worker(bsettings)
    status, body = await indexer.get("/api/search/index", params={"entityId": "customers:company"})
    assert status == 200 and company_id in {e["recordId"] for e in body["entries"]}
    assert (body["limit"], body["offset"]) == (50, 0)

    assert (await indexer.delete("/api/search/index"))[0] == 400  # confirmAll needed for everything
    assert await indexer.delete("/api/search/index", params={"entityId": "customers:company"}) == (
        200,
        {"ok": True},
    )
    _, body = await indexer.get("/api/search/index", params={"entityId": "customers:company"})
    assert body["entries"] == []
    assert await found(indexer, word, strategies="vector") == []
    assert [h["recordId"] for h in await found(indexer, word, strategies="fulltext")] == [company_id]
    _, embeddings = await indexer.get("/api/search/embeddings")
    assert embeddings["settings"]["reindexRequired"] is True

    assert await indexer.post("/api/search/embeddings/reindex", {}) == (200, {"ok": True})
    await run_worker(bsettings)
    assert company_id in {h["recordId"] for h in await found(indexer, word, strategies="vector")}

    assert (await indexer.post("/api/search/reindex", {"action": "clear"}))[0] == 200
    await run_worker(bsettings)
    assert await found(indexer, word) == []


async def test_settings_routes(indexer, searcher, bsettings):
    status, body = await searcher.get("/api/search/settings")
    assert status == 200
    strategies = {s["id"]: s for s in body["settings"]["strategies"]}
    assert set(strategies) == {"fulltext", "vector", "tokens"} and all(
        s["available"] for s in strategies.values()
    )
    assert body["settings"]["defaultStrategies"] == ["fulltext", "vector", "tokens"]

    assert await searcher.get("/api/search/settings/global-search") == (
        200,
        {"enabledStrategies": ["fulltext", "vector", "tokens"]},
    )
    assert (await searcher.post("/api/search/settings/global-search", {"enabledStrategies": ["fulltext"]}))[
        0
    ] == 403
    assert (await indexer.post("/api/search/settings/global-search", {"enabledStrategies": []}))[0] == 400
    assert (await indexer.post("/api/search/settings/global-search", {"enabledStrategies": ["x"]}))[0] == 400
    assert await indexer.post("/api/search/settings/global-search", {"enabledStrategies": ["tokens"]}) == (
        200,
        {"ok": True, "enabledStrategies": ["tokens"]},
    )
    status, body = await searcher.get(
        "/api/search/search/global", params={"q": "anything", "strategies": "vector"}
    )
    assert status == 200 and body["strategiesUsed"] == ["tokens"] == body["strategiesEnabled"]

    status, body = await searcher.get("/api/search/settings/vector-store")
    driver = "opensearch" if bsettings.search_backend == "opensearch" else "postgres-bytea"
    assert status == 200 and body["currentDriver"] == driver
    assert {d["id"]: d["implemented"] for d in body["drivers"]}["pgvector"] is False
    status, body = await searcher.get("/api/search/settings/fulltext")
    assert status == 200 and body["driver"] == bsettings.search_backend

    assert (await searcher.get("/api/search/embeddings"))[0] == 403
    status, body = await indexer.get("/api/search/embeddings")
    assert status == 200 and body["settings"]["embeddingConfig"]["model"] == "all-MiniLM-L6-v2"
    assert body["settings"]["autoIndexingEnabled"] is True
    status, body = await indexer.post("/api/search/embeddings", {"autoIndexingEnabled": False})
    assert status == 200 and body["settings"]["autoIndexingEnabled"] is False
    bad = {"embeddingConfig": {"providerId": "local", "dimension": 1536}}
    assert (await indexer.post("/api/search/embeddings", bad))[0] == 400
    assert (await indexer.post("/api/search/embeddings", {"embeddingConfig": {"providerId": "openai"}}))[
        0
    ] == 400


async def test_without_auto_indexing_records_get_no_vectors(sworld, boss, indexer, bsettings):
    assert (await indexer.post("/api/search/embeddings", {"autoIndexingEnabled": False}))[0] == 200
    word = unique("Novector")
    await company(boss, sworld.branch_org, f"{word} Spa")
    await run_worker(bsettings)
    assert len(await found(indexer, word, strategies="fulltext")) == 1
    item = await status_of(indexer, "customers:company")
    assert item["indexCount"] == 1 and item["vectorCount"] == 0


async def test_crmgraph_reindex_rebuilds_a_tenant_with_a_progress_bar(
    sworld, boss, indexer, bsettings, sessionmaker
):
    word = unique("Clireindex")
    ids = [await person(boss, sworld.branch_org, "Olga", f"{word} {i}") for i in range(3)]
    async with sessionmaker() as session:  # never indexed: no worker ran
        await session.execute(delete(SearchDocument).where(SearchDocument.tenant_id == sworld.tenant_id))
        await session.commit()
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)

    assert await reindex_installation(bsettings, str(sworld.tenant_id), console=console) == 0

    assert sorted(h["recordId"] for h in await found(indexer, word, strategies="fulltext")) == sorted(ids)
    assert "Reindex " in out.getvalue() and "done" in out.getvalue()
    item = await status_of(indexer, "customers:person")
    assert item["indexCount"] == item["baseCount"] >= 3
    # It holds the same lock as the routes: with a reindex queued, the command refuses to start.
    assert (await indexer.post("/api/search/reindex", {}))[0] == 200
    assert await reindex_installation(bsettings, str(sworld.tenant_id), console=console) == 1
    assert await reindex_installation(bsettings, "no such tenant", console=console) == 1
    assert await reindex_installation(bsettings, entity="no:such", console=console) == 1


async def test_a_reindex_run_is_a_progress_job_and_cancelling_it_stops_the_run(
    sworld, boss, indexer, bsettings, sessionmaker
):
    await person(boss, sworld.branch_org, "Pola", unique("Progressword"))
    assert (await indexer.post("/api/search/reindex", {}))[0] == 200
    await run_worker(bsettings)
    done = await search_job(sessionmaker, sworld.tenant_id)
    status, job = await indexer.get(f"/api/progress/jobs/{progress_job_id(done.id)}")
    assert status == 200, job
    assert (job["jobType"], job["status"], job["progressPercent"]) == (
        "search.fulltext.reindex",
        "completed",
        100,
    )
    assert job["processedCount"] == job["totalCount"] == done.processed_count >= 1

    # Mid-run: the run's progress job is cancelled through the progress API; the search job is
    # marked cancelled at the next report, and the run stops at its next batch.
    assert (await indexer.post("/api/search/reindex", {}))[0] == 200
    queued = await search_job(sessionmaker, sworld.tenant_id, status="queued")
    hook = follow(sessionmaker, queued)
    await hook.start(10)
    assert (await boss.delete(f"/api/progress/jobs/{progress_job_id(queued.id)}"))[0] == 204
    await hook.advance(5, 10)
    assert (await search_job(sessionmaker, sworld.tenant_id, status="cancelled")).id == queued.id


async def search_job(sessionmaker, tenant_id, status: str = "done") -> SearchIndexJob:
    async with sessionmaker() as session:
        return await session.scalar(
            select(SearchIndexJob)
            .where(SearchIndexJob.tenant_id == tenant_id, SearchIndexJob.status == status)
            .order_by(SearchIndexJob.created_at.desc())
            .limit(1)
        )
