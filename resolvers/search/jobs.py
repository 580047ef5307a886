"""Reindex and purge jobs: a row per run (``search_index_jobs``: the lock, the status and the progress
the routes show), run by the arq job ``run_search_job`` (``workers.search``).

One queued or running job per tenant and kind (fulltext | vector | query_index): a unique partial
index makes a second start a 409 carrying the running job as its ``lock``. A job that stopped beating
for ``STALE_AFTER`` no longer holds the lock. Cancelling marks the job; the run checks its row between
batches and stops. Progress goes to the row (processed/total, heartbeat) and to every registered
:data:`PROGRESS_HOOKS` factory (how a progress-tracking module follows the run).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict
from crmgraph.timefmt import format_datetime
from models.search import SearchIndexJob, SearchIndexLog
from resolvers.entity import Entity
from resolvers.events import enqueue_best_effort, record_command
from resolvers.search import indexer
from resolvers.search.documents import entity_type, indexable

log = logging.getLogger("crmgraph.search")

ACTIVE = ("queued", "running")
STALE_AFTER = timedelta(minutes=5)
JOB_FUNCTION = "run_search_job"


class JobCancelled(Exception):
    """The job's row was marked cancelled while it ran."""


class ProgressHook(Protocol):
    async def start(self, total: int) -> None: ...
    async def advance(self, processed: int, total: int) -> None: ...
    async def finish(self, status: str) -> None: ...


# Factories ``(sessionmaker, job row) -> ProgressHook | None`` called when a job starts running
# (``resolvers.progress.search_jobs`` registers the progress module's).
PROGRESS_HOOKS: list[Callable[[Any, SearchIndexJob], ProgressHook | None]] = []


def _now() -> datetime:
    return datetime.now(UTC)


def is_stale(job: SearchIndexJob, now: datetime | None = None) -> bool:
    beat = job.heartbeat_at or job.started_at or job.created_at
    return beat is not None and (now or _now()) - beat > STALE_AFTER


def lock_body(job: SearchIndexJob) -> dict[str, Any]:
    started = job.started_at or job.created_at or _now()
    return {
        "type": job.kind,
        "action": job.action,
        "startedAt": format_datetime(started),
        "elapsedMinutes": int((_now() - started).total_seconds() // 60),
        "processedCount": job.processed_count,
        "totalCount": job.total_count,
    }


async def active_job(session: Any, tenant_id: uuid.UUID, kind: str) -> SearchIndexJob | None:
    """The tenant's queued or running job of ``kind``; a stale one is marked failed (and released)."""
    job = await session.scalar(
        select(SearchIndexJob).where(
            SearchIndexJob.tenant_id == tenant_id,
            SearchIndexJob.kind == kind,
            SearchIndexJob.status.in_(ACTIVE),
        )
    )
    if job is not None and is_stale(job):
        job.status, job.error, job.finished_at = "failed", "stopped reporting (stale)", _now()
        await session.flush()
        return None
    return job


def queued_job(
    tenant_id: uuid.UUID,
    kind: str,
    action: str,
    entity: str | None,
    org_ids: Sequence[uuid.UUID] | None,
    *,
    by: str,
    organization: uuid.UUID | None = None,
) -> SearchIndexJob:
    """A job row waiting for its run (a route's or ``crmgraph reindex``'s)."""
    return SearchIndexJob(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        organization_id=organization,
        kind=kind,
        action=action,
        entity_type=entity,
        scope=sorted(str(o) for o in org_ids) if org_ids is not None else None,
        status="queued",
        created_by=by,
    )


async def start_job(
    ctx: RequestContext,
    uow: UnitOfWork,
    *,
    kind: str,
    action: str,
    entity: str | None,
    org_ids: Sequence[uuid.UUID] | None,
) -> SearchIndexJob:
    """Record a queued job (409 with its ``lock`` when one of the kind is active) and queue its run."""
    tenant_id = ctx.tenant_id()
    session = uow.session
    running = await active_job(session, tenant_id, kind)
    if running is not None:
        raise Conflict("Reindex already in progress", lock=lock_body(running))
    principal = ctx.require_auth()
    job = queued_job(
        tenant_id, kind, action, entity, org_ids, organization=principal.org_id, by=principal.subject
    )
    try:
        async with uow.savepoint():
            session.add(job)
            await session.flush()
    except IntegrityError:  # a concurrent start won the race
        running = await active_job(session, tenant_id, kind)
        raise Conflict(
            "Reindex already in progress", **({"lock": lock_body(running)} if running else {})
        ) from None
    record_command(
        ctx,
        uow,
        module="search",
        entity="index_job",
        verb="started",
        resource_id=job.id,
        tenant_id=tenant_id,
        after={"kind": kind, "action": action, "entityType": entity},
    )

    async def enqueue() -> None:
        await enqueue_best_effort(ctx, JOB_FUNCTION, str(job.id), _job_id=f"search-job:{job.id}")

    uow.after_commit(enqueue)
    return job


async def cancel_jobs(ctx: RequestContext, uow: UnitOfWork, kinds: Sequence[str]) -> int:
    """Mark the tenant's active jobs of ``kinds`` cancelled; the runs stop at their next batch."""
    tenant_id = ctx.tenant_id()
    result = await uow.session.execute(
        update(SearchIndexJob)
        .where(
            SearchIndexJob.tenant_id == tenant_id,
            SearchIndexJob.kind.in_(kinds),
            SearchIndexJob.status.in_(ACTIVE),
        )
        .values(status="cancelled", finished_at=func.now())
        .returning(SearchIndexJob.id)
    )
    cancelled = list(result.scalars())
    for job_id in cancelled:
        record_command(
            ctx,
            uow,
            module="search",
            entity="index_job",
            verb="cancelled",
            resource_id=job_id,
            tenant_id=tenant_id,
        )
    return len(cancelled)


@dataclass
class Reporter:
    """Writes a running job's progress to its row (each batch: processed, heartbeat) and to the hooks;
    raises :class:`JobCancelled` once the row says cancelled."""

    sessionmaker: Any
    job_id: uuid.UUID
    hooks: list[ProgressHook] = field(default_factory=list)
    processed: int = 0
    total: int = 0

    async def _write(self, **values: Any) -> None:
        async with self.sessionmaker() as session:
            status = await session.scalar(
                update(SearchIndexJob)
                .where(SearchIndexJob.id == self.job_id)
                .values(heartbeat_at=func.now(), **values)
                .returning(SearchIndexJob.status)
            )
            await session.commit()
        if status == "cancelled":
            raise JobCancelled()

    async def start(self, total: int) -> None:
        self.total = total
        await self._write(total_count=total, processed_count=0)
        for hook in self.hooks:
            await hook.start(total)

    async def advance(self, count: int) -> None:
        """Count ``count`` more records; the total grows with records created since it was counted."""
        self.processed += count
        self.total = max(self.total, self.processed)
        await self._write(processed_count=self.processed, total_count=self.total)
        for hook in self.hooks:
            await hook.advance(self.processed, self.total)

    async def finish(self, status: str) -> None:
        for hook in self.hooks:
            await hook.finish(status)


async def write_log(
    sessionmaker: Any, job: SearchIndexJob, level: str, message: str, details: dict[str, Any] | None = None
) -> None:
    async with sessionmaker() as session:
        session.add(
            SearchIndexLog(
                id=uuid.uuid4(),
                tenant_id=job.tenant_id,
                organization_id=job.organization_id,
                level=level,
                source=f"search.{job.kind}",
                handler=f"{JOB_FUNCTION}:{job.action}",
                entity_type=job.entity_type,
                message=message,
                details=details,
            )
        )
        await session.commit()


def job_entities(job: SearchIndexJob) -> list[Entity]:
    entities = indexable()
    if job.entity_type:
        return [entities[job.entity_type]] if job.entity_type in entities else []
    return list(entities.values())


async def claim(sessionmaker: Any, job_id: uuid.UUID) -> SearchIndexJob | None:
    """The job, marked running, when it is still to run (a rerun of a finished job does nothing)."""
    async with sessionmaker() as session:
        job = await session.scalar(
            select(SearchIndexJob).where(SearchIndexJob.id == job_id).with_for_update(skip_locked=True)
        )
        if job is None or job.status not in ACTIVE:
            return None
        job.status, job.started_at, job.heartbeat_at = "running", job.started_at or _now(), _now()
        await session.commit()
        session.expunge(job)
        return job


async def finish(sessionmaker: Any, job: SearchIndexJob, status: str, error: str | None = None) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(SearchIndexJob)
            .where(SearchIndexJob.id == job.id, SearchIndexJob.status == "running")
            .values(status=status, error=error, finished_at=func.now(), heartbeat_at=func.now())
        )
        await session.commit()


async def run_job(
    sessionmaker: Any, settings: Any, job_id: uuid.UUID, hooks: Sequence[ProgressHook] = ()
) -> str:
    """Run one job to its end (idempotent: a finished or cancelled job is not run again); ``hooks``
    follow its progress besides the registered ones."""
    job = await claim(sessionmaker, job_id)
    if job is None:
        return "skipped"
    registered = (factory(sessionmaker, job) for factory in PROGRESS_HOOKS)
    reporter = Reporter(sessionmaker, job.id, [*(h for h in registered if h is not None), *hooks])
    await write_log(sessionmaker, job, "info", f"{job.kind} {job.action} started")
    try:
        await execute(sessionmaker, settings, job, reporter)
    except JobCancelled:
        await reporter.finish("cancelled")
        await write_log(sessionmaker, job, "info", f"{job.kind} {job.action} cancelled")
        return "cancelled"
    except Exception as exc:
        log.exception("search job %s failed", job.id)
        await finish(sessionmaker, job, "failed", f"{type(exc).__name__}: {exc}"[:2000])
        await reporter.finish("failed")
        await write_log(sessionmaker, job, "error", f"{job.kind} {job.action} failed: {type(exc).__name__}")
        return "failed"
    await finish(sessionmaker, job, "done")
    await reporter.finish("done")
    await write_log(
        sessionmaker, job, "info", f"{job.kind} {job.action} done", {"processedCount": reporter.processed}
    )
    return "done"


async def run_now(
    sessionmaker: Any,
    settings: Any,
    tenant_id: uuid.UUID,
    *,
    kind: str = "fulltext",
    entity: str | None = None,
    hooks: Sequence[ProgressHook] = (),
) -> str:
    """Reindex a tenant in this process (``crmgraph reindex``): a job row like a route's, so it holds
    the same lock (``"locked"`` when the tenant already has an active job of the kind) and shows in
    the same status routes; ``kind`` fulltext keeps unchanged embeddings, vector recomputes them."""
    async with sessionmaker() as session:
        if await active_job(session, tenant_id, kind) is not None:
            await session.commit()
            return "locked"
        job = queued_job(tenant_id, kind, "reindex", entity, None, by="crmgraph reindex")
        session.add(job)
        try:
            await session.commit()
        except IntegrityError:  # a job started meanwhile
            return "locked"
    return await run_job(sessionmaker, settings, job.id, hooks)


def _org_ids(job: SearchIndexJob) -> list[uuid.UUID] | None:
    return [uuid.UUID(o) for o in job.scope] if job.scope is not None else None


async def execute(sessionmaker: Any, settings: Any, job: SearchIndexJob, reporter: Reporter) -> None:
    entities = job_entities(job)
    org_ids = _org_ids(job)
    removes = job.action in ("clear", "recreate", "purge")
    if removes:
        async with sessionmaker() as session:
            await indexer.purge(session, job.tenant_id, entities, org_ids, vectors_only=job.kind == "vector")
            await session.commit()
        mirror = indexer.backend_for(settings).mirror
        if mirror is not None and job.kind != "vector":
            for entity in entities:
                await mirror.purge(job.tenant_id, entity_type(entity), org_ids)
    if job.action in ("clear", "purge"):
        await reporter.start(0)
        return
    async with sessionmaker() as session:
        counts = [
            await session.scalar(
                select(func.count()).select_from(indexer.live_rows(entity, job.tenant_id, org_ids).subquery())
            )
            for entity in entities
        ]
    await reporter.start(sum(counts))
    for entity in entities:
        await reindex_entity(sessionmaker, settings, job, entity, org_ids, reporter)


async def reindex_entity(
    sessionmaker: Any,
    settings: Any,
    job: SearchIndexJob,
    entity: Entity,
    org_ids: Sequence[uuid.UUID] | None,
    reporter: Reporter,
) -> None:
    """``vector`` jobs recompute every embedding, the others only changed ones (when the tenant's
    auto-indexing is on)."""
    await indexer.reindex_records(
        sessionmaker,
        settings,
        job.tenant_id,
        entity,
        org_ids,
        vectors="all" if job.kind == "vector" else "changed",
        advance=reporter.advance,
    )
