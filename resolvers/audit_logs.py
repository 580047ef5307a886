"""The audit_logs module: the action log (with undo/redo of the caller's latest commands) and the
access log of reads of sensitive records.

A caller sees its own entries; holders of ``audit_logs.view_tenant`` see the whole tenant and may
filter by actor (``canViewTenant`` in the answers). Undo/redo follow ``resolvers.undo``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Select, func, select

from crmgraph.context import RequestContext
from crmgraph.errors import Forbidden
from crmgraph.timefmt import format_datetime
from models.audit import AccessLog, ActionLog
from models.auth import User
from models.directory import Organization, Tenant
from resolvers.listing import MAX_PAGE_SIZE
from resolvers.operations import Rest, operation
from resolvers.scope import effective_tenant, org_scope
from resolvers.undo import redo, undo

MODULE = "audit_logs"
VIEW_TENANT = "audit_logs.view_tenant"
SENSITIVE = {"customers.person", "customers.company", "customers.deal"}


class LogQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    organizationId: uuid.UUID | None = None
    actorUserId: uuid.UUID | None = None
    resourceKind: str | None = PydanticField(default=None, max_length=200)
    before: datetime | None = None
    after: datetime | None = None


class ActionQuery(LogQuery):
    resourceId: str | None = PydanticField(default=None, max_length=64)
    includeRelated: bool = False
    undoableOnly: bool = False
    limit: int = PydanticField(50, ge=1, le=MAX_PAGE_SIZE)


class AccessQuery(LogQuery):
    accessType: str | None = PydanticField(default=None, max_length=20)
    page: int = PydanticField(1, ge=1, le=1_000_000)
    pageSize: int = PydanticField(50, ge=1, le=MAX_PAGE_SIZE)
    limit: int | None = PydanticField(default=None, ge=1, le=MAX_PAGE_SIZE)


class UndoInput(BaseModel):
    undoToken: str = PydanticField(max_length=64)


class RedoInput(BaseModel):
    logId: uuid.UUID


async def _visible(ctx: RequestContext, model: Any, query: Select, params: LogQuery) -> tuple[Select, bool]:
    """Restrict to the caller's tenant and own entries (the tenant's for ``view_tenant``) and apply
    the shared filters. Returns the query and whether the caller sees the tenant."""
    principal = ctx.require_auth()
    tenant_wide = principal.has(VIEW_TENANT)
    query = query.where(model.tenant_id == effective_tenant(ctx))
    if params.actorUserId is not None and not tenant_wide and params.actorUserId != principal.user_id:
        raise Forbidden([VIEW_TENANT])
    if params.actorUserId is not None:
        query = query.where(model.actor == str(params.actorUserId))
    elif not tenant_wide:
        query = query.where(model.actor == principal.subject)
    if params.organizationId is not None:
        if not (await org_scope(ctx)).allows_org(params.organizationId):
            raise Forbidden(message="Organization outside your scope")
        query = query.where(model.organization_id == params.organizationId)
    if params.resourceKind:
        query = query.where(model.resource_kind == params.resourceKind)
    if params.before is not None:
        query = query.where(model.created_at < params.before)
    if params.after is not None:
        query = query.where(model.created_at > params.after)
    return query, tenant_wide


async def _names(ctx: RequestContext, rows: list[Any]) -> dict[str, dict[Any, str]]:
    """Display names of the actors, tenants and organizations of ``rows`` (three small lookups)."""
    actors = {_user_id(r.actor) for r in rows} - {None}
    tenants = {r.tenant_id for r in rows} - {None}
    orgs = {r.organization_id for r in rows} - {None}
    names: dict[str, dict[Any, str]] = {"user": {}, "tenant": {}, "org": {}}
    async with ctx.read_session() as session:
        if actors:
            found = await session.execute(select(User.id, User.name, User.email).where(User.id.in_(actors)))
            names["user"] = {row.id: row.name or row.email for row in found}
        if tenants:
            found = await session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenants)))
            names["tenant"] = {row.id: row.name for row in found}
        if orgs:
            found = await session.execute(
                select(Organization.id, Organization.name).where(Organization.id.in_(orgs))
            )
            names["org"] = {row.id: row.name for row in found}
    return names


def _user_id(actor: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(actor or "")
    except ValueError:
        return None  # an API key ("api_key:<id>")


def _who(row: Any, names: dict[str, dict[Any, str]]) -> dict[str, Any]:
    user = _user_id(row.actor)
    return {
        "actorUserId": str(user) if user else None,
        "actorUserName": names["user"].get(user),
        "tenantId": str(row.tenant_id) if row.tenant_id else None,
        "tenantName": names["tenant"].get(row.tenant_id),
        "organizationId": str(row.organization_id) if row.organization_id else None,
        "organizationName": names["org"].get(row.organization_id),
    }


def _action_item(log: ActionLog, names: dict[str, dict[Any, str]]) -> dict[str, Any]:
    return {
        "id": str(log.id),
        "commandId": log.command_id,
        "actionLabel": log.action_label,
        "executionState": log.execution_state,
        **_who(log, names),
        "resourceKind": log.resource_kind,
        "resourceId": log.resource_id,
        "parentResourceKind": None,
        "parentResourceId": None,
        "undoToken": log.undo_token,
        "createdAt": format_datetime(log.created_at),
        "updatedAt": format_datetime(log.updated_at),
        "snapshotBefore": log.snapshot_before,
        "snapshotAfter": log.snapshot_after,
        "changes": log.changes,
        "context": None,
    }


@operation(
    "audit_actions",
    MODULE,
    kind="query",
    input=ActionQuery,
    features=("audit_logs.view_self",),
    rest=Rest("GET", "/audit_logs/audit-logs/actions"),
)
async def list_actions(ctx: RequestContext, params: ActionQuery) -> dict[str, Any]:
    """Recent action-log entries, newest first (the caller's, or the tenant's for administrators)."""
    query, tenant_wide = await _visible(ctx, ActionLog, select(ActionLog), params)
    if params.resourceId:
        query = query.where(ActionLog.resource_id == params.resourceId)
    if params.undoableOnly:
        query = query.where(ActionLog.execution_state == "done", ActionLog.undo_token.is_not(None))
    query = query.order_by(ActionLog.created_at.desc(), ActionLog.id.desc()).limit(params.limit)
    async with ctx.read_session() as session:
        logs = list((await session.execute(query)).scalars())
    names = await _names(ctx, logs)
    return {"items": [_action_item(log, names) for log in logs], "canViewTenant": tenant_wide}


@operation(
    "audit_access",
    MODULE,
    kind="query",
    input=AccessQuery,
    features=("audit_logs.view_self",),
    rest=Rest("GET", "/audit_logs/audit-logs/access"),
)
async def list_access(ctx: RequestContext, params: AccessQuery) -> dict[str, Any]:
    """Reads of sensitive records, newest first, paginated."""
    query, tenant_wide = await _visible(ctx, AccessLog, select(AccessLog), params)
    if params.accessType:
        query = query.where(AccessLog.access_type == params.accessType)
    size = params.limit or params.pageSize
    page_query = query.order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
    async with ctx.read_session() as session:
        rows = list(
            (await session.execute(page_query.limit(size).offset((params.page - 1) * size))).scalars()
        )
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    names = await _names(ctx, rows)
    items = [
        {
            "id": str(row.id),
            "resourceKind": row.resource_kind,
            "resourceId": row.resource_id,
            "accessType": row.access_type,
            **_who(row, names),
            "fields": row.fields or [],
            "context": row.context,
            "createdAt": format_datetime(row.created_at),
        }
        for row in rows
    ]
    pages = -(-total // size) if total else 0
    return {
        "items": items,
        "canViewTenant": tenant_wide,
        "page": params.page,
        "pageSize": size,
        "total": total,
        "totalPages": pages,
    }


class UndoResult(BaseModel):
    ok: bool
    logId: uuid.UUID


class RedoResult(BaseModel):
    ok: bool
    logId: uuid.UUID
    undoToken: str | None = None


@operation(
    "undo_action",
    MODULE,
    input=UndoInput,
    output=UndoResult,
    features=("audit_logs.undo_self",),
    transaction=False,  # ``resolvers.undo`` opens and locks its own unit of work
    rest=Rest("POST", "/audit_logs/audit-logs/actions/undo"),
)
async def undo_action(ctx: RequestContext, data: UndoInput) -> dict[str, Any]:
    """Undo the caller's latest command (its token must match): every step, last first."""
    log = await undo(ctx, data.undoToken)
    return {"ok": True, "logId": str(log.id)}


@operation(
    "redo_action",
    MODULE,
    input=RedoInput,
    output=RedoResult,
    features=("audit_logs.redo_self",),
    transaction=False,
    rest=Rest("POST", "/audit_logs/audit-logs/actions/redo"),
)
async def redo_action(ctx: RequestContext, data: RedoInput) -> dict[str, Any]:
    """Redo the caller's latest undone command; it can then be undone again with the new token."""
    log = await redo(ctx, data.logId)
    return {"ok": True, "logId": str(log.id), "undoToken": log.undo_token}


async def record_access(
    ctx: RequestContext, resource_kind: str, resource_id: Any, fields: list[str], organization_id: Any = None
) -> None:
    """Log a read of a sensitive record (its own short transaction: a read answer never waits on it)."""
    if resource_kind not in SENSITIVE or ctx.principal is None:
        return
    async with ctx.unit_of_work() as uow:
        uow.session.add(
            AccessLog(
                id=uuid.uuid4(),
                tenant_id=effective_tenant(ctx),
                organization_id=organization_id,
                actor=ctx.principal.subject,
                resource_kind=resource_kind,
                resource_id=str(resource_id),
                access_type="read",
                fields=fields,
            )
        )
