"""Progress jobs: the entity, its status machine and the state changes every path shares.

A job belongs to a tenant and an organization (lists and reads are scoped like any org entity) and
to an owner, the user or API key that started it. Reports (processed/total/percent/message) and
status changes may come from the owner or from a holder of ``progress.manage``; anyone in scope
holding ``progress.cancel`` who owns the job, or holds ``progress.manage``, may cancel it. A pending
job is cancelled at once; a running one gets ``cancelRequestedAt`` and its process stops at its next
report (``resolvers.progress.tracker`` raises ``JobCancelled``), then marks it cancelled.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crmgraph.context import Principal, RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, NotFound, ValidationFailed, issue
from models.progress import ProgressJob
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, eq, one_of, serialize, since
from resolvers.events import emit, record_command
from resolvers.scope import entity_conditions, load_in_scope, parse_uuid
from resolvers.statemachine import machine
from resolvers.undo import restore_snapshot

MODULE = "progress"
KIND = "progress_job"
MANAGE = "progress.manage"
ACTIVE = ("pending", "running")
FINISHED = ("completed", "failed", "cancelled")
READONLY = {"create": False, "update": False}
INT32_MAX = 2**31 - 1

STATUS = machine(
    "progress.progress_job.status",
    "status",
    "pending",
    pending=("running", "completed", "failed", "cancelled"),
    running=("completed", "failed", "cancelled"),
    completed=(),
    failed=(),
    cancelled=(),
)


def now() -> datetime:
    return datetime.now(UTC)


def _include_completed(query: Any, include: bool) -> Any:
    return query if include else query.where(ProgressJob.status.in_(ACTIVE))


def _defaults(filters: dict[str, Any]) -> dict[str, Any]:
    """Finished jobs are listed only with ``includeCompleted=true`` or a ``status`` naming them."""
    if filters.get("status") is None and filters.get("includeCompleted") is None:
        return {**filters, "includeCompleted": False}
    return filters


def _check(data: dict[str, Any]) -> None:
    problems = [
        issue(key, "Must not be blank", "too_small")
        for key in ("job_type", "name")
        if key in data and data[key] is not None and not data[key].strip()
    ]
    problems += [
        issue(key, message, "too_small")
        for key, low, message in (
            ("total_count", 1, "Must be at least 1"),
            ("partition_count", 1, "Must be at least 1"),
            ("partition_index", 0, "Must not be negative"),
        )
        if data.get(key) is not None and data[key] < low
    ]
    index, count = data.get("partition_index"), data.get("partition_count")
    if index is not None and count is not None and index >= count:
        problems.append(issue("partitionIndex", "Must be below partitionCount", "too_big"))
    if problems:
        raise ValidationFailed(problems)


def owner_fields(principal: Principal) -> dict[str, Any]:
    return {"started_by_user_id": principal.user_id, "started_by_api_key_id": principal.api_key_id}


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check(data)
    if data.get("parent_job_id") is not None:
        await load_in_scope(ctx, uow.session, ProgressJob, data["parent_job_id"], "Parent job")
    stamp = now()
    data.update(
        status=STATUS.initial,
        progress_percent=0,
        processed_count=0,
        cancellable=bool(data.get("cancellable")),
        created_at=stamp,
        updated_at=stamp,
        **owner_fields(ctx.require_auth()),
    )


PROGRESS_JOB = Entity(
    name=KIND,
    module=MODULE,
    model=ProgressJob,
    path="/progress/jobs",
    graphql_name="ProgressJob",
    plural="progressJobs",
    features=Features(
        view=[], create=["progress.create"], update=["progress.update"], delete=["progress.cancel"]
    ),
    fields=[
        Field("job_type", str, required=True, sort=True, search=True, max_length=100),
        Field("name", str, required=True, sort=True, search=True, max_length=255),
        Field("description", str, max_length=1000),
        Field("status", str, sort=True, **READONLY),
        Field("progress_percent", int, **READONLY),
        Field("processed_count", int, **READONLY),
        Field("total_count", int),
        Field("eta_seconds", int, **READONLY),
        Field("message", str, **READONLY),
        Field("cancellable", bool),
        Field("cancel_requested_at", datetime, **READONLY),
        Field("started_by_user_id", uuid.UUID, **READONLY),
        Field("started_by_api_key_id", uuid.UUID, **READONLY),
        Field("started_at", datetime, sort=True, **READONLY),
        Field("heartbeat_at", datetime, **READONLY),
        Field("finished_at", datetime, sort=True, **READONLY),
        Field("result_summary", dict, **READONLY),
        Field("error_message", str, **READONLY),
        Field("meta", dict),
        Field("parent_job_id", uuid.UUID),
        Field("partition_index", int),
        Field("partition_count", int),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        one_of("status", ProgressJob.status),
        eq("jobType", ProgressJob.job_type),
        eq("parentJobId", ProgressJob.parent_job_id, uuid.UUID),
        Filter(
            "includeCompleted",
            bool,
            _include_completed,
            description="List finished jobs too (by default only pending and running ones, unless `status` is given).",
        ),
        since("completedSince", ProgressJob.finished_at),
    ],
    relations=[
        Relation(
            "parent", KIND, "one", source_fk="parent_job_id", description="The job this one is a part of."
        ),
        Relation("children", KIND, "many", target_fk="parent_job_id", description="Partitions of this job."),
    ],
    filter_defaults=_defaults,
    soft_delete=False,
    rest_verbs=("GET", "POST"),
    mutations=("create",),
    default_sort="created_at",
    hooks=guarded(ProgressJob, Hooks(before_create=_before_create)),
    description=(
        "A long-running operation and its progress (processed of total, percent, ETA, message); "
        "cancellable ones stop at their next report once cancelled."
    ),
)


# --- reads -----------------------------------------------------------------------------------
async def load_job(ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False) -> ProgressJob:
    """A job in the caller's scope, else 404 (another tenant's or organization's ids too)."""
    parsed = parse_uuid(ident)
    if parsed is None:
        raise NotFound("Job not found")
    query = select(ProgressJob).where(ProgressJob.id == parsed, *await entity_conditions(ctx, PROGRESS_JOB))
    job = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if job is None:
        raise NotFound("Job not found")
    return job


def owns(principal: Principal, job: ProgressJob) -> bool:
    by_user = principal.user_id is not None and job.started_by_user_id == principal.user_id
    by_key = principal.api_key_id is not None and job.started_by_api_key_id == principal.api_key_id
    return by_user or by_key


def require_owner(ctx: RequestContext, job: ProgressJob) -> None:
    """Only the job's owner, or a holder of ``progress.manage``, changes it."""
    principal = ctx.require_auth()
    if not owns(principal, job) and not principal.has(MANAGE):
        raise Forbidden([MANAGE])


# --- state changes ---------------------------------------------------------------------------
def percent_of(processed: int, total: int | None) -> int | None:
    if not total:
        return None
    return max(0, min(100, processed * 100 // total))


def eta_of(job: ProgressJob, at: datetime) -> int | None:
    """Seconds left at the pace so far (None until something was processed)."""
    if not job.total_count or not job.processed_count or job.started_at is None:
        return None
    elapsed = (at - job.started_at).total_seconds()
    left = max(job.total_count - job.processed_count, 0)
    return min(int(elapsed * left / job.processed_count), INT32_MAX)


def report(
    job: ProgressJob,
    *,
    processed: int | None = None,
    total: int | None = None,
    percent: int | None = None,
    eta: int | None = None,
    message: str | None = None,
    meta: dict[str, Any] | None = None,
) -> None:
    """Apply a progress report; a pending job that reports progress is running."""
    if job.status in FINISHED:
        raise Conflict("Job already finished", code="job_finished", jobStatus=job.status)
    stamp = now()
    if job.status == "pending":
        start(job, stamp)
    if total is not None:
        job.total_count = total
    if processed is not None:
        job.processed_count = processed
    if message is not None:
        job.message = message
    if meta:
        job.meta = {**(job.meta or {}), **meta}
    computed = percent_of(job.processed_count, job.total_count)
    job.progress_percent = percent if percent is not None else computed or job.progress_percent
    job.eta_seconds = eta if eta is not None else eta_of(job, stamp)
    job.heartbeat_at = job.updated_at = stamp


def start(job: ProgressJob, stamp: datetime) -> None:
    STATUS.check(job.status, "running")
    job.status = "running"
    job.started_at = job.started_at or stamp
    job.heartbeat_at = job.updated_at = stamp


def finish(
    job: ProgressJob,
    status: str,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    """Move a job to a final status (``completed``, ``failed`` or ``cancelled``)."""
    STATUS.check(job.status, status)
    if job.status == status:
        return
    stamp = now()
    job.status = status
    job.started_at = job.started_at or stamp
    job.finished_at = job.heartbeat_at = job.updated_at = stamp
    job.eta_seconds = 0
    if status == "completed":
        job.progress_percent = 100
        if job.total_count and job.processed_count < job.total_count:
            job.processed_count = job.total_count
    if error is not None:
        job.error_message = error
    if result is not None:
        job.result_summary = result


def request_cancel(job: ProgressJob, principal: Principal) -> str:
    """Cancel a pending job, or ask a running one to stop; the event name's verb."""
    if not job.cancellable:
        raise Conflict("Job is not cancellable", code="not_cancellable")
    if job.status in FINISHED:
        raise Conflict("Job already finished", code="job_finished", jobStatus=job.status)
    stamp = now()
    job.cancel_requested_at = job.cancel_requested_at or stamp
    job.cancelled_by_user_id = principal.user_id
    job.updated_at = stamp
    if job.status == "pending":
        finish(job, "cancelled")
        return "cancelled"
    return "cancel_requested"


def publish(
    ctx: RequestContext,
    uow: UnitOfWork,
    job: ProgressJob,
    event: str,
    *,
    command: str | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    """The job's event ``progress.progress_job.<event>``, carrying the job as it now is.

    ``command`` (a user's command: update, cancel) also files an action-log entry; a tracker's
    reports are telemetry and only publish the event, so a running job never takes its owner's
    undo stack or floods the action log.
    """
    after = serialize(PROGRESS_JOB, job)
    if command is not None:
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity=KIND,
            verb=command,
            event=event,
            resource_id=job.id,
            tenant_id=job.tenant_id,
            organization_id=job.organization_id,
            before=before,
            after=after,
            payload={"job": after},
        )
        return
    payload = {
        "id": str(job.id),
        "tenantId": str(job.tenant_id),
        **({"organizationId": str(job.organization_id)} if job.organization_id else {}),
        "job": after,
    }
    emit(ctx, uow, f"{MODULE}.{KIND}.{event}", payload, job.tenant_id, job.organization_id)


def job_snapshot(payload: dict[str, Any]) -> ProgressJob | None:
    """The job as a progress event carries it (``payload.job``), detached from any session."""
    snapshot = payload.get("job")
    ident = parse_uuid(snapshot.get("id")) if isinstance(snapshot, dict) else None
    if ident is None:
        return None
    job = ProgressJob(id=ident)
    restore_snapshot(PROGRESS_JOB, job, snapshot)
    return job
