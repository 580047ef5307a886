"""The query_index module: reindex and purge jobs for one entity type of the search index within the
caller's scope, and the index status (base table vs index counts, the latest job, the indexing log).

The index itself is the search module's (``resolvers.search``); this module drives it per entity type.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, literal, select, union_all

from crmgraph.context import RequestContext
from crmgraph.timefmt import format_datetime
from models.search import SearchDocument, SearchIndexJob, SearchIndexLog
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.search.documents import indexable
from resolvers.search.jobs import start_job
from resolvers.search.operations import SearchOk, job_scope
from resolvers.search.service import check_entity_types, search_scope
from resolvers.search.strategies.postgres import scope_conditions
from resolvers.validation import text

MODULE = "query_index"
RECENT_LOGS = 50


class QueryIndexEntityInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityType: text(120) = PydanticField(min_length=1)


async def _queue(ctx: RequestContext, data: QueryIndexEntityInput, action: str) -> dict[str, Any]:
    (kind,) = check_entity_types([data.entityType], "entityType") or []
    async with ctx.unit_of_work() as uow:
        await start_job(ctx, uow, kind=MODULE, action=action, entity=kind, org_ids=await job_scope(ctx))
    return {"ok": True}


@operation(
    "query_index_reindex",
    MODULE,
    input=QueryIndexEntityInput,
    output=SearchOk,
    features=("query_index.reindex",),
    rest=Rest("POST", "/query_index/reindex"),
)
async def reindex(ctx: RequestContext, data: QueryIndexEntityInput) -> dict[str, Any]:
    """Queue a job rebuilding the index documents of one entity type in the caller's scope."""
    return await _queue(ctx, data, "reindex")


@operation(
    "query_index_purge",
    MODULE,
    input=QueryIndexEntityInput,
    output=SearchOk,
    features=("query_index.purge",),
    rest=Rest("POST", "/query_index/purge"),
)
async def purge(ctx: RequestContext, data: QueryIndexEntityInput) -> dict[str, Any]:
    """Queue a job removing the index documents of one entity type in the caller's scope."""
    return await _queue(ctx, data, "purge")


class QueryIndexJobState(BaseModel):
    status: str
    startedAt: str | None = None
    finishedAt: str | None = None
    heartbeatAt: str | None = None
    processedCount: int | None = None
    totalCount: int | None = None
    scope: list[str] | None = None


class QueryIndexStatusItem(BaseModel):
    entityId: str
    label: str
    baseCount: int | None = None
    indexCount: int | None = None
    vectorCount: int | None = None
    ok: bool
    job: QueryIndexJobState


class QueryIndexError(BaseModel):
    id: str
    source: str
    handler: str
    entityType: str | None = None
    recordId: str | None = None
    tenantId: str | None = None
    organizationId: str | None = None
    message: str
    stack: str | None = None
    payload: dict[str, Any] | None = None
    occurredAt: str


class QueryIndexLog(BaseModel):
    id: str
    source: str
    handler: str
    level: str
    entityType: str | None = None
    recordId: str | None = None
    tenantId: str | None = None
    organizationId: str | None = None
    message: str
    details: dict[str, Any] | None = None
    occurredAt: str


class QueryIndexStatus(BaseModel):
    items: list[QueryIndexStatusItem]
    errors: list[QueryIndexError]
    logs: list[QueryIndexLog]


def _time(value: Any) -> str | None:
    return format_datetime(value) if value is not None else None


def job_state(job: SearchIndexJob | None) -> dict[str, Any]:
    if job is None:
        return {"status": "idle"}
    return {
        "status": job.status,
        "startedAt": _time(job.started_at),
        "finishedAt": _time(job.finished_at),
        "heartbeatAt": _time(job.heartbeat_at),
        "processedCount": job.processed_count,
        "totalCount": job.total_count,
        "scope": job.scope,
    }


def _log_fields(row: SearchIndexLog) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "source": row.source,
        "handler": row.handler,
        "entityType": row.entity_type,
        "recordId": row.record_id,
        "tenantId": str(row.tenant_id),
        "organizationId": str(row.organization_id) if row.organization_id else None,
        "message": row.message,
        "occurredAt": format_datetime(row.occurred_at),
    }


@operation(
    "query_index_status",
    MODULE,
    output=QueryIndexStatus,
    kind="query",
    features=("query_index.status.view",),
    rest=Rest("GET", "/query_index/status"),
)
async def status(ctx: RequestContext) -> dict[str, Any]:
    """Per entity type the caller may view: live records in scope vs index documents (and those with
    vectors), and the latest query-index job; with the recent indexing errors and log."""
    scope = await search_scope(ctx)
    entities = {kind: indexable()[kind] for kind in scope.entity_types}
    if not entities:
        return {"items": [], "errors": [], "logs": []}
    base_counts: dict[str, int] = {}
    counts = [
        select(literal(kind).label("kind"), func.count().label("n"))
        .select_from(entity.model)
        .where(*await entity_conditions(ctx, entity))
        for kind, entity in entities.items()
    ]
    D = SearchDocument
    async with ctx.read_session() as session:
        for row in (await session.execute(union_all(*counts))).all():
            base_counts[row.kind] = row.n
        indexed = {
            row.entity_type: (row.n, row.vectors)
            for row in (
                await session.execute(
                    select(D.entity_type, func.count().label("n"), func.count(D.embedding).label("vectors"))
                    .where(*scope_conditions(scope))
                    .group_by(D.entity_type)
                )
            ).all()
        }
        jobs = (
            (
                await session.execute(
                    select(SearchIndexJob)
                    .where(SearchIndexJob.tenant_id == scope.tenant_id, SearchIndexJob.kind == MODULE)
                    .order_by(SearchIndexJob.created_at.desc())
                    .limit(200)
                )
            )
            .scalars()
            .all()
        )
        logs = (
            (
                await session.execute(
                    select(SearchIndexLog)
                    .where(SearchIndexLog.tenant_id == scope.tenant_id)
                    .order_by(SearchIndexLog.occurred_at.desc())
                    .limit(2 * RECENT_LOGS)
                )
            )
            .scalars()
            .all()
        )
    latest: dict[str, SearchIndexJob] = {}
    for job in jobs:  # newest first
        if job.entity_type:
            latest.setdefault(job.entity_type, job)
    items = []
    for kind, entity in entities.items():
        index_count, vector_count = indexed.get(kind, (0, 0))
        base = base_counts.get(kind, 0)
        items.append(
            {
                "entityId": kind,
                "label": entity.plural.replace("_", " ").capitalize(),
                "baseCount": base,
                "indexCount": index_count,
                "vectorCount": vector_count,
                "ok": base == index_count,
                "job": job_state(latest.get(kind)),
            }
        )
    errors = [{**_log_fields(r), "stack": None, "payload": r.details} for r in logs if r.level == "error"][
        :RECENT_LOGS
    ]
    others = [{**_log_fields(r), "level": r.level, "details": r.details} for r in logs if r.level != "error"]
    return {"items": items, "errors": errors, "logs": others[:RECENT_LOGS]}
