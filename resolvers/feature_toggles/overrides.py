"""Per-tenant overrides: a tenant's own value of a toggle, or none (it inherits the default).

Managed by holders of the superadmin role, always for the tenant the request works in (a platform
admin picks one with ``om_selected_tenant``); row-level security keeps every other tenant's
overrides out of reach. A change is a command (event, action-log entry) that can be undone.
"""

from __future__ import annotations

import math
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, ValidationFailed, issue
from models.directory import Tenant
from models.feature_toggles import FeatureToggle, FeatureToggleOverride
from resolvers.crud import flush_or_conflict, service
from resolvers.events import emit, record_command
from resolvers.feature_toggles.cache import invalidate
from resolvers.feature_toggles.toggles import MODULE, TOGGLE, check_value, require_super_admin
from resolvers.operations import Rest, operation
from resolvers.undo import NOT_AVAILABLE, Direction, undo_handler
from resolvers.validation import BoundedInt, SafeJson, text

COMMAND = f"{MODULE}.feature_toggle_override.set"
SORTS = {
    "identifier": FeatureToggle.identifier,
    "name": FeatureToggle.name,
    "category": FeatureToggle.category,
}


class OverrideInput(BaseModel):
    """``isOverride: false`` (or ``state: inherit``) removes the tenant's override; otherwise the
    override holds ``overrideValue`` (a value of the toggle's type), or for a boolean toggle
    ``state`` enabled/disabled (enabled when neither is sent)."""

    model_config = ConfigDict(extra="ignore")
    toggleId: uuid.UUID
    isOverride: bool
    overrideValue: SafeJson | None = None
    state: Literal["enabled", "disabled", "inherit"] | None = None


class OverrideResult(BaseModel):
    ok: bool
    overrideToggleId: str | None = None


class OverrideRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class OverrideDetail(BaseModel):
    """The current tenant's override of one toggle (``id`` null when it inherits the default)."""

    id: str | None = None
    toggleId: str
    tenantId: str
    tenantName: str | None = None
    toggleType: str
    isOverride: bool
    state: str
    value: Any | None = None


class OverrideListInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    category: text(200) | None = None
    name: text(200) | None = None
    identifier: text(200) | None = None
    sortField: Literal["identifier", "name", "category"] | None = None
    sortDir: Literal["asc", "desc"] | None = None
    page: BoundedInt = 1
    pageSize: BoundedInt = 25


class OverrideItem(BaseModel):
    id: str | None = None
    toggleId: str
    identifier: str
    name: str
    category: str | None = None
    type: str
    overrideState: str
    isOverride: bool
    value: Any | None = None
    defaultValue: Any | None = None
    defaultState: bool | None = None
    tenantId: str
    tenantName: str | None = None


class OverridePage(BaseModel):
    items: list[OverrideItem]
    total: int
    page: int
    pageSize: int
    totalPages: int
    isSuperAdmin: bool


def state_of(kind: str, override: FeatureToggleOverride | None) -> str:
    """``inherit`` without an override; enabled/disabled for booleans; ``override`` otherwise."""
    if override is None:
        return "inherit"
    if kind == "boolean":
        return "enabled" if override.value is True else "disabled"
    return "override"


async def tenant_name(ctx: RequestContext, tenant_id: uuid.UUID) -> str | None:
    async with ctx.read_session() as session:
        return await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))


async def _override(session: Any, toggle_id: uuid.UUID, tenant_id: uuid.UUID, lock: bool = False) -> Any:
    query = select(FeatureToggleOverride).where(
        FeatureToggleOverride.toggle_id == toggle_id, FeatureToggleOverride.tenant_id == tenant_id
    )
    return await session.scalar(query.with_for_update() if lock else query)


def snapshot(toggle_id: uuid.UUID, tenant_id: uuid.UUID, override: Any) -> dict[str, Any]:
    return {
        "toggleId": str(toggle_id),
        "tenantId": str(tenant_id),
        "isOverride": override is not None,
        "value": override.value if override is not None else None,
    }


async def apply_override(
    uow: UnitOfWork, toggle_id: uuid.UUID, tenant_id: uuid.UUID, wanted: dict[str, Any]
) -> FeatureToggleOverride | None:
    """Make the tenant's override what ``wanted`` (a :func:`snapshot`) says; returns it (None: inherit)."""
    existing = await _override(uow.session, toggle_id, tenant_id, lock=True)
    if not wanted["isOverride"]:
        if existing is not None:
            await uow.session.delete(existing)
            await flush_or_conflict(uow)
        return None
    if existing is None:
        existing = FeatureToggleOverride(id=uuid.uuid4(), toggle_id=toggle_id, tenant_id=tenant_id)
        uow.session.add(existing)
    existing.value = wanted["value"]
    await flush_or_conflict(uow, "The override changed concurrently; try again")
    return existing


def requested(toggle: FeatureToggle, data: OverrideInput) -> dict[str, Any]:
    """What the caller asks for, as a snapshot-shaped ``{isOverride, value}`` (400 when unclear)."""
    if not data.isOverride or data.state == "inherit":
        return {"isOverride": False, "value": None}
    if "overrideValue" in data.model_fields_set and data.overrideValue is not None:
        return {"isOverride": True, "value": check_value(toggle.type, data.overrideValue, "overrideValue")}
    if toggle.type == "boolean":
        return {"isOverride": True, "value": data.state != "disabled"}
    raise ValidationFailed([issue("overrideValue", f"A {toggle.type} value is required", "invalid_type")])


@operation(
    "set_feature_toggle_override",
    MODULE,
    input=OverrideInput,
    output=OverrideResult,
    rest=Rest("PUT", "/feature_toggles/overrides"),
)
async def set_override(ctx: RequestContext, data: OverrideInput) -> dict[str, Any]:
    """Enable, disable, set or inherit a toggle for the current tenant (superadmin role)."""
    require_super_admin(ctx)
    tenant_id = ctx.tenant_id()
    async with ctx.unit_of_work() as uow:
        toggle = await service(TOGGLE).fetch(ctx, uow.session, data.toggleId)
        wanted = {**snapshot(toggle.id, tenant_id, None), **requested(toggle, data)}
        before = snapshot(toggle.id, tenant_id, await _override(uow.session, toggle.id, tenant_id))
        override = await apply_override(uow, toggle.id, tenant_id, wanted)
        record(ctx, uow, toggle.id, tenant_id, before, snapshot(toggle.id, tenant_id, override))
    return {"ok": True, "overrideToggleId": str(override.id) if override is not None else None}


def record(
    ctx: RequestContext,
    uow: UnitOfWork,
    toggle_id: uuid.UUID,
    tenant_id: uuid.UUID,
    before: dict[str, Any],
    after: dict[str, Any],
    verb: str = "set",
) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="feature_toggle_override",
        verb=verb,
        event="changed",
        resource_id=toggle_id,
        tenant_id=tenant_id,
        before=before,
        after=after,
    )

    async def forget() -> None:
        invalidate(ctx.sessionmaker)

    uow.after_commit(forget)


@undo_handler(COMMAND)
async def undo_override(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Put the override back as it was before (undo) or after (redo) the change."""
    wanted = step["before"] if direction == "undo" else step["after"]
    tenant_id = uuid.UUID(wanted["tenantId"])
    if tenant_id != ctx.tenant_id():
        raise BadRequest(NOT_AVAILABLE)
    toggle = await service(TOGGLE).fetch(ctx, uow.session, wanted["toggleId"])
    override = await apply_override(uow, toggle.id, tenant_id, wanted)
    current = snapshot(toggle.id, tenant_id, override)
    # Undo writes no new action-log entry (the entry itself changes state), only the event.
    emit(ctx, uow, f"{MODULE}.feature_toggle_override.changed", {**current, direction: True}, tenant_id)

    async def forget() -> None:
        invalidate(ctx.sessionmaker)

    uow.after_commit(forget)


@operation(
    "feature_toggle_override",
    MODULE,
    input=OverrideRef,
    output=OverrideDetail,
    kind="query",
    rest=Rest("GET", "/feature_toggles/global/{id}/override"),
)
async def override_detail(ctx: RequestContext, data: OverrideRef) -> dict[str, Any]:
    """The current tenant's override of a toggle (superadmin role)."""
    require_super_admin(ctx)
    tenant_id = ctx.tenant_id()
    async with ctx.read_session() as session:
        toggle = await service(TOGGLE).fetch(ctx, session, data.id)
        override = await _override(session, toggle.id, tenant_id)
    return {
        "id": str(override.id) if override is not None else None,
        "toggleId": str(toggle.id),
        "tenantId": str(tenant_id),
        "tenantName": await tenant_name(ctx, tenant_id),
        "toggleType": toggle.type,
        "isOverride": override is not None,
        "state": state_of(toggle.type, override),
        "value": override.value if override is not None else None,
    }


def _listed(data: OverrideListInput, tenant_id: uuid.UUID) -> Select:
    query = (
        select(FeatureToggle, FeatureToggleOverride)
        .outerjoin(
            FeatureToggleOverride,
            (FeatureToggleOverride.toggle_id == FeatureToggle.id)
            & (FeatureToggleOverride.tenant_id == tenant_id),
        )
        .where(FeatureToggle.deleted_at.is_(None))
    )
    for name in ("category", "name", "identifier"):
        value = getattr(data, name)
        if value:
            query = TOGGLE.filter(name).apply(query, value)
    return query


@operation(
    "feature_toggle_overrides",
    MODULE,
    input=OverrideListInput,
    output=OverridePage,
    kind="query",
    rest=Rest("GET", "/feature_toggles/overrides"),
)
async def list_overrides(ctx: RequestContext, data: OverrideListInput) -> dict[str, Any]:
    """Every toggle with the current tenant's override state (superadmin role), paginated."""
    require_super_admin(ctx)
    tenant_id = ctx.tenant_id()
    page, size = max(1, min(data.page, 1_000_000)), max(1, min(data.pageSize, 100))
    query = _listed(data, tenant_id)
    column = SORTS[data.sortField or "identifier"]
    ordered = column.desc() if data.sortDir == "desc" else column.asc()
    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = (
            await session.execute(
                query.order_by(ordered, FeatureToggle.id).limit(size).offset((page - 1) * size)
            )
        ).all()
    name = await tenant_name(ctx, tenant_id)
    items = [
        {
            "id": str(override.id) if override is not None else None,
            "toggleId": str(toggle.id),
            "identifier": toggle.identifier,
            "name": toggle.name,
            "category": toggle.category,
            "type": toggle.type,
            "overrideState": state_of(toggle.type, override),
            "isOverride": override is not None,
            "value": override.value if override is not None else None,
            "defaultValue": toggle.default_value,
            "defaultState": (toggle.default_value is True) if toggle.type == "boolean" else None,
            "tenantId": str(tenant_id),
            "tenantName": name,
        }
        for toggle, override in rows
    ]
    return {
        "items": items,
        "total": total,
        "page": page,
        "pageSize": size,
        "totalPages": math.ceil(total / size) if total else 0,
        "isSuperAdmin": ctx.require_auth().is_super_admin,
    }
