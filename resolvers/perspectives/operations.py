"""The documented perspective routes of a table (``/perspectives/{tableId}``): the caller's views and
the role defaults offered to them, saving a view (and, with ``perspectives.role_defaults``, giving
it to roles of the tenant or clearing theirs), removing a view, and clearing a role's views."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.auth import Role
from models.perspectives import Perspective, RolePerspective
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.operations import Rest, operation, pick
from resolvers.perspectives.entities import (
    MODULE,
    PERSPECTIVE,
    ROLE_DEFAULTS,
    ROLE_PERSPECTIVE,
    USE,
    any_of,
    held_roles,
    live_views,
    tenant_role,
    tenant_roles,
    user_of,
)
from resolvers.validation import SafeDict, text

MAX_ROLES = 100


class TableRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tableId: text(200) = PydanticField(min_length=1)


class PerspectiveSorting(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(200) = PydanticField(min_length=1)
    desc: bool | None = None


class PerspectiveSettings(BaseModel):
    """What a view keeps of a table: column order and visibility, filters, sorting, page size, search."""

    model_config = ConfigDict(extra="ignore")
    columnOrder: list[text(200)] | None = PydanticField(default=None, max_length=120)
    columnVisibility: dict[text(200), bool] | None = None
    filters: SafeDict | None = None
    sorting: list[PerspectiveSorting] | None = PydanticField(default=None, max_length=20)
    pageSize: int | None = PydanticField(default=None, ge=1, le=500)
    searchValue: text(200) | None = None


class PerspectiveSave(TableRef):
    """Save the caller's view ``name`` (``perspectiveId`` names the one to change, else the view of that
    name is created or replaced); ``applyToRoles`` / ``clearRoleIds`` need ``perspectives.role_defaults``."""

    perspectiveId: uuid.UUID | None = None
    name: text(120) = PydanticField(min_length=1)
    settings: PerspectiveSettings
    isDefault: bool | None = None
    isShared: bool | None = None
    applyToRoles: list[uuid.UUID] | None = PydanticField(default=None, max_length=MAX_ROLES)
    clearRoleIds: list[uuid.UUID] | None = PydanticField(default=None, max_length=MAX_ROLES)
    setRoleDefault: bool | None = None


class PerspectiveRef(TableRef):
    perspectiveId: text(64)


class RoleRef(TableRef):
    roleId: text(64)


class PerspectiveView(BaseModel):
    """A saved view of a table."""

    id: str
    name: str
    tableId: str
    settings: dict[str, Any]
    isDefault: bool
    createdAt: str
    updatedAt: str | None = None


class RolePerspectiveView(PerspectiveView):
    """A saved view a role of the tenant offers to its holders."""

    roleId: str
    tenantId: str | None = None
    organizationId: str | None = None
    roleName: str | None = None


class PerspectiveRole(BaseModel):
    """A role the caller sees views of (all the tenant's when they manage role defaults)."""

    id: str
    name: str
    hasPerspective: bool
    hasDefault: bool


class PerspectivesOfTable(BaseModel):
    tableId: str
    perspectives: list[PerspectiveView]
    defaultPerspectiveId: str | None = None
    rolePerspectives: list[RolePerspectiveView]
    roles: list[PerspectiveRole]
    canApplyToRoles: bool


class PerspectiveSaved(BaseModel):
    perspective: PerspectiveView
    rolePerspectives: list[RolePerspectiveView]
    clearedRoleIds: list[str]


def table_of(data: TableRef) -> str:
    table_id = data.tableId.strip()
    if not table_id:
        raise ValidationFailed([issue("tableId", "Invalid table id", "too_small")], "Invalid table id")
    return table_id


def view_json(row: Perspective) -> dict[str, Any]:
    return serialize(PERSPECTIVE, row)


def role_view_json(row: RolePerspective, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {**serialize(ROLE_PERSPECTIVE, row), "organizationId": None, "roleName": names.get(row.role_id)}


@operation(
    "perspectives_of_table",
    MODULE,
    input=TableRef,
    output=PerspectivesOfTable,
    kind="query",
    features=(USE,),
    rest=Rest("GET", "/perspectives/{tableId}"),
)
async def perspectives_of_table(ctx: RequestContext, data: TableRef) -> dict[str, Any]:
    """The caller's views of a table (newest first), its default, and the views the roles it sees
    offer: its own roles of the tenant, or every role of the tenant for a manager of role defaults."""
    table_id = table_of(data)
    principal = ctx.require_auth()
    can_apply = principal.has(ROLE_DEFAULTS)
    async with ctx.read_session() as session:
        roles_query = (
            tenant_roles(ctx) if can_apply else tenant_roles(ctx).where(any_of(Role.id, held_roles(ctx)))
        )
        roles = list((await session.execute(roles_query.order_by(func.lower(Role.name), Role.id))).scalars())
        names = {role.id: role.name for role in roles}
        own: list[Perspective] = []
        if principal.user_id is not None:
            own_query = live_views(Perspective, table_id, Perspective.user_id == principal.user_id)
            own = list(
                (
                    await session.execute(own_query.order_by(Perspective.updated_at.desc(), Perspective.id))
                ).scalars()
            )
        offered_query = live_views(RolePerspective, table_id, any_of(RolePerspective.role_id, list(names)))
        offered = list(
            (
                await session.execute(
                    offered_query.order_by(RolePerspective.updated_at.desc(), RolePerspective.id)
                )
            )
            .scalars()
            .all()
        )
    return {
        "tableId": table_id,
        "perspectives": [view_json(row) for row in own],
        "defaultPerspectiveId": next((str(row.id) for row in own if row.is_default), None),
        "rolePerspectives": [role_view_json(row, names) for row in offered],
        "roles": [
            {
                "id": str(role.id),
                "name": role.name,
                "hasPerspective": any(row.role_id == role.id for row in offered),
                "hasDefault": any(row.role_id == role.id and row.is_default for row in offered),
            }
            for role in roles
        ],
        "canApplyToRoles": can_apply,
    }


async def _roles(
    ctx: RequestContext, uow: UnitOfWork, ids: list[uuid.UUID], path: str
) -> dict[uuid.UUID, str]:
    """Names of the given roles, which must all be live roles of the caller's tenant (400 otherwise,
    the same for another tenant's role as for a random id)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = (await uow.session.execute(tenant_roles(ctx).where(Role.id.in_(wanted)))).scalars()
    found = {role.id: role.name for role in rows}
    missing = [role_id for role_id in wanted if role_id not in found]
    if missing:
        raise ValidationFailed(
            [issue(path, f"Unknown role: {role_id}", "not_found") for role_id in missing], "Invalid roles"
        )
    return found


async def _save_own(
    ctx: RequestContext, uow: UnitOfWork, table_id: str, data: PerspectiveSave
) -> Perspective:
    user_id = user_of(ctx)
    values = {"name": data.name, "settings": data.settings.model_dump(mode="json", exclude_unset=True)}
    if data.isDefault is not None:
        values["isDefault"] = data.isDefault
    if data.isShared is not None:
        values["isShared"] = data.isShared
    named = live_views(
        Perspective, table_id, Perspective.user_id == user_id, Perspective.name == data.name.strip()
    )
    same_name = await uow.session.scalar(named)
    if data.perspectiveId is not None:
        mine = await uow.session.scalar(
            live_views(
                Perspective, table_id, Perspective.user_id == user_id, Perspective.id == data.perspectiveId
            )
        )
        if mine is None:
            raise NotFound("Perspective not found")
        if same_name is not None and same_name.id != mine.id:
            raise Conflict("A perspective with this name already exists")
        return await service(PERSPECTIVE).update(ctx, values, id_=mine.id)
    if same_name is not None:
        return await service(PERSPECTIVE).update(ctx, values, id_=same_name.id)
    created, _ = await service(PERSPECTIVE).create(ctx, {**values, "tableId": table_id})
    return created


async def _apply_to_roles(
    ctx: RequestContext, uow: UnitOfWork, table_id: str, data: PerspectiveSave, roles: list[uuid.UUID]
) -> list[RolePerspective]:
    """The view, under its name, for each role (replacing a role's view of that name)."""
    settings = data.settings.model_dump(mode="json", exclude_unset=True)
    saved = []
    for role_id in roles:
        existing = await uow.session.scalar(
            live_views(
                RolePerspective,
                table_id,
                RolePerspective.role_id == role_id,
                RolePerspective.name == data.name.strip(),
            )
        )
        values: dict[str, Any] = {"name": data.name, "settings": settings}
        if data.setRoleDefault is not None:
            values["isDefault"] = data.setRoleDefault
        if existing is not None:
            saved.append(await service(ROLE_PERSPECTIVE).update(ctx, values, id_=existing.id))
        else:
            body = {**values, "tableId": table_id, "roleId": str(role_id)}
            saved.append((await service(ROLE_PERSPECTIVE).create(ctx, body))[0])
    return saved


async def clear_roles(ctx: RequestContext, uow: UnitOfWork, table_id: str, roles: list[uuid.UUID]) -> None:
    """Remove every view the roles offer for the table."""
    if not roles:
        return
    rows = (
        await uow.session.execute(live_views(RolePerspective, table_id, RolePerspective.role_id.in_(roles)))
    ).scalars()
    for row in list(rows):
        await service(ROLE_PERSPECTIVE).delete(ctx, row.id)


@operation(
    "save_perspective",
    MODULE,
    input=PerspectiveSave,
    output=PerspectiveSaved,
    features=(USE,),
    rest=Rest("POST", "/perspectives/{tableId}"),
)
async def save_perspective(ctx: RequestContext, data: PerspectiveSave) -> dict[str, Any]:
    """Save the caller's view of a table (one default per table: taking it moves it) and, in the same
    command, offer it to roles of the tenant (``setRoleDefault`` makes it their default) or clear the
    views of other roles."""
    table_id = table_of(data)
    apply_ids, clear_ids = (
        list(dict.fromkeys(data.applyToRoles or [])),
        list(dict.fromkeys(data.clearRoleIds or [])),
    )
    if apply_ids or clear_ids:
        ctx.require_features([ROLE_DEFAULTS])
    async with ctx.unit_of_work() as uow:  # the operation's: one command, filed under the user's view
        names = {
            **await _roles(ctx, uow, apply_ids, "applyToRoles"),
            **await _roles(ctx, uow, clear_ids, "clearRoleIds"),
        }
        own = await _save_own(ctx, uow, table_id, data)
        offered = await _apply_to_roles(ctx, uow, table_id, data, apply_ids)
        await clear_roles(ctx, uow, table_id, [role for role in clear_ids if role not in apply_ids])
        return {
            "perspective": view_json(own),
            "rolePerspectives": [role_view_json(row, names) for row in offered],
            "clearedRoleIds": [str(role) for role in clear_ids],
        }


@operation(
    "delete_perspective",
    MODULE,
    input=PerspectiveRef,
    output=bool,
    features=(USE,),
    graphql_result=pick("success"),
    rest=Rest("DELETE", "/perspectives/{tableId}/{perspectiveId}"),
)
async def delete_perspective(ctx: RequestContext, data: PerspectiveRef) -> dict[str, Any]:
    """Remove one of the caller's views of the table (anyone else's is a 404)."""
    table_id = table_of(data)
    user_id = user_of(ctx)
    try:
        ident = uuid.UUID(data.perspectiveId)
    except ValueError:
        raise NotFound("Perspective not found") from None
    async with ctx.unit_of_work() as uow:
        mine = await uow.session.scalar(
            live_views(Perspective, table_id, Perspective.user_id == user_id, Perspective.id == ident)
        )
        if mine is None:
            raise NotFound("Perspective not found")
        await service(PERSPECTIVE).delete(ctx, mine.id)
    return {"success": True}


@operation(
    "clear_role_perspectives",
    MODULE,
    input=RoleRef,
    output=bool,
    features=(ROLE_DEFAULTS,),
    graphql_result=pick("success"),
    rest=Rest("DELETE", "/perspectives/{tableId}/roles/{roleId}"),
)
async def clear_role_perspectives(ctx: RequestContext, data: RoleRef) -> dict[str, Any]:
    """Remove every view a role of the tenant offers for the table (another tenant's role: 404)."""
    table_id = table_of(data)
    try:
        role_id = uuid.UUID(data.roleId)
    except ValueError:
        raise NotFound("Role not found") from None
    async with ctx.unit_of_work() as uow:
        role = await tenant_role(ctx, uow.session, role_id)
        await clear_roles(ctx, uow, table_id, [role.id])
    return {"success": True}
