"""Mappings, schedules and runs of the data sync module, and the rules their writes go through.

A mapping names a declared entity (one with a REST path and a create route: what ``options`` lists),
a direction (``import`` creates records of it through its own service, ``export`` reads them) and a
field map ``{recordKey: entityField}``. A schedule runs a live, active mapping every N minutes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.data_sync import DataSyncMapping, DataSyncRun, DataSyncSchedule
from resolvers.crud import guarded
from resolvers.entity import ENTITIES, Entity, Features, Field, Hooks, Relation, camel, eq, one_of
from resolvers.scope import load_in_scope
from resolvers.statemachine import machine

MODULE = "data_sync"
VIEW, CONFIGURE, RUN = "data_sync.view", "data_sync.configure", "data_sync.run"
READONLY = {"create": False, "update": False}
DIRECTIONS = ("import", "export")
MAX_FIELDS = 100

RUN_STATUS = machine(
    "data_sync.run.status",
    "status",
    "queued",
    queued=("running", "cancelled", "failed"),
    running=("completed", "failed", "cancelled"),
    completed=(),
    failed=(),
    cancelled=(),
)


def syncable() -> dict[str, Entity]:
    """Entities a mapping may name: declared, with a documented path and a create route."""
    return {
        name: entity
        for name, entity in sorted(ENTITIES.items())
        if entity.path
        and "POST" in entity.rest_verbs
        and "create" in entity.mutations
        and entity.module != MODULE
    }


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def check_field_map(entity: Entity, field_map: Any) -> dict[str, str]:
    """``{recordKey: field}`` naming writable fields of ``entity`` (camelCase or snake_case)."""
    if not isinstance(field_map, dict) or not field_map:
        raise fail("fieldMap", "At least one field", "too_small")
    if len(field_map) > MAX_FIELDS:
        raise fail("fieldMap", f"At most {MAX_FIELDS} fields", "too_big")
    writable = {f.attr: f for f in entity.fields if f.create}
    known = {**writable, **{camel(attr): f for attr, f in writable.items()}}
    checked: dict[str, str] = {}
    for key, target in field_map.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            raise fail("fieldMap", "Record keys are 1-100 characters", "invalid_string")
        if not isinstance(target, str) or target not in known:
            raise fail(f"fieldMap.{key}", f"Not a writable field of {entity.name}", "unknown_field")
        checked[key] = known[target].attr
    return checked


def _mapping_values(data: dict[str, Any], current: DataSyncMapping | None = None) -> None:
    entity_name = data.get("entity") or (current.entity if current else None)
    if "entity" in data or "field_map" in data:
        entity = syncable().get(entity_name or "")
        if entity is None:
            raise fail("entity", "Not a syncable entity (see GET /data_sync/options)", "unknown_entity")
        field_map = data.get("field_map", current.field_map if current else None)
        data["field_map"] = check_field_map(entity, field_map)
    if data.get("direction") is not None and data["direction"] not in DIRECTIONS:
        raise fail("direction", "import or export", "invalid_enum_value")
    if "name" in data and not (data["name"] or "").strip():
        raise fail("name", "Name is required", "too_small")


async def _mapping_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data.setdefault("field_map", None)
    _mapping_values(data)
    data.setdefault("is_active", True)


async def _mapping_update(
    ctx: RequestContext, uow: UnitOfWork, obj: DataSyncMapping, data: dict[str, Any]
) -> None:
    _mapping_values(data, obj)


def stamps(org_update: bool = False) -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=org_update),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


MAPPING = Entity(
    name="data_sync_mapping",
    module=MODULE,
    model=DataSyncMapping,
    path="/data_sync/mappings",
    graphql_name="DataSyncMapping",
    plural="dataSyncMappings",
    rest_verbs=("GET", "POST"),  # and GET/PUT/DELETE at the item path
    features=Features.view_manage(CONFIGURE, CONFIGURE),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("entity", str, required=True, sort=True, max_length=100),
        Field("direction", str, required=True, sort=True, max_length=10),
        Field("field_map", dict, required=True, description="{recordKey: entityField}"),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("entity", DataSyncMapping.entity),
        eq("direction", DataSyncMapping.direction),
        eq("isActive", DataSyncMapping.is_active, bool),
    ],
    relations=[
        Relation("schedules", "data_sync_schedule", "many", target_fk="mapping_id"),
        Relation("runs", "data_sync_run", "many", target_fk="mapping_id"),
    ],
    default_sort="name",
    hooks=guarded(DataSyncMapping, Hooks(before_create=_mapping_create, before_update=_mapping_update)),
    description="Which declared entity a sync reads or writes, in which direction, field by field.",
)


async def _schedule_values(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    minutes = data.get("interval_minutes")
    if minutes is not None and not 5 <= minutes <= 10080:
        raise fail("intervalMinutes", "Between 5 minutes and a week", "out_of_range")
    if data.get("mapping_id") is not None:
        mapping = await load_in_scope(ctx, uow.session, DataSyncMapping, data["mapping_id"], "Mapping")
        if not mapping.is_active:
            raise Conflict("The mapping is not active")
        if data.get("organization_id") not in (None, mapping.organization_id):
            raise fail("mappingId", "The mapping belongs to another organization", "invalid")
        data["organization_id"] = mapping.organization_id
    if "name" in data and not (data["name"] or "").strip():
        raise fail("name", "Name is required", "too_small")


async def _schedule_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await _schedule_values(ctx, uow, data)
    data.setdefault("interval_minutes", 60)
    data.setdefault("is_enabled", True)
    data["next_run_at"] = next_run(data["interval_minutes"], data["is_enabled"])
    principal = ctx.require_auth()  # runs act as the schedule's creator (same form as a run's)
    data["created_by"] = str(principal.user_id) if principal.user_id else f"api_key:{principal.api_key_id}"


async def _schedule_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    await _schedule_values(ctx, uow, data)
    minutes = data.get("interval_minutes") or obj.interval_minutes
    enabled = obj.is_enabled if data.get("is_enabled") is None else data["is_enabled"]
    data["next_run_at"] = next_run(minutes, enabled, obj.last_run_at)


def next_run(minutes: int, enabled: bool, last: datetime | None = None) -> datetime | None:
    """When a schedule is next due: ``intervalMinutes`` after its last run (or from now)."""
    if not enabled:
        return None
    return (last or datetime.now(UTC)) + timedelta(minutes=minutes)


SCHEDULE = Entity(
    name="data_sync_schedule",
    module=MODULE,
    model=DataSyncSchedule,
    path="/data_sync/schedules",
    graphql_name="DataSyncSchedule",
    plural="dataSyncSchedules",
    rest_verbs=("GET", "POST"),  # and GET/PUT/DELETE at the item path
    features=Features.view_manage(CONFIGURE, CONFIGURE),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("mapping_id", uuid.UUID, required=True),
        Field("interval_minutes", int, sort=True),
        Field("is_enabled", bool, sort=True),
        Field("next_run_at", datetime, sort=True, **READONLY),
        Field("last_run_at", datetime, sort=True, **READONLY),
        *stamps(),
    ],
    filters=[
        eq("mappingId", DataSyncSchedule.mapping_id, uuid.UUID),
        eq("isEnabled", DataSyncSchedule.is_enabled, bool),
    ],
    relations=[Relation("mapping", "data_sync_mapping", "one", source_fk="mapping_id")],
    default_sort="name",
    hooks=guarded(DataSyncSchedule, Hooks(before_create=_schedule_create, before_update=_schedule_update)),
    description="Runs a mapping every ``intervalMinutes``.",
)

RUN_ENTITY = Entity(
    name="data_sync_run",
    module=MODULE,
    model=DataSyncRun,
    path="/data_sync/runs",
    graphql_name="DataSyncRun",
    plural="dataSyncRuns",
    soft_delete=False,
    rest_verbs=("GET",),
    mutations=(),
    features=Features(view=[VIEW]),
    fields=[
        Field("mapping_id", uuid.UUID, **READONLY),
        Field("retry_of_id", uuid.UUID, **READONLY),
        Field("direction", str, sort=True, **READONLY),
        Field("status", str, sort=True, **READONLY),
        Field("output", list, **READONLY, description="Exported records (export runs)."),
        Field("errors", list, **READONLY),
        Field("total_count", int, **READONLY),
        Field("processed_count", int, **READONLY),
        Field("created_count", int, **READONLY),
        Field("failed_count", int, **READONLY),
        Field("progress_job_id", uuid.UUID, **READONLY),
        Field("started_by", str, **READONLY),
        Field("started_at", datetime, sort=True, **READONLY),
        Field("finished_at", datetime, sort=True, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        one_of("status", DataSyncRun.status),
        eq("mappingId", DataSyncRun.mapping_id, uuid.UUID),
        eq("direction", DataSyncRun.direction),
    ],
    relations=[Relation("mapping", "data_sync_mapping", "one", source_fk="mapping_id")],
    default_sort="created_at",
    description="One execution of a mapping (an arq job reporting through a progress job).",
)
