"""The search module's configuration routes: strategies, backends, the Cmd+K global-search strategies
and the embedding settings (a tenant's row in ``search_settings``)."""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.search import SearchDocument, SearchIndexJob, SearchSettings
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.search import embeddings
from resolvers.search.backend import STRATEGY_IDS, backend_for
from resolvers.search.jobs import ACTIVE, is_stale, lock_body

StrategyId = Literal["fulltext", "vector", "tokens"]


class SearchStrategyInfo(BaseModel):
    id: str
    name: str
    priority: int
    available: bool


class SearchReindexLock(BaseModel):
    type: str
    action: str
    startedAt: str
    elapsedMinutes: int
    processedCount: int | None = None
    totalCount: int | None = None


class SearchFulltextStats(BaseModel):
    numberOfDocuments: int
    isIndexing: bool


class SearchModuleSettings(BaseModel):
    strategies: list[SearchStrategyInfo]
    fulltextConfigured: bool
    fulltextStats: SearchFulltextStats | None = None
    vectorConfigured: bool
    tokensEnabled: bool
    defaultStrategies: list[str]
    reindexLock: SearchReindexLock | None = None
    fulltextReindexLock: SearchReindexLock | None = None
    vectorReindexLock: SearchReindexLock | None = None


class SearchSettingsReply(BaseModel):
    settings: SearchModuleSettings


async def tenant_settings(ctx: RequestContext) -> SearchSettings | None:
    async with ctx.read_session() as session:
        return await session.get(SearchSettings, ctx.tenant_id())


async def global_strategies(ctx: RequestContext) -> list[str]:
    """The tenant's saved Cmd+K strategies that are available (every available one when none saved)."""
    available = backend_for(ctx.settings).available()
    row = await tenant_settings(ctx)
    saved = [s for s in (row.global_strategies if row else []) if s in available]
    return saved or available


async def active_locks(ctx: RequestContext) -> dict[str, dict[str, Any]]:
    async with ctx.read_session() as session:
        jobs = (
            await session.execute(
                select(SearchIndexJob).where(
                    SearchIndexJob.tenant_id == ctx.tenant_id(), SearchIndexJob.status.in_(ACTIVE)
                )
            )
        ).scalars()
        return {job.kind: lock_body(job) for job in jobs if not is_stale(job)}


@operation(
    "search_settings",
    "search",
    output=SearchSettingsReply,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/settings"),
)
async def search_settings(ctx: RequestContext) -> dict[str, Any]:
    """Strategies (and which are available), the backends' state, default strategies and the reindex
    locks."""
    backend = backend_for(ctx.settings)
    available = backend.available()
    async with ctx.read_session() as session:
        documents = await session.scalar(
            select(func.count())
            .select_from(SearchDocument)
            .where(SearchDocument.tenant_id == ctx.tenant_id())
        )
    locks = await active_locks(ctx)
    fulltext_lock = locks.get("fulltext") or locks.get("query_index")
    return {
        "settings": {
            "strategies": [
                {"id": s.id, "name": s.name, "priority": s.priority, "available": s.id in available}
                for s in (backend.strategies[i] for i in STRATEGY_IDS)
            ],
            "fulltextConfigured": "fulltext" in available,
            "fulltextStats": {"numberOfDocuments": documents or 0, "isIndexing": fulltext_lock is not None},
            "vectorConfigured": "vector" in available,
            "tokensEnabled": "tokens" in available,
            "defaultStrategies": available,
            "reindexLock": fulltext_lock or locks.get("vector"),
            "fulltextReindexLock": fulltext_lock,
            "vectorReindexLock": locks.get("vector"),
        }
    }


def env_state(name: str, hint: str) -> dict[str, Any]:
    return {"set": bool(os.environ.get(name)), "hint": hint}


class SearchFulltextSettings(BaseModel):
    driver: str | None = None
    configured: bool
    envVars: dict[str, Any]
    optionalEnvVars: dict[str, Any]


BACKEND_HINT = "postgres (default: tsvector + pg_trgm) or opensearch"
OPENSEARCH_HINT = "OpenSearch base URL, used when SEARCH_BACKEND=opensearch (default http://127.0.0.1:9200)"


@operation(
    "search_fulltext_settings",
    "search",
    output=SearchFulltextSettings,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/settings/fulltext"),
)
async def fulltext_settings(ctx: RequestContext) -> dict[str, Any]:
    """The full-text backend in use and the environment variables that configure it."""
    backend = backend_for(ctx.settings)
    return {
        "driver": backend.id,
        "configured": True,
        "envVars": {"SEARCH_BACKEND": env_state("SEARCH_BACKEND", BACKEND_HINT)},
        "optionalEnvVars": {"OPENSEARCH_URL": env_state("OPENSEARCH_URL", OPENSEARCH_HINT)},
    }


class SearchEnvVar(BaseModel):
    name: str
    set: bool
    hint: str


class SearchVectorDriver(BaseModel):
    id: str
    name: str
    configured: bool
    implemented: bool
    envVars: list[SearchEnvVar]


class SearchVectorStore(BaseModel):
    currentDriver: str
    configured: bool
    drivers: list[SearchVectorDriver]


@operation(
    "search_vector_store_settings",
    "search",
    output=SearchVectorStore,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/settings/vector-store"),
)
async def vector_store_settings(ctx: RequestContext) -> dict[str, Any]:
    """Where vectors live: PostgreSQL ``bytea`` ranked in numpy (this server has no pgvector), or
    OpenSearch k-NN."""
    backend = backend_for(ctx.settings)
    model_ready = embeddings.available()
    backend_var = {"name": "SEARCH_BACKEND", **env_state("SEARCH_BACKEND", BACKEND_HINT)}
    opensearch_var = {"name": "OPENSEARCH_URL", **env_state("OPENSEARCH_URL", OPENSEARCH_HINT)}
    current = "opensearch" if backend.id == "opensearch" else "postgres-bytea"
    return {
        "currentDriver": current,
        "configured": model_ready,
        "drivers": [
            {
                "id": "postgres-bytea",
                "name": "PostgreSQL (float32 bytea, cosine similarity in numpy)",
                "configured": model_ready,
                "implemented": True,
                "envVars": [backend_var],
            },
            {
                "id": "opensearch",
                "name": "OpenSearch k-NN (lucene HNSW, cosine)",
                "configured": model_ready and backend.id == "opensearch",
                "implemented": True,
                "envVars": [backend_var, opensearch_var],
            },
            {
                "id": "pgvector",
                "name": "pgvector (the PostgreSQL extension is not installed on this server)",
                "configured": False,
                "implemented": False,
                "envVars": [],
            },
        ],
    }


class GlobalSearchStrategies(BaseModel):
    enabledStrategies: list[str]


class GlobalSearchStrategiesInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    enabledStrategies: list[StrategyId] = PydanticField(min_length=1, max_length=3)


class GlobalSearchStrategiesSaved(BaseModel):
    ok: bool
    enabledStrategies: list[str]


@operation(
    "global_search_settings",
    "search",
    output=GlobalSearchStrategies,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/settings/global-search"),
)
async def get_global_search(ctx: RequestContext) -> dict[str, Any]:
    """The strategies Cmd+K global search uses."""
    return {"enabledStrategies": await global_strategies(ctx)}


async def save_settings(ctx: RequestContext, **values: Any) -> None:
    """Upsert the tenant's settings row (inside the command's unit of work)."""
    tenant_id = ctx.tenant_id()
    async with ctx.unit_of_work() as uow:
        statement = insert(SearchSettings).values(
            **{"global_strategies": [], **values, "tenant_id": tenant_id}
        )
        await uow.session.execute(
            statement.on_conflict_do_update(index_elements=[SearchSettings.tenant_id], set_=values)
        )


@operation(
    "update_global_search_settings",
    "search",
    input=GlobalSearchStrategiesInput,
    output=GlobalSearchStrategiesSaved,
    features=("search.manage",),
    rest=Rest("POST", "/search/settings/global-search"),
)
async def set_global_search(ctx: RequestContext, data: GlobalSearchStrategiesInput) -> dict[str, Any]:
    """Set the strategies Cmd+K global search uses (each must be available)."""
    available = backend_for(ctx.settings).available()
    chosen = list(dict.fromkeys(data.enabledStrategies))
    missing = [s for s in chosen if s not in available]
    if missing:
        raise ValidationFailed(
            [
                issue("enabledStrategies", f"Strategy not available: {s}", "invalid_enum_value")
                for s in missing
            ]
        )
    before = await global_strategies(ctx)
    await save_settings(ctx, global_strategies=chosen)
    await _record(ctx, "global_search_updated", {"enabledStrategies": before}, {"enabledStrategies": chosen})
    return {"ok": True, "enabledStrategies": chosen}


async def _record(ctx: RequestContext, verb: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    async with ctx.unit_of_work() as uow:
        record_command(
            ctx,
            uow,
            module="search",
            entity="settings",
            verb=verb,
            resource_id=ctx.tenant_id(),
            tenant_id=ctx.tenant_id(),
            before=before,
            after=after,
        )


class SearchEmbeddingConfig(BaseModel):
    providerId: str
    model: str
    dimension: int


class SearchEmbeddingSettings(BaseModel):
    openaiConfigured: bool
    autoIndexingEnabled: bool
    autoIndexingLocked: bool
    lockReason: str | None = None
    embeddingConfig: SearchEmbeddingConfig | None = None
    configuredProviders: list[str]
    indexedDimension: int | None = None
    reindexRequired: bool
    documentCount: int | None = None


class SearchEmbeddingSettingsReply(BaseModel):
    settings: SearchEmbeddingSettings


class SearchEmbeddingConfigInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    providerId: Literal["local"]
    model: Literal["all-MiniLM-L6-v2"] = embeddings.MODEL
    dimension: int = PydanticField(default=embeddings.DIMENSION, ge=1, le=4096)


class SearchEmbeddingSettingsInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    autoIndexingEnabled: bool | None = None
    embeddingConfig: SearchEmbeddingConfigInput | None = None


def configured_model(row: SearchSettings | None) -> dict[str, Any]:
    config = (row.embedding_config if row else None) or {}
    return {
        "providerId": config.get("providerId", embeddings.PROVIDER),
        "model": config.get("model", embeddings.MODEL),
        "dimension": config.get("dimension", embeddings.DIMENSION),
    }


async def embedding_settings(ctx: RequestContext) -> dict[str, Any]:
    row = await tenant_settings(ctx)
    model_ready = embeddings.available()
    async with ctx.read_session() as session:
        total, embedded, other_model = (
            await session.execute(
                select(
                    func.count(),
                    func.count(SearchDocument.embedding),
                    func.count().filter(SearchDocument.embedding_model != embeddings.MODEL),
                ).where(SearchDocument.tenant_id == ctx.tenant_id())
            )
        ).one()
    return {
        "settings": {
            "openaiConfigured": False,
            "autoIndexingEnabled": model_ready and (row.auto_indexing if row else True),
            "autoIndexingLocked": not model_ready,
            "lockReason": None
            if model_ready
            else f"The embedding model package ({embeddings.PACKAGE}) is missing",
            "embeddingConfig": configured_model(row) if model_ready else None,
            "configuredProviders": [embeddings.PROVIDER] if model_ready else [],
            "indexedDimension": embeddings.DIMENSION if embedded else None,
            "reindexRequired": bool(total and (embedded < total or other_model)),
            "documentCount": embedded,
        }
    }


@operation(
    "search_embedding_settings",
    "search",
    output=SearchEmbeddingSettingsReply,
    kind="query",
    features=("search.embeddings.view",),
    rest=Rest("GET", "/search/embeddings"),
)
async def get_embedding_settings(ctx: RequestContext) -> dict[str, Any]:
    """The embedding provider and model (the local all-MiniLM-L6-v2), auto-indexing and how much of
    the index has vectors."""
    return await embedding_settings(ctx)


@operation(
    "update_search_embedding_settings",
    "search",
    input=SearchEmbeddingSettingsInput,
    output=SearchEmbeddingSettingsReply,
    features=("search.embeddings.manage",),
    rest=Rest("POST", "/search/embeddings"),
)
async def set_embedding_settings(ctx: RequestContext, data: SearchEmbeddingSettingsInput) -> dict[str, Any]:
    """Turn auto-indexing on or off and choose the embedding model (only the local model exists)."""
    if not embeddings.available():
        raise ValidationFailed([issue("embeddingConfig", "No embedding provider is configured", "invalid")])
    values: dict[str, Any] = {}
    if data.autoIndexingEnabled is not None:
        values["auto_indexing"] = data.autoIndexingEnabled
    if data.embeddingConfig is not None:
        if data.embeddingConfig.dimension != embeddings.DIMENSION:
            raise ValidationFailed(
                [
                    issue(
                        ["embeddingConfig", "dimension"],
                        f"{embeddings.MODEL} makes {embeddings.DIMENSION}-dimensional vectors",
                        "invalid",
                    )
                ]
            )
        values["embedding_config"] = data.embeddingConfig.model_dump()
    if values:
        before = (await embedding_settings(ctx))["settings"]
        await save_settings(ctx, **values)
        await _record(
            ctx,
            "embeddings_updated",
            {"autoIndexingEnabled": before["autoIndexingEnabled"]},
            {"autoIndexingEnabled": values.get("auto_indexing", before["autoIndexingEnabled"])},
        )
    return await embedding_settings(ctx)
