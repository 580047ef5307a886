"""Running schedules on arq: the per-minute evaluation of due schedules and the run of one execution.

``enqueue_due`` (an arq cron job, ``workers/scheduler.py``) claims the due schedules with
``FOR UPDATE SKIP LOCKED``, advances their ``next_run_at`` and writes one execution row per due time
(unique per schedule and due time) in one transaction, then enqueues each run with a deterministic
``_job_id`` (schedule id + due minute): two workers evaluating the same minute never record, nor
queue, a run twice. Executions still queued a minute later (Redis was unreachable, a worker died
between commit and enqueue) are queued again under the same job id.

``execute`` (the arq job) claims its execution (queued -> running), runs the target with the
rights of the schedule's owner in the schedule's tenant and organization, and records the outcome
(status, timings, error or result) with a domain event. A run that fails is recorded and then
raised, so arq keeps it as a failed job; it is never retried (a command may not be idempotent). A
job that finds its execution already running is a rerun after the worker died mid-run: it is
recorded as failed rather than run twice.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from crmgraph import dberrors
from crmgraph.authn import load_user_principal, principal, roles_with_acl
from crmgraph.config import Settings
from crmgraph.context import ALL_ORGS, Principal, RequestContext, Selection, UnitOfWork
from crmgraph.errors import DomainError, Forbidden, ValidationFailed
from models.api_keys import ApiKey, ApiKeyRole
from models.scheduler import ScheduledJob, ScheduledJobExecution
from resolvers.entity import to_jsonable
from resolvers.events import emit
from resolvers.scheduler.targets import COMMAND_JOB, MODULE, QUEUE_TARGETS, resolve_target
from resolvers.scheduler.timing import following_run
from resolvers.scope import parse_uuid

log = logging.getLogger("crmgraph.scheduler")

QUEUED, RUNNING, SUCCEEDED, FAILED, SKIPPED = "queued", "running", "succeeded", "failed", "skipped"
STALE_AFTER = timedelta(minutes=1)
STUCK_AFTER = timedelta(minutes=10)  # well past the worker's job timeout: the run was cut off
BATCH = 500  # schedules claimed per evaluation (the rest are due on the next one)
API_KEY = "api_key:"


class ScheduledRunFailed(Exception):
    """Raised by the arq job after recording a failed run, so arq keeps the job as failed."""


def scheduled_job_id(schedule_id: uuid.UUID, due_at: datetime) -> str:
    return f"scheduler:{schedule_id}:{due_at.astimezone(UTC):%Y%m%dT%H%MZ}"


def manual_job_id(schedule_id: uuid.UUID, execution_id: uuid.UUID) -> str:
    return f"scheduler:{schedule_id}:manual:{execution_id}"


def job_function(schedule: ScheduledJob) -> str:
    return schedule.target_queue if schedule.target_type == "queue" else COMMAND_JOB


def system_context(settings: Settings, sessionmaker: Any, redis: Any) -> RequestContext:
    """The worker's own context: system sessions, events enqueued on the worker's Redis."""
    return RequestContext(
        settings=settings,
        sessionmaker=sessionmaker,
        enqueue=redis.enqueue_job if redis is not None else None,
        redis=redis,
    )


# --- evaluating due schedules ------------------------------------------------------------------


async def enqueue_due(
    settings: Settings, sessionmaker: Any, redis: Any, now: datetime | None = None
) -> list[str]:
    """Record and queue every run due at ``now`` (default: the current time); returns their job ids."""
    now = now or datetime.now(UTC)
    queued: list[tuple[str, str, str]] = []  # (arq function, execution id, job id)
    async with sessionmaker() as session:
        due = (
            select(ScheduledJob)
            .where(
                ScheduledJob.is_enabled.is_(True),
                ScheduledJob.deleted_at.is_(None),
                ScheduledJob.next_run_at <= now,
            )
            .order_by(ScheduledJob.next_run_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for schedule in (await session.execute(due)).scalars().all():
            due_at = schedule.next_run_at
            try:
                schedule.next_run_at = following_run(
                    schedule.schedule_type, schedule.schedule_value, schedule.timezone, due_at, now
                )
                function = resolve_target(
                    schedule.target_type, schedule.target_queue, schedule.target_command
                ).job
            except ValidationFailed as exc:  # stored before a target or timezone went away
                log.warning("schedule %s disabled: %s", schedule.id, exc.extra.get("details"))
                schedule.is_enabled, schedule.next_run_at = False, None
                continue
            job_id = scheduled_job_id(schedule.id, due_at)
            created = await session.scalar(
                insert(ScheduledJobExecution)
                .values(
                    id=uuid.uuid4(),
                    schedule_id=schedule.id,
                    tenant_id=schedule.tenant_id,
                    organization_id=schedule.organization_id,
                    due_at=due_at,
                    status=QUEUED,
                    trigger_type="scheduled",
                    queue_job_id=job_id,
                    queue_name=settings.queue_name,
                )
                .on_conflict_do_nothing(index_elements=["schedule_id", "due_at"])
                .returning(ScheduledJobExecution.id)
            )
            if created is not None:
                queued.append((function, str(created), job_id))
        await session.commit()
    queued += await _stale(sessionmaker, now)
    for function, execution_id, job_id in queued:
        await redis.enqueue_job(function, execution_id, _job_id=job_id)  # a duplicate id is a no-op
    return [job_id for *_, job_id in queued]


async def _stale(sessionmaker: Any, now: datetime) -> list[tuple[str, str, str]]:
    """Executions queued over STALE_AFTER ago: queue them again (same job id, so arq ignores the
    ones it still holds); those whose target is gone are failed instead. Runs still "running"
    STUCK_AFTER after they started were cut off (a job timeout): they are failed."""
    found = []
    async with sessionmaker() as session:
        stuck = await session.execute(
            select(ScheduledJobExecution)
            .where(
                ScheduledJobExecution.status == RUNNING, ScheduledJobExecution.started_at < now - STUCK_AFTER
            )
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for execution in stuck.scalars().all():
            _finish(execution, FAILED, now, error="The run did not finish (timed out, or its worker stopped)")
        rows = (
            await session.execute(
                select(ScheduledJobExecution, ScheduledJob)
                .join(ScheduledJob, ScheduledJob.id == ScheduledJobExecution.schedule_id)
                .where(
                    ScheduledJobExecution.status == QUEUED,
                    ScheduledJobExecution.created_at < now - STALE_AFTER,
                )
                .order_by(ScheduledJobExecution.created_at)
                .limit(BATCH)
            )
        ).all()
        for execution, schedule in rows:
            function = job_function(schedule)
            if function == COMMAND_JOB or function in QUEUE_TARGETS:
                found.append((function, str(execution.id), execution.queue_job_id))
            else:
                _finish(execution, FAILED, now, error="The schedule's target no longer exists")
        await session.commit()
    return found


# --- running one execution ---------------------------------------------------------------------


async def execute(settings: Settings, sessionmaker: Any, redis: Any, execution_id: str) -> dict[str, Any]:
    """Run one execution (the arq job); see the module docstring for the states it goes through."""
    ctx = system_context(settings, sessionmaker, redis)
    claimed = await _claim(ctx, parse_uuid(execution_id))
    if not isinstance(claimed, ScheduledJob):
        return claimed
    schedule = claimed
    try:
        result, status, error = await _run(ctx, schedule, execution_id), SUCCEEDED, None
    except Skip as skip:
        result, status, error = None, SKIPPED, str(skip)
    except Exception as exc:
        if not isinstance(exc, DomainError | DBAPIError):
            log.exception("scheduled run %s of schedule %s failed", execution_id, schedule.id)
        result, status, error = None, FAILED, describe(exc)
    await _record(ctx, parse_uuid(execution_id), status, result, error)
    if status == FAILED:
        raise ScheduledRunFailed(error)
    return {"status": status, "result": result, **({"reason": error} if error else {})}


class Skip(Exception):
    """The run does not happen (its schedule is gone or disabled, or its owner lacks the feature)."""


async def _claim(ctx: RequestContext, ident: uuid.UUID | None) -> ScheduledJob | dict[str, Any]:
    """Move the execution from queued to running (the schedule to run), or say why not."""
    async with ctx.unit_of_work(system=True) as uow:
        execution = await uow.session.scalar(
            select(ScheduledJobExecution)
            .where(ScheduledJobExecution.id == ident)
            .with_for_update(skip_locked=True)
        )
        if execution is None:
            return {"status": "skipped", "reason": "no such execution, or it is being run"}
        now = datetime.now(UTC)
        if execution.status == RUNNING:  # this job was started before and its worker died
            _finish(execution, FAILED, now, error="The worker stopped during the run")
            _event(ctx, uow, execution)
            return {"status": FAILED, "reason": execution.error_message}
        if execution.status != QUEUED:
            return {"status": execution.status, "reason": "already run"}
        schedule = await uow.session.get(ScheduledJob, execution.schedule_id, with_for_update=True)
        execution.status, execution.started_at = RUNNING, now
        execution.attempts_made += 1
        schedule.last_run_at = now
        return schedule


async def _run(ctx: RequestContext, schedule: ScheduledJob, execution_id: str) -> Any:
    if schedule.deleted_at is not None:
        raise Skip("The schedule was deleted")
    async with ctx.read_session(system=True) as session:
        trigger = await session.scalar(
            select(ScheduledJobExecution.trigger_type).where(
                ScheduledJobExecution.id == parse_uuid(execution_id)
            )
        )
        owner = await owner_principal(session, schedule.created_by)
    if trigger == "scheduled" and not schedule.is_enabled:
        raise Skip("The schedule is disabled")
    if owner is None:
        raise Forbidden(message="The schedule's owner no longer exists")
    run_ctx = owner_context(ctx, owner, schedule)
    if schedule.require_feature and not owner.has(schedule.require_feature):
        raise Skip(f"The schedule's owner does not hold {schedule.require_feature}")
    target = resolve_target(schedule.target_type, schedule.target_queue, schedule.target_command)
    return jsonable(await target.run(run_ctx, dict(schedule.target_payload or {})))


async def owner_principal(session: Any, subject: str | None) -> Principal | None:
    """The principal a schedule runs as, loaded afresh: a live user, or a live, unexpired API key."""
    if not subject:
        return None
    if subject.startswith(API_KEY):
        key = await session.scalar(
            select(ApiKey).where(
                ApiKey.id == parse_uuid(subject[len(API_KEY) :]), ApiKey.deleted_at.is_(None)
            )
        )
        if key is None or (key.expires_at is not None and key.expires_at <= datetime.now(UTC)):
            return None
        roles, grant = await roles_with_acl(session, ApiKeyRole, "api_key_id", key.id, key.tenant_id)
        return principal(subject, key, roles, grant, api_key_id=key.id)
    user_id = parse_uuid(subject)
    return await load_user_principal(session, user_id) if user_id is not None else None


def owner_context(ctx: RequestContext, owner: Principal, schedule: ScheduledJob) -> RequestContext:
    """A request context for ``owner`` in the schedule's tenant and organization (403 when the
    owner no longer works in that tenant)."""
    if schedule.organization_id is not None:
        organization = str(schedule.organization_id)
    else:
        organization = ALL_ORGS if owner.sees_all_organizations() else None
    run_ctx = RequestContext(
        settings=ctx.settings,
        sessionmaker=ctx.sessionmaker,
        principal=owner,
        selection=Selection(str(schedule.tenant_id), organization),
        enqueue=ctx.enqueue,
        redis=ctx.redis,
    )
    if run_ctx.tenant_id() != schedule.tenant_id:
        raise Forbidden(message="The schedule's owner no longer works in its tenant")
    return run_ctx


async def _record(
    ctx: RequestContext, ident: uuid.UUID | None, status: str, result: Any, error: str | None
) -> None:
    async with ctx.unit_of_work(system=True) as uow:
        execution = await uow.session.get(ScheduledJobExecution, ident, with_for_update=True)
        _finish(execution, status, datetime.now(UTC), error=error, result=result)
        _event(ctx, uow, execution)


def _finish(
    execution: ScheduledJobExecution,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    result: Any = None,
) -> None:
    execution.status, execution.finished_at = status, now
    execution.error_message = error
    execution.result = result
    if execution.started_at is not None:
        execution.duration_ms = int((now - execution.started_at).total_seconds() * 1000)


def _event(ctx: RequestContext, uow: UnitOfWork, execution: ScheduledJobExecution) -> None:
    payload = {
        "id": str(execution.id),
        "scheduleId": str(execution.schedule_id),
        "tenantId": str(execution.tenant_id),
        "status": execution.status,
        "triggerType": execution.trigger_type,
        "errorMessage": execution.error_message,
    }
    name = f"{MODULE}.scheduled_job_execution.{execution.status}"
    emit(ctx, uow, name, payload, execution.tenant_id, execution.organization_id)


def describe(exc: BaseException) -> str:
    """What a failed run records: a domain error's message (and details); never SQL or a trace."""
    if isinstance(exc, DomainError):
        details = exc.extra.get("details")
        required = exc.extra.get("requiredFeatures")
        suffix = f" (requires {', '.join(required)})" if required else ""
        return exc.message + suffix + (f": {json.dumps(details, default=str)[:2000]}" if details else "")
    if isinstance(exc, DBAPIError):
        mapped = dberrors.domain_error(exc)
        return mapped.message if mapped is not None else "Database error"
    return f"Unexpected error ({type(exc).__name__})"


def jsonable(value: Any, depth: int = 0) -> Any:
    """A run's result as JSON (kept on the execution and as the arq job's result)."""
    if depth > 20:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, str):
        return value.replace("\x00", "")  # PostgreSQL's JSON holds no NUL
    if isinstance(value, dict):
        return {jsonable(str(k)): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if value is None or isinstance(value, int | bool):
        return value
    if isinstance(value, uuid.UUID | datetime | date | Decimal):
        return to_jsonable(value)
    if hasattr(value, "id"):  # a row
        return {"id": str(value.id)}
    return jsonable(str(value)[:1000])
