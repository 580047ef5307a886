"""Scheduled jobs: a cron expression or an interval, a target, a scope (an organization, or the whole
tenant), and whose rights the runs use.

A schedule runs with the rights of whoever last defined what it does (its creator, or whoever last
changed its target, payload or required feature): that principal is loaded afresh for every run, so
revoking a right stops the schedule from using it. ``nextRunAt`` is computed here whenever the
timing changes or the schedule is re-enabled; the worker advances it after each due run.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Forbidden, ValidationFailed, issue
from crmgraph.modules import MODULES
from models.scheduler import ScheduledJob
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq
from resolvers.features import feature_ids
from resolvers.scheduler.targets import MODULE, check_target
from resolvers.scheduler.timing import check_schedule
from resolvers.scope import org_scope, tenant_tree

SCOPES = ("organization", "tenant")
SOURCES = ("user", "module")
TARGET_KEYS = ("target_type", "target_queue", "target_command", "target_payload", "require_feature")
TIMING_KEYS = ("schedule_type", "schedule_value", "timezone")
READONLY = {"create": False, "update": False}
VIEW, MANAGE = "scheduler.jobs.view", "scheduler.jobs.manage"


def _one_of(data: dict[str, Any], key: str, allowed: tuple[str, ...], path: str) -> None:
    if data.get(key) is not None and data[key] not in allowed:
        raise ValidationFailed([issue(path, f"One of {', '.join(allowed)}", "invalid_enum_value")])


def _merged(obj: ScheduledJob | None, data: dict[str, Any], key: str) -> Any:
    if key in data:
        return data[key]
    return getattr(obj, key) if obj is not None else None


def _define_target(ctx: RequestContext, obj: ScheduledJob | None, data: dict[str, Any]) -> None:
    """Check the (merged) target and required feature for the caller; the caller becomes the
    principal the runs use. A null target name keeps the current one; sending only a command (or
    only a queue) picks the target type."""
    for key in ("target_queue", "target_command"):
        if key in data and data[key] is None:
            data.pop(key)
    kind = data.get("target_type")
    if kind is None:
        sent_command, sent_queue = data.get("target_command"), data.get("target_queue")
        fallback = obj.target_type if obj is not None else "queue"
        kind = "command" if sent_command and not sent_queue else "queue" if sent_queue else fallback
    queue, command = _merged(obj, data, "target_queue"), _merged(obj, data, "target_command")
    target = check_target(ctx, kind, queue, command, _merged(obj, data, "target_payload"))
    data["target_type"] = kind
    data["target_queue"] = target.name if kind == "queue" else None
    data["target_command"] = target.name if kind == "command" else None
    feature = _merged(obj, data, "require_feature")
    if feature:
        if feature not in feature_ids():
            raise ValidationFailed([issue("requireFeature", "Unknown feature", "invalid_enum_value")])
        ctx.require_features([feature])
    data["created_by"] = ctx.require_auth().subject


def _time(obj: ScheduledJob | None, data: dict[str, Any]) -> None:
    data["next_run_at"] = check_schedule(
        _merged(obj, data, "schedule_type"),
        _merged(obj, data, "schedule_value"),
        _merged(obj, data, "timezone") or "UTC",
    )


def _source(data: dict[str, Any]) -> None:
    _one_of(data, "source_type", SOURCES, "sourceType")
    if data.get("source_module") is not None and data["source_module"] not in MODULES:
        raise ValidationFailed([issue("sourceModule", "Unknown module", "invalid_enum_value")])


async def visible(ctx: RequestContext, target: Any) -> Any:
    """Rows of the caller's organizations (selected one and below), plus tenant-wide rows
    (``organization_id`` null) for callers who see every organization."""
    scope = await org_scope(ctx)
    if scope.org_ids is None:
        return None
    own = target.organization_id.in_(scope.org_ids)
    return or_(own, target.organization_id.is_(None)) if ctx.require_auth().sees_all_organizations() else own


async def _organization(ctx: RequestContext, requested: uuid.UUID | None) -> uuid.UUID:
    """The organization a new schedule belongs to: the one sent, else the selected one, else the
    caller's; a live one of the tenant (400) within the caller's organizations (403)."""
    scope = await org_scope(ctx)
    org_id = requested or scope.selected_org_id or ctx.require_auth().org_id
    if org_id not in await tenant_tree(ctx, scope.tenant_id):
        raise ValidationFailed([issue("organizationId", "Organization not found", "not_found")])
    if not scope.allows_org(org_id):
        raise Forbidden(message="Organization outside your scope")
    return org_id


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    scope = data.get("scope_type") or "organization"
    if scope == "system":
        raise ValidationFailed(
            [
                issue(
                    "scopeType",
                    "System schedules are the worker's own: use organization or tenant",
                    "invalid_enum_value",
                )
            ]
        )
    _one_of({"scope_type": scope}, "scope_type", SCOPES, "scopeType")
    if scope == "tenant":
        if not ctx.require_auth().sees_all_organizations():
            raise Forbidden(message="A tenant-wide schedule needs access to every organization")
        data["organization_id"] = None
    else:
        data["organization_id"] = await _organization(ctx, data.get("organization_id"))
    data["scope_type"] = scope
    data["timezone"] = data.get("timezone") or "UTC"
    _define_target(ctx, None, data)
    _time(None, data)
    _source(data)
    data["source_type"] = data.get("source_type") or "user"
    if data.get("is_enabled") is None:
        data["is_enabled"] = True


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, obj: ScheduledJob, data: dict[str, Any]
) -> None:
    for key in ("is_enabled", "timezone", "source_type", "target_type"):
        if key in data and data[key] is None:
            data.pop(key)  # null keeps the current value
    if any(key in data for key in TARGET_KEYS):
        _define_target(ctx, obj, data)
    resumed = data.get("is_enabled") is True and not obj.is_enabled
    if resumed or any(key in data for key in TIMING_KEYS):
        _time(obj, data)  # from now: a re-enabled schedule does not catch up what it missed
    _source(data)


SCHEDULE = Entity(
    name="scheduled_job",
    module=MODULE,
    model=ScheduledJob,
    path="/scheduler/jobs",
    graphql_name="ScheduledJob",
    plural="scheduled_jobs",
    features=Features.view_manage(VIEW, MANAGE),
    scope="tenant",  # organizations: ``visible`` (tenant-wide schedules have none)
    visibility=visible,
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=500),
        Field("scope_type", str, update=False, max_length=20, description="organization or tenant"),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("schedule_type", str, required=True, sort=True, max_length=20, description="cron or interval"),
        Field("schedule_value", str, required=True, max_length=200, description="0 2 * * * or 15m"),
        Field("timezone", str, max_length=64, description="IANA timezone of a cron schedule"),
        Field("target_type", str, max_length=20, description="queue or command"),
        Field("target_queue", str, search=True, max_length=200),
        Field("target_command", str, search=True, max_length=200),
        Field("target_payload", dict),
        Field("require_feature", str, max_length=200),
        Field("is_enabled", bool, sort=True),
        Field("last_run_at", datetime, sort=True, **READONLY),
        Field("next_run_at", datetime, sort=True, **READONLY),
        Field("source_type", str, max_length=20, description="user or module"),
        Field("source_module", str, max_length=100),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("scopeType", ScheduledJob.scope_type),
        eq("isEnabled", ScheduledJob.is_enabled, bool),
        eq("sourceType", ScheduledJob.source_type),
        eq("sourceModule", ScheduledJob.source_module),
        eq("scheduleType", ScheduledJob.schedule_type),
        eq("targetType", ScheduledJob.target_type),
    ],
    relations=[
        Relation(
            "executions", "scheduled_job_execution", "many", target_fk="schedule_id", description="Its runs."
        ),
    ],
    default_sort="name",
    hooks=guarded(ScheduledJob, Hooks(before_create=_before_create, before_update=_before_update)),
    description="A job run on a cron expression or an interval, in an organization or a whole tenant.",
)
