"""The documented integration routes: the registry under the tenant's state, an integration's
detail, its credentials (secrets masked on read; sealed at rest), enabling or disabling it, its API
version, a health check, and the log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from crmgraph.timefmt import format_datetime as iso
from models.integrations import IntegrationLog, IntegrationState
from resolvers.events import emit, record_action
from resolvers.integrations.registry import REGISTRY, Integration, integration, summary
from resolvers.integrations.store import ensure_state, log, seal, state_of, tenant_of, unseal
from resolvers.operations import Rest, operation
from resolvers.validation import text

MODULE = "integrations"
VIEW, MANAGE, CREDENTIALS = "integrations.view", "integrations.manage", "integrations.credentials.manage"
PROBE_TIMEOUT = 20.0


class IntegrationRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(100)


class IntegrationSummary(BaseModel):
    id: str
    title: str
    category: str | None = None
    hub: str | None = None
    providerKey: str | None = None
    bundleId: str | None = None
    hasCredentials: bool
    isEnabled: bool
    apiVersion: str | None = None


class IntegrationPage(BaseModel):
    items: list[IntegrationSummary]
    total: int
    totalPages: int


class IntegrationCredentialField(BaseModel):
    key: str
    label: str
    secret: bool
    required: bool


class IntegrationHealth(BaseModel):
    status: str
    message: str | None = None
    checkedAt: str | None = None


class IntegrationDetail(IntegrationSummary):
    description: str
    apiVersions: list[str]
    credentialFields: list[IntegrationCredentialField]
    health: IntegrationHealth


class IntegrationCredentials(BaseModel):
    integrationId: str
    credentials: dict[str, str | None]
    configured: bool
    fields: list[IntegrationCredentialField]


class IntegrationCredentialsWrite(IntegrationRef):
    """Credential values by key (null removes one; keys not sent are kept)."""

    credentials: dict[text(100), text(4000) | None] = PydanticField(max_length=50)


class IntegrationStateWrite(IntegrationRef):
    isEnabled: bool


class IntegrationVersionWrite(IntegrationRef):
    apiVersion: text(50)


class IntegrationLogQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    integrationId: text(100) | None = None
    level: text(10) | None = None
    page: int = PydanticField(default=1, ge=1, le=100_000)
    pageSize: int = PydanticField(default=50, ge=1, le=100)


class IntegrationLogEntry(BaseModel):
    id: str
    integrationId: str
    level: str
    message: str
    details: dict[str, Any] | None = None
    userId: str | None = None
    createdAt: str


class IntegrationLogPage(BaseModel):
    items: list[IntegrationLogEntry]
    total: int
    page: int
    pageSize: int
    totalPages: int


def _fields(item: Integration) -> list[dict[str, Any]]:
    return [
        {"key": f.key, "label": f.label, "secret": f.secret, "required": f.required} for f in item.credentials
    ]


def _health(state: Any) -> dict[str, Any]:
    if state is None or state.health_status is None:
        return {"status": "unknown", "message": None, "checkedAt": None}
    return {
        "status": state.health_status,
        "message": state.health_message,
        "checkedAt": iso(state.health_checked_at) if state.health_checked_at else None,
    }


def _mask(value: str) -> str:
    return "••••" + value[-4:] if len(value) > 8 else "••••"


def _audit(ctx: RequestContext, uow: UnitOfWork, name: str, state: IntegrationState, before: Any) -> None:
    after = {
        "isEnabled": state.is_enabled,
        "apiVersion": state.api_version,
        "hasCredentials": bool(state.credentials),
    }
    record_action(
        ctx,
        uow,
        command_id=f"{MODULE}.{name}",
        label=f"Integration {state.integration_id}: {name.replace('_', ' ')}",
        resource_kind=f"{MODULE}:integration",
        resource_id=state.id,
        before=before,
        after=after,
        tenant_id=state.tenant_id,
    )
    emit(
        ctx,
        uow,
        f"{MODULE}.integration.{name}",
        {"integrationId": state.integration_id, **after},
        state.tenant_id,
    )


def _snapshot(state: IntegrationState) -> dict[str, Any]:
    return {
        "isEnabled": state.is_enabled,
        "apiVersion": state.api_version,
        "hasCredentials": bool(state.credentials),
    }


async def _states(ctx: RequestContext) -> dict[str, IntegrationState]:
    async with ctx.read_session() as session:
        rows = (
            await session.execute(
                select(IntegrationState).where(IntegrationState.tenant_id == tenant_of(ctx))
            )
        ).scalars()
        return {row.integration_id: row for row in rows}


@operation(
    "integrations_list",
    MODULE,
    output=IntegrationPage,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/integrations"),
)
async def list_integrations(ctx: RequestContext) -> dict[str, Any]:
    """Every integration of the registry under the tenant's state."""
    states = await _states(ctx)
    items = [summary(item, states.get(item.id)) for item in REGISTRY.values()]
    return {"items": items, "total": len(items), "totalPages": 1 if items else 0}


@operation(
    "integration_detail",
    MODULE,
    input=IntegrationRef,
    output=IntegrationDetail,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/integrations/{id}"),
)
async def integration_detail(ctx: RequestContext, data: IntegrationRef) -> dict[str, Any]:
    """One integration: its summary, credential fields, API versions and last health check."""
    item = integration(data.id)
    async with ctx.read_session() as session:
        state = await state_of(session, ctx, item.id)
    return {
        **summary(item, state),
        "description": item.description,
        "apiVersions": list(item.api_versions),
        "credentialFields": _fields(item),
        "health": _health(state),
    }


@operation(
    "integration_credentials",
    MODULE,
    input=IntegrationRef,
    output=IntegrationCredentials,
    kind="query",
    features=(CREDENTIALS,),
    rest=Rest("GET", "/integrations/{id}/credentials"),
)
async def integration_credentials(ctx: RequestContext, data: IntegrationRef) -> dict[str, Any]:
    """The stored credentials, secret ones masked (only their last 4 characters shown)."""
    item = integration(data.id)
    async with ctx.read_session() as session:
        values = unseal(ctx, await state_of(session, ctx, item.id))
    secret = {f.key for f in item.credentials if f.secret}
    return {
        "integrationId": item.id,
        "credentials": {key: _mask(value) if key in secret else value for key, value in values.items()},
        "configured": all(values.get(f.key) for f in item.credentials if f.required),
        "fields": _fields(item),
    }


@operation(
    "integration_save_credentials",
    MODULE,
    input=IntegrationCredentialsWrite,
    output=IntegrationCredentials,
    features=(CREDENTIALS,),
    rest=Rest("PUT", "/integrations/{id}/credentials"),
)
async def save_credentials(ctx: RequestContext, data: IntegrationCredentialsWrite) -> dict[str, Any]:
    """Merge credential values (null removes one); unknown keys are a 400. Sealed at rest."""
    item = integration(data.id)
    known = {f.key for f in item.credentials}
    unknown = sorted(key for key in data.credentials if key not in known)
    if unknown:
        raise ValidationFailed(
            [issue(["credentials", key], "Unknown credential", "unrecognized_keys") for key in unknown],
            "Unknown credentials",
        )
    async with ctx.unit_of_work() as uow:
        state = await ensure_state(uow.session, ctx, item.id)
        before = _snapshot(state)
        values = unseal(ctx, state)
        for key, value in data.credentials.items():
            if value is None or value == "":
                values.pop(key, None)
            else:
                values[key] = value
        state.credentials = seal(ctx, values)
        log(uow.session, ctx, item.id, "Credentials updated", details={"keys": sorted(data.credentials)})
        _audit(ctx, uow, "credentials_updated", state, before)
    return await integration_credentials(ctx, IntegrationRef(id=item.id))


@operation(
    "integration_set_state",
    MODULE,
    input=IntegrationStateWrite,
    output=IntegrationSummary,
    features=(MANAGE,),
    rest=Rest("PUT", "/integrations/{id}/state"),
)
async def set_state(ctx: RequestContext, data: IntegrationStateWrite) -> dict[str, Any]:
    """Enable or disable the integration for the tenant."""
    item = integration(data.id)
    async with ctx.unit_of_work() as uow:
        state = await ensure_state(uow.session, ctx, item.id)
        before = _snapshot(state)
        state.is_enabled = data.isEnabled
        log(uow.session, ctx, item.id, "Enabled" if data.isEnabled else "Disabled")
        _audit(ctx, uow, "enabled" if data.isEnabled else "disabled", state, before)
        return summary(item, state)


@operation(
    "integration_set_version",
    MODULE,
    input=IntegrationVersionWrite,
    output=IntegrationSummary,
    features=(MANAGE,),
    rest=Rest("PUT", "/integrations/{id}/version"),
)
async def set_version(ctx: RequestContext, data: IntegrationVersionWrite) -> dict[str, Any]:
    """Pin the API version the tenant talks to (one of the integration's ``apiVersions``)."""
    item = integration(data.id)
    if data.apiVersion not in item.api_versions:
        raise ValidationFailed(
            [issue("apiVersion", f"One of: {', '.join(item.api_versions) or 'none'}", "invalid_enum_value")],
            "Unsupported API version",
        )
    async with ctx.unit_of_work() as uow:
        state = await ensure_state(uow.session, ctx, item.id)
        before = _snapshot(state)
        state.api_version = data.apiVersion
        log(uow.session, ctx, item.id, f"API version set to {data.apiVersion}")
        _audit(ctx, uow, "version_changed", state, before)
        return summary(item, state)


async def _check(ctx: RequestContext, item: Integration, state: Any) -> tuple[str, str]:
    if state is not None and not state.is_enabled:
        return "disabled", "The integration is disabled"
    values = unseal(ctx, state)
    if item.probe is not None:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                return await item.probe(ctx, values)
        except TimeoutError:
            return "unhealthy", "The provider did not answer in time"
    missing = [f.key for f in item.credentials if f.required and not values.get(f.key)]
    if missing:
        return "unconfigured", f"Missing credentials: {', '.join(missing)}"
    return "healthy", "Credentials present"


@operation(
    "integration_health_check",
    MODULE,
    input=IntegrationRef,
    output=IntegrationHealth,
    features=(MANAGE,),
    transaction=False,
    rest=Rest("POST", "/integrations/{id}/health"),
)
async def health_check(ctx: RequestContext, data: IntegrationRef) -> dict[str, Any]:
    """Check the integration now (its provider's probe, else its credentials) and keep the result."""
    item = integration(data.id)
    async with ctx.read_session() as session:
        current = await state_of(session, ctx, item.id)
    status, message = await _check(ctx, item, current)  # outside the transaction: no lock held over HTTP
    async with ctx.unit_of_work(command=f"{MODULE}.integration_health_check") as uow:
        state = await ensure_state(uow.session, ctx, item.id)
        before = _snapshot(state)
        state.health_status, state.health_message = status, message[:500]
        state.health_checked_at = datetime.now(UTC)
        level = "info" if status in ("healthy", "disabled") else "warn"
        log(uow.session, ctx, item.id, f"Health check: {status}", level, {"message": message})
        _audit(ctx, uow, "health_checked", state, before)
        return _health(state)


@operation(
    "integration_logs",
    MODULE,
    input=IntegrationLogQuery,
    output=IntegrationLogPage,
    kind="query",
    features=(MANAGE,),
    rest=Rest("GET", "/integrations/logs"),
)
async def integration_logs(ctx: RequestContext, data: IntegrationLogQuery) -> dict[str, Any]:
    """The tenant's integration log, newest first (filter by ``integrationId``, ``level``)."""
    query = select(IntegrationLog).where(IntegrationLog.tenant_id == tenant_of(ctx))
    if data.integrationId:
        query = query.where(IntegrationLog.integration_id == data.integrationId)
    if data.level:
        query = query.where(IntegrationLog.level == data.level)
    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (
            await session.execute(
                query.order_by(IntegrationLog.created_at.desc(), IntegrationLog.id)
                .limit(data.pageSize)
                .offset((data.page - 1) * data.pageSize)
            )
        ).scalars()
        items = [
            {
                "id": str(row.id),
                "integrationId": row.integration_id,
                "level": row.level,
                "message": row.message,
                "details": row.details,
                "userId": str(row.user_id) if row.user_id else None,
                "createdAt": iso(row.created_at),
            }
            for row in rows
        ]
    return {
        "items": items,
        "total": total,
        "page": data.page,
        "pageSize": data.pageSize,
        "totalPages": -(-total // data.pageSize),
    }
