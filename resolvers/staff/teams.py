"""Teams and team roles."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.staff import StaffMemberRole, StaffTeam, StaffTeamMember, StaffTeamRole
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Field, Hooks, Relation, eq
from resolvers.staff.common import FEATURES, MODULE, appearance, brief, load_team, scope_fields


def _require_name(data: dict[str, Any], key: str = "name") -> None:
    if key in data and data[key] is not None and not data[key].strip():
        raise ValidationFailed([issue(key, "Name is required", "too_small")])


# --- teams -------------------------------------------------------------------------------------


def _team_member_count() -> Any:
    return (
        select(func.count(StaffTeamMember.id))
        .where(StaffTeamMember.team_id == StaffTeam.id, StaffTeamMember.deleted_at.is_(None))
        .scalar_subquery()
    )


async def _team_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _require_name(data)


async def _team_before_update(
    ctx: RequestContext, uow: UnitOfWork, team: StaffTeam, data: dict[str, Any]
) -> None:
    _require_name(data)


async def _team_before_delete(ctx: RequestContext, uow: UnitOfWork, team: StaffTeam) -> None:
    """A team with live members cannot go (409); its roles become team-less."""
    members = await uow.session.scalar(
        select(func.count(StaffTeamMember.id)).where(
            StaffTeamMember.team_id == team.id, StaffTeamMember.deleted_at.is_(None)
        )
    )
    if members:
        raise Conflict("Team still has members", memberCount=members)
    roles = await uow.session.execute(
        select(StaffTeamRole).where(StaffTeamRole.team_id == team.id, StaffTeamRole.deleted_at.is_(None))
    )
    for role in roles.scalars():
        role.team_id = None


STAFF_TEAM = Entity(
    name="staff_team",
    module=MODULE,
    model=StaffTeam,
    path="/staff/teams",
    graphql_name="StaffTeam",
    plural="staff_teams",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=10000),
        Field("is_active", bool, sort=True),
        *scope_fields(org_on_create=True),
    ],
    filters=[eq("isActive", StaffTeam.is_active, bool)],
    relations=[
        Relation("members", "staff_team_member", "many", target_fk="team_id"),
        Relation("roles", "staff_team_role", "many", target_fk="team_id"),
    ],
    computed=[Computed("memberCount", _team_member_count)],
    default_sort="name",
    hooks=guarded(
        StaffTeam,
        Hooks(
            before_create=_team_before_create,
            before_update=_team_before_update,
            before_delete=_team_before_delete,
        ),
    ),
    description="A team of staff members.",
)

# --- team roles --------------------------------------------------------------------------------


def _role_member_count() -> Any:
    return (
        select(func.count(StaffMemberRole.id))
        .join(StaffTeamMember, StaffTeamMember.id == StaffMemberRole.member_id)
        .where(StaffMemberRole.role_id == StaffTeamRole.id, StaffTeamMember.deleted_at.is_(None))
        .scalar_subquery()
    )


async def _role_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _require_name(data)
    if data.get("team_id") is not None:
        team = await load_team(ctx, uow.session, data["team_id"])
        data["organization_id"] = team.organization_id


async def _role_before_update(
    ctx: RequestContext, uow: UnitOfWork, role: StaffTeamRole, data: dict[str, Any]
) -> None:
    _require_name(data)
    if data.get("team_id") is not None:
        await load_team(ctx, uow.session, data["team_id"])


async def _role_before_delete(ctx: RequestContext, uow: UnitOfWork, role: StaffTeamRole) -> None:
    """Members holding the role lose it."""
    await uow.session.execute(delete(StaffMemberRole).where(StaffMemberRole.role_id == role.id))


STAFF_TEAM_ROLE = Entity(
    name="staff_team_role",
    module=MODULE,
    model=StaffTeamRole,
    path="/staff/team-roles",
    graphql_name="StaffTeamRole",
    plural="staff_team_roles",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("team_id", uuid.UUID),
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=10000),
        *appearance(),
        *scope_fields(org_on_create=True),
    ],
    filters=[eq("teamId", StaffTeamRole.team_id, uuid.UUID)],
    relations=[
        Relation("team", "staff_team", "one", source_fk="team_id"),
        Relation(
            "members",
            "staff_team_member",
            "through",
            through=StaffMemberRole,
            through_source="role_id",
            through_target="member_id",
        ),
    ],
    computed=[
        Computed("team", lambda: brief(StaffTeam, StaffTeamRole.team_id, name=StaffTeam.name)),
        Computed("memberCount", _role_member_count),
    ],
    default_sort="name",
    hooks=guarded(
        StaffTeamRole,
        Hooks(
            before_create=_role_before_create,
            before_update=_role_before_update,
            before_delete=_role_before_delete,
        ),
    ),
    description="A role team members can hold (optionally tied to one team).",
)
