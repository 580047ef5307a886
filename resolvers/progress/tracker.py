"""The Python API long-running work reports its progress through.

    async with track(ctx, "Reindex people", total=len(ids), job_type="customers.people.reindex") as job:
        for chunk in chunks(ids, 100):
            await reindex(chunk)
            await job.advance(len(chunk))
    if job.cancelled:
        ...  # stopped early: someone cancelled it through the API

``track`` creates a running job (or adopts a pending one created through ``POST /progress/jobs``,
``job_id=``) and finishes it when the block ends: completed, failed (the exception is re-raised) or
cancelled. Reports are persisted at most once per ``interval`` seconds, each in its own short
transaction (so progress shows while the work's own transaction is still open), and publish the
job's event; every persisted report also reads whether a cancellation was requested, and then
``advance`` raises :class:`JobCancelled`, which ``track`` absorbs after marking the job cancelled.
Observers (a CLI progress bar, ``resolvers.progress.console``) see every change, unthrottled.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from crmgraph.context import RequestContext, WorkState
from crmgraph.errors import DomainError, NotFound
from models.progress import ProgressJob
from resolvers.progress.jobs import (
    FINISHED,
    finish,
    load_job,
    now,
    owner_fields,
    percent_of,
    publish,
    report,
    require_owner,
    start,
)
from resolvers.scope import org_scope

log = logging.getLogger("crmgraph.progress")

Observer = Callable[["Tracker"], None]


class JobCancelled(Exception):
    """The job was cancelled through the API: the work must stop."""


@dataclass
class Tracker:
    """A running job as its process sees it (counts kept in memory, persisted when due)."""

    ctx: RequestContext
    id: uuid.UUID
    name: str
    total: int | None = None
    processed: int = 0
    message: str | None = None
    interval: float = 1.0
    observers: Sequence[Observer] = ()
    status: str = "running"
    cancelled: bool = False
    persisted_at: float = field(default_factory=time.monotonic)

    @property
    def percent(self) -> int | None:
        return 100 if self.status == "completed" else percent_of(self.processed, self.total)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    async def advance(self, amount: int = 1, *, message: str | None = None) -> None:
        """Count ``amount`` more items done; persists when due, raises JobCancelled once cancelled."""
        self.processed += amount
        if message is not None:
            self.message = message
        await self._changed()

    async def set_total(self, total: int | None) -> None:
        self.total = total
        await self._changed()

    async def note(self, message: str) -> None:
        """A message shown with the progress (``"Seeding customers"``)."""
        self.message = message
        await self._changed()

    async def checkpoint(self) -> None:
        """Persist now (whatever the interval) and raise JobCancelled if the job was cancelled."""
        await self._save()

    async def _changed(self) -> None:
        self._notify()
        if time.monotonic() - self.persisted_at >= self.interval:
            await self._save()

    def _notify(self) -> None:
        for observer in self.observers:
            try:
                observer(self)
            except Exception:  # a broken display must not stop the work
                log.exception("progress observer failed")

    def _detached(self) -> RequestContext:
        """The context with a unit of work of its own: reports commit at once, even when the work
        runs inside a longer transaction."""
        return replace(self.ctx, work=WorkState())

    async def _save(self) -> None:
        ctx = self._detached()
        async with ctx.unit_of_work() as uow:
            job = await _locked(uow.session, self.id)
            stop = job.cancel_requested_at is not None or job.status in FINISHED
            if not stop:
                report(job, processed=self.processed, total=self.total, message=self.message)
                await uow.session.flush()
                publish(ctx, uow, job, "updated")
        self.persisted_at = time.monotonic()
        if stop:
            self.cancelled = True
            raise JobCancelled(str(self.id))

    async def _finish(self, status: str, error: str | None = None) -> None:
        ctx = self._detached()
        async with ctx.unit_of_work() as uow:
            job = await _locked(uow.session, self.id)
            if job.status not in FINISHED:
                if status == "completed":
                    report(job, processed=self.processed, total=self.total, message=self.message)
                finish(job, status, error=error)
                await uow.session.flush()
                publish(ctx, uow, job, status)
            self.status = job.status
        self._notify()


def _describe(exc: BaseException) -> str:
    """What a failed job tells its readers: a domain error's message, else only the exception's
    kind (a driver's message may quote SQL or data)."""
    return exc.message[:2000] if isinstance(exc, DomainError) else type(exc).__name__


async def _locked(session: Any, job_id: uuid.UUID) -> ProgressJob:
    job = await session.get(ProgressJob, job_id, with_for_update=True, populate_existing=True)
    if job is None:
        raise NotFound("Job not found")
    return job


async def _open(
    ctx: RequestContext,
    name: str,
    *,
    job_type: str,
    total: int | None,
    description: str | None,
    cancellable: bool,
    meta: dict[str, Any] | None,
    job_id: Any,
) -> ProgressJob:
    """Create a running job, or start the pending one ``job_id`` (which the caller must own)."""
    principal = ctx.require_auth()
    detached = replace(ctx, work=WorkState())
    async with detached.unit_of_work() as uow:
        if job_id is not None:
            job = await load_job(detached, uow.session, job_id, lock=True)
            require_owner(detached, job)
            start(job, now())
            if total is not None:
                job.total_count = total
            event = "started"
        else:
            scope = await org_scope(detached)
            stamp = now()
            job = ProgressJob(
                id=uuid.uuid4(),
                tenant_id=scope.tenant_id,
                organization_id=scope.selected_org_id or principal.org_id,
                job_type=job_type,
                name=name,
                description=description,
                status="running",
                progress_percent=0,
                processed_count=0,
                total_count=total,
                cancellable=cancellable,
                meta=meta,
                started_at=stamp,
                heartbeat_at=stamp,
                created_at=stamp,
                updated_at=stamp,
                **owner_fields(principal),
            )
            uow.session.add(job)
            event = "created"
        await uow.session.flush()
        publish(detached, uow, job, event)
    return job


@asynccontextmanager
async def track(
    ctx: RequestContext,
    name: str,
    *,
    total: int | None = None,
    job_type: str = "custom",
    description: str | None = None,
    cancellable: bool = True,
    interval: float = 1.0,
    meta: dict[str, Any] | None = None,
    observers: Sequence[Observer] = (),
    job_id: Any = None,
) -> AsyncIterator[Tracker]:
    """A job tracking the block's work (see the module docstring). ``interval`` is the least time
    between persisted reports (0: every change)."""
    job = await _open(
        ctx,
        name,
        job_type=job_type,
        total=total,
        description=description,
        cancellable=cancellable,
        meta=meta,
        job_id=job_id,
    )
    tracker = Tracker(ctx, job.id, job.name, job.total_count, interval=interval, observers=observers)
    tracker._notify()
    try:
        yield tracker
    except JobCancelled:
        tracker.cancelled = True
        await tracker._finish("cancelled")
    except BaseException as exc:
        try:
            await tracker._finish("failed", error=_describe(exc))
        except Exception:  # the failure being reported matters more than the report
            log.exception("could not mark progress job %s failed", tracker.id)
        raise
    else:
        await tracker._finish("completed")
