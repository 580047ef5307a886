"""Helpers shared by the staff resolvers: the module's features, scoped member lookups and the
rule binding a child record (activity, comment, address, leave request, ...) to its member."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select

from crmgraph.context import RequestContext
from models.staff import StaffTeam, StaffTeamMember
from resolvers import events
from resolvers.entity import Features, Field, Hooks, Relation, bound_to_parent
from resolvers.scope import load_in_scope

MODULE = "staff"
VIEW = "staff.view"
MANAGE = "staff.manage_team"
LEAVE_SEND = "staff.leave_requests.send"
LEAVE_MANAGE = "staff.leave_requests.manage"
FEATURES = Features.view_manage(VIEW, MANAGE)
READONLY = {"create": False, "update": False}

record_command = partial(events.record_command, module=MODULE)
"""Outbox event ``staff.<entity>.<verb>`` and action-log entry for a hand-written command."""


async def load_member(
    ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False
) -> StaffTeamMember:
    """A live team member in the caller's scope, else 404 (also for another tenant's id)."""
    return await load_in_scope(ctx, session, StaffTeamMember, ident, "Team member", lock=lock)


async def load_team(ctx: RequestContext, session: Any, ident: Any) -> StaffTeam:
    return await load_in_scope(ctx, session, StaffTeam, ident, "Team")


def appearance() -> list[Field]:
    return [Field("appearance_icon", str, max_length=64), Field("appearance_color", str, max_length=32)]


def scope_fields(*, org_on_create: bool = False) -> list[Field]:
    """Tenant, organization and timestamps (read-only; ``org_on_create``: a create may name an
    organization in the caller's scope)."""
    return [
        Field("organization_id", uuid.UUID, create=org_on_create, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def member_field(*, aliases: tuple[str, ...] = ("entityId", "entity_id")) -> Field:
    """The required link to the owning member (documented as ``entityId`` on writes); fixed once set."""
    return Field("member_id", uuid.UUID, required=True, update=False, aliases=aliases)


def member_relation() -> Relation:
    return Relation("member", "staff_team_member", "one", source_fk="member_id")


def brief(model: Any, fk: Any, **keys: Any) -> Any:
    """A correlated ``{id, <keys>}`` JSON object of the live ``model`` row ``fk`` points at (or null)."""
    pairs: list[Any] = ["id", model.id]
    for key, column in keys.items():
        pairs += [key, column]
    return (
        select(func.json_build_object(*pairs))
        .where(model.id == fk, model.deleted_at.is_(None))
        .scalar_subquery()
    )


def bound_to_member(*, author_attr: str | None = None, **extra: Any) -> Hooks:
    """Hooks for a record hung on a member (``member_id``): see :func:`resolvers.entity.bound_to_parent`."""
    return bound_to_parent("member_id", load_member, author_attr=author_attr, **extra)
