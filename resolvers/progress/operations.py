"""The progress module's operations beyond the entity's list and create: a job's detail, progress
reports and status changes, cancellation, and the active jobs of the progress bar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.progress import ProgressJob
from resolvers.entity import serialize
from resolvers.operations import Rest, operation
from resolvers.progress.jobs import (
    ACTIVE,
    MODULE,
    PROGRESS_JOB,
    finish,
    load_job,
    now,
    publish,
    report,
    request_cancel,
    require_owner,
)
from resolvers.scope import entity_conditions
from resolvers.validation import BoundedInt, SafeDict, text

RECENT = timedelta(seconds=30)  # finished jobs the progress bar still shows
ACTIVE_LIMIT = 50
RECENT_LIMIT = 10


class JobRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


class JobReport(JobRef):
    """A progress report and/or a status change (by the job's owner or a ``progress.manage`` holder)."""

    processedCount: BoundedInt | None = PydanticField(None, ge=0)
    totalCount: BoundedInt | None = PydanticField(None, ge=1)
    progressPercent: BoundedInt | None = PydanticField(None, ge=0, le=100)
    etaSeconds: BoundedInt | None = PydanticField(None, ge=0)
    message: text(500) | None = None
    meta: SafeDict | None = None
    status: Literal["running", "completed", "failed", "cancelled"] | None = None
    errorMessage: text(2000) | None = None
    resultSummary: SafeDict | None = None


def _reported(data: JobReport) -> bool:
    fields = ("processedCount", "totalCount", "progressPercent", "etaSeconds", "message", "meta")
    return any(getattr(data, name) is not None for name in fields)


@operation(
    "progress_job_detail",
    MODULE,
    input=JobRef,
    kind="query",
    graphql=False,  # GraphQL: the entity's ``progressJob(id)``
    rest=Rest("GET", "/progress/jobs/{id}"),
)
async def job_detail(ctx: RequestContext, data: JobRef) -> dict[str, Any]:
    """One job with everything known about it (404 outside the caller's scope)."""
    async with ctx.read_session() as session:
        return serialize(PROGRESS_JOB, await load_job(ctx, session, data.id))


def _report_reply(job: ProgressJob) -> dict[str, Any]:
    return {
        "ok": True,
        "status": job.status,
        "progressPercent": job.progress_percent,
        "cancelRequested": job.cancel_requested_at is not None,
    }


@operation(
    "update_progress_job",
    MODULE,
    input=JobReport,
    output=PROGRESS_JOB,
    features=("progress.update",),
    rest=Rest("PUT", "/progress/jobs/{id}", reply=_report_reply),
)
async def update_job(ctx: RequestContext, data: JobReport) -> ProgressJob:
    """Report progress (processed/total/percent/ETA/message/meta) and/or move the job on (running,
    completed, failed, cancelled). The answer says whether a cancellation was requested: the
    reporting process should stop and report ``status: cancelled``. 409 once the job finished."""
    async with ctx.unit_of_work() as uow:
        job = await load_job(ctx, uow.session, data.id, lock=True)
        require_owner(ctx, job)
        before = serialize(PROGRESS_JOB, job)
        if _reported(data) or data.status == "running":
            report(
                job,
                processed=data.processedCount,
                total=data.totalCount,
                percent=data.progressPercent,
                eta=data.etaSeconds,
                message=data.message,
                meta=data.meta,
            )
        event = "updated"
        if data.status is not None and data.status != "running":
            finish(job, data.status, error=data.errorMessage, result=data.resultSummary)
            event = data.status
        await uow.session.flush()
        publish(ctx, uow, job, event, command="update", before=before)
    return job


@operation(
    "cancel_progress_job",
    MODULE,
    input=JobRef,
    output=PROGRESS_JOB,
    features=("progress.cancel",),
    rest=Rest("DELETE", "/progress/jobs/{id}", status=204, reply=lambda _job: None),
)
async def cancel_job(ctx: RequestContext, data: JobRef) -> ProgressJob:
    """Cancel a cancellable job (204): a pending one at once, a running one at its next report.
    409 when it is not cancellable or already finished."""
    async with ctx.unit_of_work() as uow:
        job = await load_job(ctx, uow.session, data.id, lock=True)
        require_owner(ctx, job)
        if job.cancel_requested_at is not None and job.status in ACTIVE:
            return job  # asked already: nothing changes
        before = serialize(PROGRESS_JOB, job)
        event = request_cancel(job, ctx.require_auth())
        await uow.session.flush()
        publish(ctx, uow, job, event, command="cancel", before=before)
    return job


class JobSummary(BaseModel):
    """A job as the progress bar shows it."""

    id: str
    jobType: str
    name: str
    description: str | None = None
    status: str
    progressPercent: int
    processedCount: int
    totalCount: int | None = None
    etaSeconds: int | None = None
    message: str | None = None
    cancellable: bool
    cancelRequestedAt: str | None = None
    meta: dict[str, Any] | None = None
    startedAt: str | None = None
    finishedAt: str | None = None
    errorMessage: str | None = None


class ActiveJobs(BaseModel):
    active: list[JobSummary]
    recentlyCompleted: list[JobSummary]


def _summary(job: ProgressJob) -> dict[str, Any]:
    row = serialize(PROGRESS_JOB, job)
    return {key: row.get(key) for key in JobSummary.model_fields}


@operation(
    "progress_active",
    MODULE,
    output=ActiveJobs,
    kind="query",
    rest=Rest("GET", "/progress/active"),
)
async def active_jobs(ctx: RequestContext) -> dict[str, Any]:
    """Top-level jobs under way (newest first) and those finished in the last 30 seconds."""
    scope = await entity_conditions(ctx, PROGRESS_JOB)
    top = (*scope, ProgressJob.parent_job_id.is_(None))
    async with ctx.read_session() as session:
        active = await session.scalars(
            select(ProgressJob)
            .where(*top, ProgressJob.status.in_(ACTIVE))
            .order_by(ProgressJob.created_at.desc(), ProgressJob.id)
            .limit(ACTIVE_LIMIT)
        )
        recent = await session.scalars(
            select(ProgressJob)
            .where(
                *top,
                ProgressJob.status.in_(("completed", "failed")),
                ProgressJob.finished_at >= now() - RECENT,
            )
            .order_by(ProgressJob.finished_at.desc(), ProgressJob.id)
            .limit(RECENT_LIMIT)
        )
        return {
            "active": [_summary(job) for job in active],
            "recentlyCompleted": [_summary(job) for job in recent],
        }
