"""Per-user dashboard layouts and the widget assignments of roles and users.

A user's allowed widgets (those they may place): the catalog widgets whose features the user holds,
narrowed by their own override (``mode: override``), else by the union of their roles' assignments
when any role has one. A user without a saved layout sees the allowed widgets enabled by default.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import delete, select

from crmgraph.authn import load_user_principal
from crmgraph.context import Principal, RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.auth import Role, User
from models.dashboards import DashboardLayout, DashboardRoleWidgets, DashboardUserWidgets
from resolvers import events
from resolvers.dashboards import outputs as out
from resolvers.dashboards.registry import WIDGETS, Size, available
from resolvers.operations import Rest, operation
from resolvers.scope import tenant_tree
from resolvers.validation import SafeDict, text

MAX_ITEMS = 50


async def _assignment(session: Any, model: type, column: Any, subject: Any, org: uuid.UUID | None) -> Any:
    return await session.scalar(
        select(model).where(column == subject, model.organization_id.is_not_distinct_from(org))
    )


async def allowed_widgets(session: Any, principal: Principal, org: uuid.UUID | None) -> list[str]:
    """The widget ids ``principal`` may place (see the module docstring), in catalog order."""
    held = available(principal)
    override = None
    if principal.user_id is not None:
        override = await _assignment(
            session, DashboardUserWidgets, DashboardUserWidgets.user_id, principal.user_id, org
        )
    if override is not None and override.mode == "override":
        wanted = set(override.widget_ids)
    else:
        rows = (
            await session.execute(
                select(DashboardRoleWidgets.widget_ids).where(
                    DashboardRoleWidgets.role_id.in_(principal.role_ids or []),
                    DashboardRoleWidgets.organization_id.is_not_distinct_from(org),
                )
            )
        ).scalars()
        assigned = list(rows)
        wanted = {w for ids in assigned for w in ids} if assigned else {w.id for w in held}
    return [w.id for w in held if w.id in wanted]


def _user_id(ctx: RequestContext) -> uuid.UUID:
    principal = ctx.require_auth()
    if principal.user_id is None:
        raise ValidationFailed([issue("userId", "Dashboards belong to users, not API keys", "invalid_type")])
    return principal.user_id


async def default_items(session: Any, principal: Principal) -> list[dict[str, Any]]:
    """The layout of a user who saved none: their allowed widgets enabled by default, in catalog
    order, with item ids derived from the widget ids (stable until a layout is saved)."""
    allowed = await allowed_widgets(session, principal, None)
    return _default_items([w for w in allowed if WIDGETS[w].default_enabled])


def _default_items(widget_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, w)),
            "widgetId": w,
            "order": i,
            "size": WIDGETS[w].default_size,
            "settings": WIDGETS[w].default_settings,
        }
        for i, w in enumerate(widget_ids)
    ]


@operation(
    "dashboard_layout",
    "dashboards",
    output=out.DashboardLayoutView,
    kind="query",
    features=("dashboards.view",),
    rest=Rest("GET", "/dashboards/layout"),
)
async def get_layout(ctx: RequestContext) -> dict[str, Any]:
    """The caller's saved layout (or the default one), the widgets they may place, and who they are."""
    principal = ctx.require_auth()
    user_id = _user_id(ctx)
    async with ctx.read_session() as session:
        allowed = await allowed_widgets(session, principal, None)
        saved = await session.scalar(select(DashboardLayout).where(DashboardLayout.user_id == user_id))
        user = await session.get(User, user_id)
    if saved is not None:
        items = [i for i in saved.items if i.get("widgetId") in allowed]
    else:
        items = _default_items([w for w in allowed if WIDGETS[w].default_enabled])
    name, email = (user.name, user.email) if user else (None, principal.email)
    return {
        "layout": {"items": sorted(items, key=lambda i: i["order"])},
        "allowedWidgetIds": allowed,
        "canConfigure": principal.has("dashboards.configure"),
        "context": {
            "userId": str(user_id),
            "tenantId": str(principal.tenant_id) if principal.tenant_id else None,
            "organizationId": str(principal.org_id) if principal.org_id else None,
            "userName": name,
            "userEmail": email,
            "userLabel": name or email or str(user_id),
        },
        "widgets": [WIDGETS[w].as_json() for w in allowed],
    }


class DashboardLayoutEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID | None = None
    widgetId: text(200)
    order: int = PydanticField(0, ge=0, le=1000)
    size: Size | None = None
    settings: SafeDict | None = None


class LayoutInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    items: list[DashboardLayoutEntry] = PydanticField(max_length=MAX_ITEMS)


async def _save(
    ctx: RequestContext, session: Any, user_id: uuid.UUID, items: list[dict[str, Any]]
) -> DashboardLayout:
    """Create or replace the user's layout."""
    layout = await session.scalar(
        select(DashboardLayout).where(DashboardLayout.user_id == user_id).with_for_update()
    )
    if layout is None:
        layout = DashboardLayout(id=uuid.uuid4(), user_id=user_id, tenant_id=ctx.tenant_id(), items=items)
        session.add(layout)
    else:
        layout.items = items
    await session.flush()
    return layout


def _record(ctx: RequestContext, uow: Any, entity: str, resource: Any, after: dict[str, Any]) -> None:
    events.record_command(
        ctx,
        uow,
        module="dashboards",
        entity=entity,
        verb="update",
        event="updated",
        resource_id=resource,
        tenant_id=ctx.tenant_id(),
        after=after,
    )


@operation(
    "save_dashboard_layout",
    "dashboards",
    output=out.DashboardOk,
    input=LayoutInput,
    features=("dashboards.configure",),
    rest=Rest("PUT", "/dashboards/layout"),
)
async def save_layout(ctx: RequestContext, data: LayoutInput) -> dict[str, Any]:
    """Replace the caller's layout: every widget must be one they may place (400 otherwise)."""
    user_id = _user_id(ctx)
    async with ctx.unit_of_work() as uow:
        allowed = set(await allowed_widgets(uow.session, ctx.require_auth(), None))
        problems = [
            issue(["items", i, "widgetId"], f"Widget not available: {item.widgetId}", "not_allowed")
            for i, item in enumerate(data.items)
            if item.widgetId not in allowed
        ]
        if problems:
            raise ValidationFailed(problems)
        items, seen = [], set()
        for item in sorted(data.items, key=lambda i: i.order):
            item_id = str(item.id or uuid.uuid4())
            if item_id in seen:
                raise ValidationFailed([issue("items", f"Duplicate item id {item_id}", "duplicate")])
            seen.add(item_id)
            spec = WIDGETS[item.widgetId]
            items.append(
                {
                    "id": item_id,
                    "widgetId": item.widgetId,
                    "order": item.order,
                    "size": item.size or spec.default_size,
                    "settings": item.settings if item.settings is not None else spec.default_settings,
                }
            )
        layout = await _save(ctx, uow.session, user_id, items)
        _record(ctx, uow, "layout", layout.id, {"items": items})
    return {"ok": True}


class ItemPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    itemId: text(64)
    size: Size | None = None
    settings: SafeDict | None = None


@operation(
    "update_dashboard_layout_item",
    "dashboards",
    output=out.DashboardOk,
    input=ItemPatch,
    features=("dashboards.configure",),
    rest=Rest("PATCH", "/dashboards/layout/{itemId}"),
)
async def patch_item(ctx: RequestContext, data: ItemPatch) -> dict[str, Any]:
    """Change the size or settings of one widget of the caller's layout (the default layout until
    one is saved; 404 when the item is not in it)."""
    user_id = _user_id(ctx)
    async with ctx.unit_of_work() as uow:
        saved = await uow.session.scalar(
            select(DashboardLayout).where(DashboardLayout.user_id == user_id).with_for_update()
        )
        if saved is not None:
            items = [dict(i) for i in saved.items]
        else:
            items = await default_items(uow.session, ctx.require_auth())
        target = next((i for i in items if i.get("id") == data.itemId), None)
        if target is None:
            raise NotFound("Layout item not found")
        if data.size is not None:
            target["size"] = data.size
        if "settings" in data.model_fields_set:
            target["settings"] = data.settings
        layout = await _save(ctx, uow.session, user_id, items)
        _record(ctx, uow, "layout", layout.id, {"items": items})
    return {"ok": True}


# --- role and user assignments ------------------------------------------------------------------


class ScopeInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tenantId: uuid.UUID | None = None
    organizationId: uuid.UUID | None = None


async def _scope(ctx: RequestContext, data: ScopeInput) -> dict[str, Any]:
    """The assignment scope: the caller's tenant (another tenant's id is a 404) and optionally one
    of its organizations (400 for any other id)."""
    tenant = ctx.tenant_id()
    if data.tenantId is not None and data.tenantId != tenant:
        raise NotFound()
    if data.organizationId is not None and data.organizationId not in await tenant_tree(ctx, tenant):
        raise ValidationFailed([issue("organizationId", "Organization not found", "not_found")])
    return {
        "tenantId": str(tenant) if tenant else None,
        "organizationId": str(data.organizationId) if data.organizationId else None,
    }


def _known(widget_ids: list[str]) -> list[str]:
    problems = [
        issue(["widgetIds", i], f"Unknown widget: {w}", "not_found")
        for i, w in enumerate(widget_ids)
        if w not in WIDGETS
    ]
    if problems:
        raise ValidationFailed(problems)
    return list(dict.fromkeys(widget_ids))


class RoleQuery(ScopeInput):
    roleId: uuid.UUID


class RoleWidgets(RoleQuery):
    widgetIds: list[text(200)] = PydanticField(max_length=200)


async def _role(ctx: RequestContext, session: Any, role_id: uuid.UUID) -> Role:
    role = await session.scalar(
        select(Role).where(Role.id == role_id, Role.tenant_id == ctx.tenant_id(), Role.deleted_at.is_(None))
    )
    if role is None:
        raise NotFound("Role not found")
    return role


ASSIGN = ("dashboards.admin.assign-widgets",)


@operation(
    "dashboard_role_widgets",
    "dashboards",
    output=out.DashboardRoleWidgets,
    input=RoleQuery,
    kind="query",
    features=ASSIGN,
    rest=Rest("GET", "/dashboards/roles/widgets"),
)
async def get_role_widgets(ctx: RequestContext, data: RoleQuery) -> dict[str, Any]:
    """The widgets assigned to a role of the caller's tenant in the given scope."""
    scope = await _scope(ctx, data)
    async with ctx.read_session() as session:
        await _role(ctx, session, data.roleId)
        row = await _assignment(
            session, DashboardRoleWidgets, DashboardRoleWidgets.role_id, data.roleId, data.organizationId
        )
    return {"widgetIds": list(row.widget_ids) if row else [], "hasCustom": row is not None, "scope": scope}


@operation(
    "set_dashboard_role_widgets",
    "dashboards",
    output=out.DashboardRoleWidgetsSaved,
    input=RoleWidgets,
    features=ASSIGN,
    rest=Rest("PUT", "/dashboards/roles/widgets"),
)
async def set_role_widgets(ctx: RequestContext, data: RoleWidgets) -> dict[str, Any]:
    """Replace a role's widgets in the scope (every id must be a catalog widget)."""
    await _scope(ctx, data)
    widget_ids = _known(data.widgetIds)
    async with ctx.unit_of_work() as uow:
        await _role(ctx, uow.session, data.roleId)
        row = await _assignment(
            uow.session, DashboardRoleWidgets, DashboardRoleWidgets.role_id, data.roleId, data.organizationId
        )
        if row is None:
            row = DashboardRoleWidgets(
                id=uuid.uuid4(),
                role_id=data.roleId,
                organization_id=data.organizationId,
                tenant_id=ctx.tenant_id(),
            )
            uow.session.add(row)
        row.widget_ids = widget_ids
        await uow.session.flush()
        _record(ctx, uow, "role_widgets", row.id, {"roleId": str(data.roleId), "widgetIds": widget_ids})
    return {"ok": True, "widgetIds": widget_ids}


class UserQuery(ScopeInput):
    userId: uuid.UUID


class UserWidgets(UserQuery):
    mode: Literal["inherit", "override"] = "inherit"
    widgetIds: list[text(200)] = PydanticField(default_factory=list, max_length=200)


async def _user(ctx: RequestContext, session: Any, user_id: uuid.UUID) -> Principal:
    found = await session.scalar(
        select(User.id).where(
            User.id == user_id, User.tenant_id == ctx.tenant_id(), User.deleted_at.is_(None)
        )
    )
    principal = await load_user_principal(session, user_id) if found else None
    if principal is None:
        raise NotFound("User not found")
    return principal


@operation(
    "dashboard_user_widgets",
    "dashboards",
    output=out.DashboardUserWidgets,
    input=UserQuery,
    kind="query",
    features=ASSIGN,
    rest=Rest("GET", "/dashboards/users/widgets"),
)
async def get_user_widgets(ctx: RequestContext, data: UserQuery) -> dict[str, Any]:
    """A user's own widget setting and the widgets they end up with."""
    scope = await _scope(ctx, data)
    async with ctx.read_session() as session:
        principal = await _user(ctx, session, data.userId)
        row = await _assignment(
            session, DashboardUserWidgets, DashboardUserWidgets.user_id, data.userId, data.organizationId
        )
        effective = await allowed_widgets(session, principal, data.organizationId)
    return {
        "mode": row.mode if row else "inherit",
        "widgetIds": list(row.widget_ids) if row else [],
        "hasCustom": row is not None,
        "effectiveWidgetIds": effective,
        "scope": scope,
    }


@operation(
    "set_dashboard_user_widgets",
    "dashboards",
    output=out.DashboardUserWidgetsSaved,
    input=UserWidgets,
    features=ASSIGN,
    rest=Rest("PUT", "/dashboards/users/widgets"),
)
async def set_user_widgets(ctx: RequestContext, data: UserWidgets) -> dict[str, Any]:
    """``override``: the user gets exactly ``widgetIds`` (within their features); ``inherit``
    clears the override (their roles decide again)."""
    await _scope(ctx, data)
    widget_ids = _known(data.widgetIds) if data.mode == "override" else []
    async with ctx.unit_of_work() as uow:
        await _user(ctx, uow.session, data.userId)
        match = (
            DashboardUserWidgets.user_id == data.userId,
            DashboardUserWidgets.organization_id.is_not_distinct_from(data.organizationId),
        )
        await uow.session.execute(delete(DashboardUserWidgets).where(*match))
        if data.mode == "override":
            uow.session.add(
                DashboardUserWidgets(
                    id=uuid.uuid4(),
                    user_id=data.userId,
                    organization_id=data.organizationId,
                    tenant_id=ctx.tenant_id(),
                    mode="override",
                    widget_ids=widget_ids,
                )
            )
        await uow.session.flush()
        _record(ctx, uow, "user_widgets", data.userId, {"mode": data.mode, "widgetIds": widget_ids})
    return {"ok": True, "mode": data.mode, "widgetIds": widget_ids}


@operation(
    "dashboard_widget_catalog",
    "dashboards",
    output=out.DashboardWidgetCatalog,
    kind="query",
    features=ASSIGN,
    rest=Rest("GET", "/dashboards/widgets/catalog"),
)
async def widget_catalog(ctx: RequestContext) -> dict[str, Any]:
    """The widgets modules contribute, with defaults and the features each needs (those the caller
    holds the features of)."""
    return {"items": [w.as_json() for w in available(ctx.require_auth())]}
