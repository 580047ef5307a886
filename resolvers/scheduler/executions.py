"""Runs of schedules: their record, running one now, reading its arq job, and the schedulable targets.

The catalog documents these routes without features; they still take the scheduler's own
(``scheduler.jobs.view`` to read, ``scheduler.jobs.manage`` to trigger), checked in the handlers,
and every id is read in the caller's tenant and organizations (404 otherwise).
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any

from arq.jobs import Job, JobStatus
from pydantic import BaseModel, ConfigDict
from redis.exceptions import RedisError
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, DomainError, NotFound
from crmgraph.timefmt import format_datetime
from models.scheduler import ScheduledJobExecution
from resolvers.crud import flush_or_conflict, service
from resolvers.entity import Entity, Features, Field, Relation, eq, serialize
from resolvers.events import enqueue_best_effort, record_command
from resolvers.listing import ListParams
from resolvers.operations import Rest, operation
from resolvers.scheduler.engine import QUEUED, job_function, manual_job_id
from resolvers.scheduler.jobs import MANAGE, SCHEDULE, VIEW, visible
from resolvers.scheduler.targets import MODULE, options, resolve_target
from resolvers.scope import entity_conditions
from resolvers.undo import NOT_AVAILABLE, Direction, undo_handler
from resolvers.validation import BoundedInt, text

RO = {"create": False, "update": False}

EXECUTION = Entity(
    name="scheduled_job_execution",
    module=MODULE,
    model=ScheduledJobExecution,
    path=None,
    graphql_name="ScheduledJobExecution",
    plural="scheduled_job_executions",
    features=Features(view=[VIEW]),
    scope="tenant",
    visibility=visible,  # as its schedule: the caller's organizations, tenant-wide runs for some
    soft_delete=False,
    fields=[
        Field("schedule_id", uuid.UUID, **RO),
        Field("tenant_id", uuid.UUID, **RO),
        Field("organization_id", uuid.UUID, **RO),
        Field("due_at", datetime, sort=True, **RO),
        Field("status", str, sort=True, **RO, description="queued, running, succeeded, failed or skipped"),
        Field("trigger_type", str, **RO, description="scheduled or manual"),
        Field("triggered_by_user_id", uuid.UUID, **RO),
        Field("started_at", datetime, sort=True, **RO),
        Field("finished_at", datetime, sort=True, **RO),
        Field("duration_ms", int, **RO),
        Field("error_message", str, **RO),
        Field("error_stack", str, **RO),
        Field("queue_job_id", str, **RO),
        Field("queue_name", str, **RO),
        Field("attempts_made", int, **RO),
        Field("result", dict, **RO),
        Field("created_at", datetime, sort=True, **RO),
    ],
    filters=[
        eq("scheduleId", ScheduledJobExecution.schedule_id, uuid.UUID),
        eq("status", ScheduledJobExecution.status),
        eq("triggerType", ScheduledJobExecution.trigger_type),
    ],
    relations=[
        Relation("schedule", "scheduled_job", "one", source_fk="schedule_id", description="Its schedule.")
    ],
    default_sort="created_at",
    rest_verbs=(),
    mutations=(),
    description="One run of a schedule: when it was due, how it went, its arq job.",
)


class ServiceUnavailable(DomainError):
    status = 503
    code = "unavailable"


# --- executions of a schedule ------------------------------------------------------------------


class ExecutionsInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    page: BoundedInt = 1
    pageSize: BoundedInt = 20
    status: text(20) | None = None


@operation(
    "scheduled_job_executions",
    MODULE,
    input=ExecutionsInput,
    kind="query",
    graphql=False,  # GraphQL: ``scheduledJobExecutions(filter: {scheduleId})`` and ``scheduledJob { executions }``
    rest=Rest("GET", "/scheduler/jobs/{id}/executions"),
)
async def executions(ctx: RequestContext, data: ExecutionsInput) -> dict[str, Any]:
    """The runs of a schedule, latest first (``scheduler.jobs.view``)."""
    ctx.require_features([VIEW])
    await service(SCHEDULE).get(ctx, data.id, check=False)  # 404 unless visible
    filters: dict[str, Any] = {"scheduleId": data.id}
    if data.status:
        filters["status"] = data.status
    params = ListParams(
        page=data.page, page_size=data.pageSize, sort_field="created_at", sort_dir="desc", filters=filters
    )
    page = await service(EXECUTION).list(ctx, params)
    return {
        "items": [serialize(EXECUTION, row) for row in page.items],
        "total": page.total,
        "page": page.page,
        "pageSize": page.page_size,
        "totalPages": math.ceil(page.total / page.page_size) if page.total else 0,
    }


# --- running a schedule now --------------------------------------------------------------------


class TriggerInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class TriggerResult(BaseModel):
    ok: bool
    jobId: str
    message: str


@operation(
    "trigger_scheduled_job",
    MODULE,
    input=TriggerInput,
    output=TriggerResult,
    transaction=False,  # the run is queued only once its execution row is committed
    rest=Rest("POST", "/scheduler/trigger"),
)
async def trigger(ctx: RequestContext, data: TriggerInput) -> dict[str, Any]:
    """Run a schedule now, whatever its timing and even when disabled (``scheduler.jobs.manage``).
    The run is recorded as a manual execution and queued for the worker."""
    principal = ctx.require_features([MANAGE])
    async with ctx.unit_of_work(command=f"{MODULE}.trigger_scheduled_job") as uow:
        schedule = await service(SCHEDULE).fetch(ctx, uow.session, data.id, lock=True)
        if schedule.require_feature:
            ctx.require_features([schedule.require_feature])
        resolve_target(schedule.target_type, schedule.target_queue, schedule.target_command)
        execution_id = uuid.uuid4()
        execution = ScheduledJobExecution(
            id=execution_id,
            schedule_id=schedule.id,
            tenant_id=schedule.tenant_id,
            organization_id=schedule.organization_id,
            due_at=datetime.now(UTC),
            status=QUEUED,
            trigger_type="manual",
            triggered_by_user_id=principal.user_id,
            queue_job_id=manual_job_id(schedule.id, execution_id),
            queue_name=ctx.settings.queue_name,
            attempts_made=0,
        )
        uow.session.add(execution)
        await flush_or_conflict(uow)
        await uow.session.refresh(execution)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="scheduled_job_execution",
            verb="trigger",
            event="triggered",
            resource_id=execution.id,
            tenant_id=execution.tenant_id,
            organization_id=execution.organization_id,
            after=serialize(EXECUTION, execution),
        )
    queued = await enqueue_best_effort(
        ctx, job_function(schedule), str(execution.id), _job_id=execution.queue_job_id
    )
    message = "Job queued" if queued else "Job recorded; the worker will queue it within a minute"
    return {"ok": True, "jobId": execution.queue_job_id, "message": message}


@undo_handler(f"{MODULE}.scheduled_job_execution.trigger")
async def _no_undo(ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction) -> None:
    raise BadRequest(NOT_AVAILABLE, reason="a run cannot be taken back")


# --- the arq job of a run ----------------------------------------------------------------------


class QueueJobInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    jobId: text(200)
    queue: text(200)


class QueueJob(BaseModel):
    """A run's arq job as Redis holds it (``state``: waiting, delayed, active, completed, failed)."""

    id: str
    name: str
    state: str
    progress: Any | None = None
    returnvalue: Any | None = None
    failedReason: str | None = None
    stacktrace: list[str] | None = None
    attemptsMade: int
    processedOn: str | None = None
    finishedOn: str | None = None
    logs: list[str]


STATES = {JobStatus.deferred: "delayed", JobStatus.queued: "waiting", JobStatus.in_progress: "active"}


def _logs(execution: ScheduledJobExecution) -> list[str]:
    lines = [f"{format_datetime(execution.created_at)} recorded ({execution.trigger_type})"]
    if execution.started_at:
        lines.append(f"{format_datetime(execution.started_at)} started (attempt {execution.attempts_made})")
    if execution.finished_at:
        outcome = f": {execution.error_message}" if execution.error_message else ""
        lines.append(f"{format_datetime(execution.finished_at)} {execution.status}{outcome}")
    return lines


def _when(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


@operation(
    "scheduled_queue_job",
    MODULE,
    input=QueueJobInput,
    output=QueueJob,
    kind="query",
    rest=Rest("GET", "/scheduler/queue-jobs/{jobId}"),
)
async def queue_job(ctx: RequestContext, data: QueueJobInput) -> dict[str, Any]:
    """The arq job of one of the caller's runs, read from Redis (``scheduler.jobs.view``): its state,
    result or failure. 404 for a job that is not a run the caller may see, or that Redis no longer
    holds (results are kept an hour)."""
    ctx.require_features([VIEW])
    async with ctx.read_session() as session:
        query = select(ScheduledJobExecution).where(
            ScheduledJobExecution.queue_job_id == data.jobId, *await entity_conditions(ctx, EXECUTION)
        )
        execution = (await session.execute(query.limit(1))).scalar_one_or_none()
    if execution is None or execution.queue_name != data.queue:
        raise NotFound("Queue job not found")
    if ctx.redis is None:
        raise ServiceUnavailable("The queue is not available")
    job = Job(data.jobId, ctx.redis, _queue_name=data.queue)
    try:
        status = await job.status()
        info = await job.result_info() if status == JobStatus.complete else await job.info()
    except (RedisError, OSError, TimeoutError):
        raise ServiceUnavailable("The queue is not available") from None
    if status == JobStatus.not_found or info is None:
        raise NotFound("Queue job not found")
    success = getattr(info, "success", None)
    state = STATES.get(status) or ("completed" if success else "failed")
    return {
        "id": data.jobId,
        "name": info.function,
        "state": state,
        "progress": None,
        "returnvalue": info.result if success else None,
        "failedReason": str(info.result) if success is False else None,
        "stacktrace": None,
        "attemptsMade": info.job_try or execution.attempts_made,
        "processedOn": _when(getattr(info, "start_time", None)),
        "finishedOn": _when(getattr(info, "finish_time", None)),
        "logs": _logs(execution),
    }


# --- what can be scheduled ---------------------------------------------------------------------


class TargetOption(BaseModel):
    value: str
    label: str


class Targets(BaseModel):
    queues: list[TargetOption]
    commands: list[TargetOption]


@operation(
    "scheduler_targets",
    MODULE,
    output=Targets,
    kind="query",
    rest=Rest("GET", "/scheduler/targets"),
)
async def targets(ctx: RequestContext) -> dict[str, Any]:
    """The queue targets (arq jobs that may be scheduled) and the commands a schedule may run
    (``scheduler.jobs.view``)."""
    ctx.require_features([VIEW])
    return options()
