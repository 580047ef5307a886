"""Running a mapping: ``POST /data_sync/run`` queues a run (and a pending progress job owned by the
caller), the arq job ``run_data_sync`` executes it as the caller, reporting through
``resolvers.progress.tracker``; cancel and retry; ``validate`` dry-runs records; ``options`` lists
what a mapping may name.

An import creates each record through its entity's own service (features, validation, hooks, events
and action log as if created by hand); a failing record is counted and its error kept, the others
go on. An export reads the mapping's entity (the caller's scope) and keeps the mapped records on the
run (at most ``MAX_EXPORT``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from crmgraph.context import RequestContext, Selection
from crmgraph.errors import BadRequest, Conflict, DomainError, Forbidden, NotFound
from models.data_sync import DataSyncMapping, DataSyncRun
from models.progress import ProgressJob
from resolvers.crud import service
from resolvers.data_sync.entities import CONFIGURE, MODULE, RUN, RUN_STATUS, VIEW, syncable
from resolvers.entity import Entity, camel, serialize
from resolvers.events import enqueue_best_effort, record_command
from resolvers.listing import ListParams
from resolvers.operations import Rest, operation
from resolvers.progress.jobs import owner_fields, request_cancel
from resolvers.progress.tracker import track
from resolvers.scope import load_in_scope
from resolvers.validation import text

log = logging.getLogger("crmgraph.data_sync")
JOB_FUNCTION = "run_data_sync"
MAX_RECORDS = 1000
MAX_EXPORT = 5000
FINISHED = ("completed", "failed", "cancelled")


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


def _now() -> datetime:
    return datetime.now(UTC)


class RunInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    mappingId: uuid.UUID
    records: list[dict[str, Any]] = PydanticField(default_factory=list, max_length=MAX_RECORDS)


class RunIdInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


class ValidateInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entity: text(100)
    fieldMap: dict[str, Any]
    records: list[dict[str, Any]] = PydanticField(default_factory=list, max_length=MAX_RECORDS)


class DataSyncRunReply(BaseModel):
    ok: bool
    id: str
    status: str
    progressJobId: str | None = None


def mapped(field_map: dict[str, str], record: dict[str, Any]) -> dict[str, Any]:
    """The entity's input from one source record (keys the map does not name are dropped)."""
    return {target: record[key] for key, target in field_map.items() if key in record}


def record_issues(entity: Entity, field_map: dict[str, str], record: Any) -> list[str]:
    """What is wrong with one record before it reaches the entity's own validation."""
    if not isinstance(record, dict):
        return ["A record is an object"]
    data = mapped(field_map, record)
    missing = [camel(f.attr) for f in entity.fields if f.required and f.create and f.attr not in data]
    return [f"Missing {name}" for name in missing]


def subject(principal: Any) -> str:
    """Whom a run or schedule acts as: a user id, or ``api_key:<id>`` (``owner_principal``)."""
    return str(principal.user_id) if principal.user_id else f"api_key:{principal.api_key_id}"


def _reply(run: DataSyncRun) -> dict[str, Any]:
    job = str(run.progress_job_id) if run.progress_job_id else None
    return {"ok": True, "id": str(run.id), "status": run.status, "progressJobId": job}


async def queue_run(
    ctx: RequestContext, uow: Any, mapping: DataSyncMapping, records: list[Any], retry_of: Any = None
) -> DataSyncRun:
    """A queued run of ``mapping`` with its pending progress job; the job is enqueued after commit."""
    principal = ctx.require_auth()
    if not mapping.is_active:
        raise Conflict("The mapping is not active")
    if mapping.direction == "import" and not records:
        raise BadRequest("An import run needs records")
    stamp = _now()
    job = ProgressJob(
        id=uuid.uuid4(),
        tenant_id=mapping.tenant_id,
        organization_id=mapping.organization_id,
        job_type="data_sync.run",
        name=f"Data sync: {mapping.name}",
        status="pending",
        progress_percent=0,
        processed_count=0,
        total_count=len(records) if mapping.direction == "import" else None,
        cancellable=True,
        created_at=stamp,
        updated_at=stamp,
        **owner_fields(principal),
    )
    uow.session.add(job)
    run = DataSyncRun(
        id=uuid.uuid4(),
        tenant_id=mapping.tenant_id,
        organization_id=mapping.organization_id,
        mapping_id=mapping.id,
        retry_of_id=retry_of,
        direction=mapping.direction,
        status=RUN_STATUS.initial,
        records=records,
        output=[],
        errors=[],
        total_count=len(records),
        progress_job_id=job.id,
        started_by=subject(principal),
    )
    uow.session.add(run)
    await uow.session.flush()
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="run",
        verb="create",
        event="queued",
        resource_id=run.id,
        tenant_id=run.tenant_id,
        organization_id=run.organization_id,
        payload={"mappingId": str(mapping.id), "direction": run.direction},
    )

    async def enqueue() -> None:
        await enqueue_best_effort(ctx, JOB_FUNCTION, str(run.id), _job_id=f"data-sync:{run.id}")

    uow.after_commit(enqueue)
    return run


@operation(
    "data_sync_start_run",
    MODULE,
    input=RunInput,
    output=DataSyncRunReply,
    features=(RUN,),
    rest=Rest("POST", "/data_sync/run", status=202),
)
async def start_run(ctx: RequestContext, data: RunInput) -> dict[str, Any]:
    """Queue a run of a mapping (``records`` to import; an export reads the entity)."""
    async with ctx.unit_of_work() as uow:
        mapping = await load_in_scope(ctx, uow.session, DataSyncMapping, data.mappingId, "Mapping")
        run = await queue_run(ctx, uow, mapping, data.records)
    return _reply(run)


async def _run_for_change(ctx: RequestContext, uow: Any, ident: str) -> DataSyncRun:
    return await load_in_scope(ctx, uow.session, DataSyncRun, ident, "Run", lock=True)


@operation(
    "data_sync_cancel_run",
    MODULE,
    input=RunIdInput,
    output=DataSyncRunReply,
    features=(RUN,),
    rest=Rest("POST", "/data_sync/runs/{id}/cancel"),
)
async def cancel_run(ctx: RequestContext, data: RunIdInput) -> dict[str, Any]:
    """Cancel a queued run, or ask a running one to stop at its next progress report (409 once
    finished)."""
    async with ctx.unit_of_work() as uow:
        run = await _run_for_change(ctx, uow, data.id)
        if run.status in FINISHED:
            raise Conflict(f"The run is already {run.status}", code="invalid_transition")
        if run.status == "running":
            job = await uow.session.get(ProgressJob, run.progress_job_id, with_for_update=True)
            if job is not None:
                request_cancel(job, ctx.require_auth())
        else:
            RUN_STATUS.check(run.status, "cancelled")
            run.status, run.finished_at = "cancelled", _now()
            job = await uow.session.get(ProgressJob, run.progress_job_id, with_for_update=True)
            if job is not None and job.status == "pending":
                request_cancel(job, ctx.require_auth())
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="run",
            verb="cancel",
            resource_id=run.id,
            tenant_id=run.tenant_id,
            organization_id=run.organization_id,
        )
    return _reply(run)


@operation(
    "data_sync_retry_run",
    MODULE,
    input=RunIdInput,
    output=DataSyncRunReply,
    features=(RUN,),
    rest=Rest("POST", "/data_sync/runs/{id}/retry", status=202),
)
async def retry_run(ctx: RequestContext, data: RunIdInput) -> dict[str, Any]:
    """A new run of a failed or cancelled run's mapping, with its records (409 otherwise)."""
    async with ctx.unit_of_work() as uow:
        run = await _run_for_change(ctx, uow, data.id)
        if run.status not in ("failed", "cancelled"):
            raise Conflict("Only a failed or cancelled run can be retried", code="invalid_transition")
        mapping = await load_in_scope(ctx, uow.session, DataSyncMapping, run.mapping_id, "Mapping")
        retried = await queue_run(ctx, uow, mapping, list(run.records or []), retry_of=run.id)
    return _reply(retried)


@operation(
    "data_sync_validate",
    MODULE,
    input=ValidateInput,
    kind="query",
    features=(CONFIGURE,),
    rest=Rest("POST", "/data_sync/validate"),
)
async def validate_mapping(ctx: RequestContext, data: ValidateInput) -> dict[str, Any]:
    """Check a mapping (entity, field map) and, when given, records against it; nothing is written."""
    from resolvers.data_sync.entities import check_field_map, fail

    entity = syncable().get(data.entity)
    if entity is None:
        raise fail("entity", "Not a syncable entity (see GET /data_sync/options)", "unknown_entity")
    field_map = check_field_map(entity, data.fieldMap)
    problems = []
    for index, record in enumerate(data.records):
        issues = record_issues(entity, field_map, record)
        if issues:
            problems.append({"index": index, "errors": issues})
    return {
        "valid": not problems,
        "fieldMap": field_map,
        "recordCount": len(data.records),
        "errors": problems,
    }


@operation(
    "data_sync_options", MODULE, kind="query", features=(VIEW,), rest=Rest("GET", "/data_sync/options")
)
async def options(ctx: RequestContext) -> dict[str, Any]:
    """Entities a mapping may name (with their writable fields), directions and run statuses."""
    entities = [
        {
            "entity": name,
            "module": entity.module,
            "path": entity.path,
            "fields": [camel(f.attr) for f in entity.fields if f.create],
            "required": [camel(f.attr) for f in entity.fields if f.create and f.required],
        }
        for name, entity in syncable().items()
    ]
    return {"entities": entities, "directions": ["import", "export"], "statuses": sorted(RUN_STATUS.states)}


# --- the job --------------------------------------------------------------------------------------


async def _finish(ctx: RequestContext, run_id: uuid.UUID, status: str, **values: Any) -> None:
    async with ctx.unit_of_work(system=True) as uow:
        run = await uow.session.get(DataSyncRun, run_id, with_for_update=True, populate_existing=True)
        if run.status in FINISHED:
            return
        RUN_STATUS.check(run.status, status)
        for key, value in values.items():
            setattr(run, key, value)
        run.status, run.finished_at = status, _now()
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="run",
            verb="finish",
            event=status,
            resource_id=run.id,
            tenant_id=run.tenant_id,
            organization_id=run.organization_id,
            secondary=True,
        )


async def execute_run(sessionmaker: Any, settings: Any, run_id: uuid.UUID, enqueue: Any = None) -> str:
    """Run one queued run as the principal who started it; returns its final status."""
    from resolvers.scheduler.engine import owner_principal

    system = RequestContext(settings=settings, sessionmaker=sessionmaker, enqueue=enqueue)
    async with system.unit_of_work(system=True) as uow:
        run = await uow.session.get(DataSyncRun, run_id, with_for_update=True)
        if run is None or run.status != "queued":
            return run.status if run is not None else "missing"
        mapping = await uow.session.get(DataSyncMapping, run.mapping_id)
        owner = await owner_principal(uow.session, run.started_by)
        run.status, run.started_at = "running", _now()
    if owner is None:
        await _finish(system, run_id, "failed", errors=[{"error": "The run's owner no longer exists"}])
        return "failed"
    organization = str(run.organization_id) if run.organization_id else None
    ctx = RequestContext(
        settings=settings,
        sessionmaker=sessionmaker,
        principal=owner,
        selection=Selection(str(run.tenant_id), organization),
        enqueue=enqueue,
    )
    entity = syncable().get(mapping.entity)
    counts = {"processed_count": 0, "created_count": 0, "failed_count": 0}
    errors: list[dict[str, Any]] = []
    output: list[dict[str, Any]] = []
    try:
        async with track(ctx, mapping.name, job_id=run.progress_job_id, interval=0.5) as job:
            if entity is None:
                raise BadRequest(f"Entity {mapping.entity} is no longer syncable")
            if run.direction == "import":
                await job.set_total(len(run.records))
                for index, record in enumerate(run.records):
                    problem = record_issues(entity, mapping.field_map, record)
                    try:
                        if problem:
                            raise BadRequest("; ".join(problem))
                        await service(entity).create(ctx, mapped(mapping.field_map, record))
                        counts["created_count"] += 1
                    except (DomainError, Forbidden, NotFound) as exc:
                        counts["failed_count"] += 1
                        errors.append({"index": index, **_jsonable(exc.body())})
                    counts["processed_count"] += 1
                    await job.advance(1)
            else:
                inverse = {target: key for key, target in mapping.field_map.items()}
                page_number = 1
                while len(output) < MAX_EXPORT:
                    page = await service(entity).list(ctx, ListParams(page=page_number, page_size=100))
                    for obj in page.items:
                        row = serialize(entity, obj, "snake")
                        output.append({key: row.get(attr) for attr, key in inverse.items()})
                    counts["processed_count"] = len(output)
                    await job.set_total(page.total)
                    await job.advance(len(page.items))
                    if len(page.items) < 100:
                        break
                    page_number += 1
        status = "cancelled" if job.cancelled else "completed"
    except Exception as exc:  # recorded on the run; the progress job is already marked failed
        log.exception("data sync run %s failed", run_id)
        errors.append({"error": str(getattr(exc, "message", exc))[:500]})
        status = "failed"
    await _finish(system, run_id, status, errors=errors, output=output, **counts)
    return status
