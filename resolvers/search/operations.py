"""The search module's routes: search (playground and Cmd+K global search), the vector index listing
and purge, and starting/cancelling full-text and vector reindex jobs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest
from models.search import SearchDocument
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope
from resolvers.search import embeddings, indexer
from resolvers.search.backend import backend_for
from resolvers.search.documents import indexable
from resolvers.search.jobs import cancel_jobs, start_job
from resolvers.search.service import MAX_LIMIT, check_entity_types, check_strategies, search, search_scope
from resolvers.search.settings import global_strategies
from resolvers.search.strategies.postgres import scope_conditions
from resolvers.validation import text

D = SearchDocument


def comma_list(value: Any) -> Any:
    """``a,b`` (REST query string) or a list (GraphQL, JSON) as a list of trimmed, non-empty items."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class SearchQueryInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: text(500) = PydanticField(min_length=1)
    limit: int = PydanticField(default=50, ge=1, le=10_000)
    entityTypes: list[text(120)] | None = None

    _split = field_validator("entityTypes", mode="before")(comma_list)


class PlaygroundQueryInput(SearchQueryInput):
    strategies: list[text(20)] | None = None

    _split_strategies = field_validator("strategies", mode="before")(comma_list)


class SearchResultItem(BaseModel):
    entityId: str
    recordId: str
    score: float
    source: str
    title: str


class SearchResults(BaseModel):
    results: list[SearchResultItem]
    strategiesUsed: list[str]
    timing: float
    query: str
    limit: int


class GlobalSearchResults(SearchResults):
    strategiesEnabled: list[str]


async def _search(
    ctx: RequestContext, data: SearchQueryInput, strategies: list[str] | None
) -> dict[str, Any]:
    limit = min(data.limit, MAX_LIMIT)
    outcome = await search(
        ctx, data.q, strategies=strategies, entity_types=check_entity_types(data.entityTypes), limit=limit
    )
    return {
        "results": [
            {
                "entityId": r.entity_type,
                "recordId": str(r.record_id),
                "score": r.score,
                "source": r.source,
                "title": r.title,
            }
            for r in outcome.results
        ],
        "strategiesUsed": outcome.strategies_used,
        "timing": outcome.timing,
        "query": data.q,
        "limit": limit,
    }


@operation(
    "search_playground",
    "search",
    input=PlaygroundQueryInput,
    output=SearchResults,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/search"),
    graphql=False,  # GraphQL has the typed ``search`` field (schema.search)
)
async def search_playground(ctx: RequestContext, data: PlaygroundQueryInput) -> dict[str, Any]:
    """Search with the strategies asked for (all available ones by default), fused by weighted
    reciprocal rank fusion."""
    return await _search(ctx, data, check_strategies(data.strategies))


@operation(
    "global_search",
    "search",
    input=SearchQueryInput,
    output=GlobalSearchResults,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/search/global"),
    graphql=False,
)
async def global_search(ctx: RequestContext, data: SearchQueryInput) -> dict[str, Any]:
    """Cmd+K search with the tenant's saved strategies (never strategies from the URL)."""
    enabled = await global_strategies(ctx)
    return {**await _search(ctx, data, enabled), "strategiesEnabled": enabled}


class SearchIndexListInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(120) | None = None
    limit: int = PydanticField(default=50, ge=1, le=10_000)
    offset: int = PydanticField(default=0, ge=0, le=2**31 - 1)


class SearchIndexEntry(BaseModel):
    id: str
    entityId: str
    recordId: str
    tenantId: str
    organizationId: str | None = None
    title: str
    model: str | None = None


class SearchIndexEntries(BaseModel):
    entries: list[SearchIndexEntry]
    limit: int
    offset: int


MAX_ENTRIES = 200


@operation(
    "search_index_entries",
    "search",
    input=SearchIndexListInput,
    output=SearchIndexEntries,
    kind="query",
    features=("search.view",),
    rest=Rest("GET", "/search/index"),
)
async def index_entries(ctx: RequestContext, data: SearchIndexListInput) -> dict[str, Any]:
    """Documents of the vector index the caller may see, by entity type and record."""
    requested = check_entity_types([data.entityId] if data.entityId else None, "entityId")
    scope = await search_scope(ctx, requested)
    limit = min(data.limit, MAX_ENTRIES)
    if not scope.entity_types:
        return {"entries": [], "limit": limit, "offset": data.offset}
    query = (
        select(D.id, D.entity_type, D.record_id, D.tenant_id, D.organization_id, D.title, D.embedding_model)
        .where(*scope_conditions(scope), D.embedding.is_not(None))
        .order_by(D.entity_type, D.record_id)
        .offset(data.offset)
        .limit(limit)
    )
    async with ctx.read_session() as session:
        rows = (await session.execute(query)).all()
    return {
        "entries": [
            {
                "id": str(r.id),
                "entityId": r.entity_type,
                "recordId": str(r.record_id),
                "tenantId": str(r.tenant_id),
                "organizationId": str(r.organization_id) if r.organization_id else None,
                "title": r.title,
                "model": r.embedding_model,
            }
            for r in rows
        ],
        "limit": limit,
        "offset": data.offset,
    }


class SearchPurgeVectorsInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(120) | None = None
    confirmAll: text(10) | None = None


class SearchOk(BaseModel):
    ok: bool


@operation(
    "purge_search_vectors",
    "search",
    input=SearchPurgeVectorsInput,
    output=SearchOk,
    features=("search.embeddings.manage",),
    rest=Rest("DELETE", "/search/index"),
)
async def purge_vectors(ctx: RequestContext, data: SearchPurgeVectorsInput) -> dict[str, Any]:
    """Remove embeddings from the vector index (one entity type, or all with ``confirmAll=true``)
    within the caller's organizations; the documents stay searchable by full-text and tokens."""
    if not data.entityId and (data.confirmAll or "").lower() != "true":
        raise BadRequest("confirmAll=true is required to purge all entities")
    kinds = check_entity_types([data.entityId], "entityId") if data.entityId else list(indexable())
    entities = [indexable()[k] for k in kinds or []]
    scope = await org_scope(ctx)
    org_ids = sorted(scope.org_ids) if scope.org_ids is not None else None
    async with ctx.unit_of_work() as uow:
        removed = await indexer.purge(uow.session, ctx.tenant_id(), entities, org_ids, vectors_only=True)
        record_command(
            ctx,
            uow,
            module="search",
            entity="index",
            verb="vectors_purged",
            resource_id=ctx.tenant_id(),
            tenant_id=ctx.tenant_id(),
            after={"entityId": data.entityId, "removed": removed},
        )
    mirror = backend_for(ctx.settings).mirror
    if mirror is not None:
        for entity in entities:
            await mirror.drop_vectors(ctx.tenant_id(), f"{entity.module}:{entity.name}", org_ids)
    return {"ok": True}


class SearchReindexInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    action: Literal["clear", "recreate", "reindex"] = "reindex"
    entityId: text(120) | None = None


class SearchReindexStarted(BaseModel):
    ok: bool
    action: str
    entityId: str | None = None


async def job_scope(ctx: RequestContext) -> list[Any] | None:
    scope = await org_scope(ctx)
    return sorted(scope.org_ids) if scope.org_ids is not None else None


@operation(
    "start_search_reindex",
    "search",
    input=SearchReindexInput,
    output=SearchReindexStarted,
    features=("search.reindex",),
    rest=Rest("POST", "/search/reindex"),
)
async def start_fulltext_reindex(ctx: RequestContext, data: SearchReindexInput) -> dict[str, Any]:
    """Queue a full-text reindex job: ``clear`` removes the documents, ``recreate`` removes and
    rebuilds them, ``reindex`` rebuilds in place (409 with the ``lock`` while one runs)."""
    kinds = check_entity_types([data.entityId], "entityId") if data.entityId else None
    async with ctx.unit_of_work() as uow:
        await start_job(
            ctx,
            uow,
            kind="fulltext",
            action=data.action,
            entity=kinds[0] if kinds else None,
            org_ids=await job_scope(ctx),
        )
    return {"ok": True, "action": data.action, "entityId": data.entityId}


class SearchVectorReindexInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(120) | None = None


@operation(
    "start_search_vector_reindex",
    "search",
    input=SearchVectorReindexInput,
    output=SearchOk,
    features=("search.embeddings.manage",),
    rest=Rest("POST", "/search/embeddings/reindex"),
)
async def start_vector_reindex(ctx: RequestContext, data: SearchVectorReindexInput) -> dict[str, Any]:
    """Queue a job recomputing the embeddings of the caller's records (409 with the ``lock`` while
    one runs)."""
    if not embeddings.available():
        raise BadRequest("No embedding provider is configured")
    kinds = check_entity_types([data.entityId], "entityId") if data.entityId else None
    async with ctx.unit_of_work() as uow:
        await start_job(
            ctx,
            uow,
            kind="vector",
            action="reindex",
            entity=kinds[0] if kinds else None,
            org_ids=await job_scope(ctx),
        )
    return {"ok": True}


class SearchJobsCancelled(BaseModel):
    ok: bool
    jobsRemoved: int


@operation(
    "cancel_search_reindex",
    "search",
    output=SearchJobsCancelled,
    features=("search.reindex",),
    rest=Rest("POST", "/search/reindex/cancel"),
)
async def cancel_fulltext_reindex(ctx: RequestContext) -> dict[str, Any]:
    """Cancel the tenant's queued or running full-text reindex."""
    async with ctx.unit_of_work() as uow:
        return {"ok": True, "jobsRemoved": await cancel_jobs(ctx, uow, ["fulltext"])}


@operation(
    "cancel_search_vector_reindex",
    "search",
    output=SearchJobsCancelled,
    features=("search.embeddings.manage",),
    rest=Rest("POST", "/search/embeddings/reindex/cancel"),
)
async def cancel_vector_reindex(ctx: RequestContext) -> dict[str, Any]:
    """Cancel the tenant's queued or running vector reindex."""
    async with ctx.unit_of_work() as uow:
        return {"ok": True, "jobsRemoved": await cancel_jobs(ctx, uow, ["vector"])}
