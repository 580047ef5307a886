"""Perspectives (saved table views) of users and role defaults: declarations and write rules.

A user's perspectives are theirs alone: names are unique per table, at most one is the default.
Role perspectives are offered to every holder of a role; only roles of the caller's tenant carry
them (global roles do not), at most one default per role and table. Reading role perspectives
needs the role (or ``perspectives.role_defaults``, which manages them for every role).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import false, or_, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.auth import Role
from models.perspectives import Perspective, RolePerspective
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq
from resolvers.flags import take_flag

MODULE = "perspectives"
USE = "perspectives.use"
ROLE_DEFAULTS = "perspectives.role_defaults"
READONLY = {"create": False, "update": False}


def user_of(ctx: RequestContext) -> uuid.UUID:
    """The signed-in user; API keys have no perspectives of their own."""
    user_id = ctx.require_auth().user_id
    if user_id is None:
        raise ValidationFailed(
            [issue("userId", "Perspectives belong to users, not API keys", "invalid_type")]
        )
    return user_id


def tenant_roles(ctx: RequestContext) -> Any:
    """Live roles of the caller's tenant (global roles excluded)."""
    return select(Role).where(Role.tenant_id == ctx.tenant_id(), Role.deleted_at.is_(None))


async def tenant_role(ctx: RequestContext, session: Any, role_id: Any) -> Role:
    """A live role of the caller's tenant, else 404 (another tenant's role and a global one too)."""
    role = await session.scalar(tenant_roles(ctx).where(Role.id == role_id))
    if role is None:
        raise NotFound("Role not found")
    return role


def held_roles(ctx: RequestContext) -> list[uuid.UUID]:
    return list(ctx.require_auth().role_ids or [])


async def _own(ctx: RequestContext, target: Any) -> Any:
    user_id = ctx.require_auth().user_id
    return target.user_id == user_id if user_id is not None else false()


async def _offered(ctx: RequestContext, target: Any) -> Any:
    """Role perspectives of the caller's roles, or of every role for whoever manages them."""
    if ctx.require_auth().has(ROLE_DEFAULTS):
        return None
    return target.role_id.in_(held_roles(ctx)) if held_roles(ctx) else false()


def stamps() -> list[Field]:
    return [
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def view_fields() -> list[Field]:
    return [
        Field("table_id", str, required=True, update=False, sort=True, max_length=200),
        Field("name", str, required=True, sort=True, search=True, max_length=120),
        Field("settings", dict),
        Field("is_default", bool, sort=True),
    ]


def _view_values(data: dict[str, Any]) -> None:
    for attr in ("table_id", "name"):
        if data.get(attr) is not None:
            data[attr] = data[attr].strip()
            if not data[attr]:
                raise ValidationFailed([issue(attr, f"{attr} is required", "too_small")])
    for attr in ("is_default", "settings"):
        if attr in data and data[attr] is None:
            data.pop(attr)


async def _perspective_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _view_values(data)
    data["user_id"] = user_of(ctx)
    data.setdefault("settings", {})
    data["is_default"] = bool(data.get("is_default"))
    if data["is_default"]:
        group = [Perspective.user_id == data["user_id"], Perspective.table_id == data["table_id"]]
        await take_flag(ctx, uow, PERSPECTIVE, "is_default", group)


async def _perspective_update(
    ctx: RequestContext, uow: UnitOfWork, obj: Perspective, data: dict[str, Any]
) -> None:
    _view_values(data)
    if data.get("is_default") and not obj.is_default:
        group = [Perspective.user_id == obj.user_id, Perspective.table_id == obj.table_id]
        await take_flag(ctx, uow, PERSPECTIVE, "is_default", group, keep=obj.id)


PERSPECTIVE = Entity(
    name="perspective",
    module=MODULE,
    model=Perspective,
    path=None,
    graphql_name="Perspective",
    plural="perspectives",
    scope="tenant",
    visibility=_own,
    features=Features.view_manage(USE, USE),
    fields=[*view_fields(), Field("is_shared", bool), Field("user_id", uuid.UUID, **READONLY), *stamps()],
    filters=[eq("tableId", Perspective.table_id), eq("isDefault", Perspective.is_default, bool)],
    relations=[Relation("user", "user", "one", source_fk="user_id")],
    rest_verbs=(),
    mutations=(),
    default_sort="name",
    hooks=guarded(Perspective, Hooks(before_create=_perspective_create, before_update=_perspective_update)),
    description="A saved view of a table (columns, filters, sorting, page size) of the signed-in user.",
)


async def _role_view_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _view_values(data)
    await tenant_role(ctx, uow.session, data["role_id"])
    data.setdefault("settings", {})
    data["is_default"] = bool(data.get("is_default"))
    if data["is_default"]:
        group = [RolePerspective.role_id == data["role_id"], RolePerspective.table_id == data["table_id"]]
        await take_flag(ctx, uow, ROLE_PERSPECTIVE, "is_default", group)


async def _role_view_update(
    ctx: RequestContext, uow: UnitOfWork, obj: RolePerspective, data: dict[str, Any]
) -> None:
    _view_values(data)
    if data.get("is_default") and not obj.is_default:
        group = [RolePerspective.role_id == obj.role_id, RolePerspective.table_id == obj.table_id]
        await take_flag(ctx, uow, ROLE_PERSPECTIVE, "is_default", group, keep=obj.id)


ROLE_PERSPECTIVE = Entity(
    name="role_perspective",
    module=MODULE,
    model=RolePerspective,
    path=None,
    graphql_name="RolePerspective",
    plural="rolePerspectives",
    scope="tenant",
    visibility=_offered,
    features=Features(view=[USE], create=[ROLE_DEFAULTS], update=[ROLE_DEFAULTS], delete=[ROLE_DEFAULTS]),
    fields=[*view_fields(), Field("role_id", uuid.UUID, required=True, update=False), *stamps()],
    filters=[
        eq("tableId", RolePerspective.table_id),
        eq("roleId", RolePerspective.role_id, uuid.UUID),
        eq("isDefault", RolePerspective.is_default, bool),
    ],
    relations=[Relation("role", "role", "one", source_fk="role_id")],
    rest_verbs=(),
    mutations=(),
    default_sort="name",
    hooks=guarded(RolePerspective, Hooks(before_create=_role_view_create, before_update=_role_view_update)),
    description="A saved view of a table offered to every holder of a role of the tenant.",
)


def live_views(model: Any, table_id: str, *conditions: Any) -> Any:
    return select(model).where(model.table_id == table_id, model.deleted_at.is_(None), *conditions)


def any_of(column: Any, ids: list[uuid.UUID]) -> Any:
    return column.in_(ids) if ids else or_(false())
