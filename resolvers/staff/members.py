"""Team members: their team, user, roles and tags (with the tag assign/unassign commands)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import delete, func, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.auth import User
from models.staff import (
    StaffActivity,
    StaffAddress,
    StaffComment,
    StaffJobHistory,
    StaffLeaveRequest,
    StaffMemberRole,
    StaffMemberTag,
    StaffTeam,
    StaffTeamMember,
    StaffTeamRole,
)
from resolvers.cases.common import check_user
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Field, Filter, Hooks, Relation, eq
from resolvers.operations import Rest, operation, pick
from resolvers.scope import ids_in_scope
from resolvers.staff.common import (
    FEATURES,
    MODULE,
    READONLY,
    brief,
    load_member,
    load_team,
    record_command,
    scope_fields,
)

TAG_MAX = 100


def clean_tag(raw: Any, path: str = "tag") -> str:
    """A tag as stored: trimmed text of 1..100 characters (400 otherwise)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw.strip()) > TAG_MAX:
        raise ValidationFailed([issue(path, f"A tag is 1 to {TAG_MAX} characters of text", "invalid_string")])
    return raw.strip()


async def _check_references(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if "display_name" in data and data["display_name"] is not None and not data["display_name"].strip():
        raise ValidationFailed([issue("displayName", "Display name is required", "too_small")])
    if data.get("team_id") is not None:
        await load_team(ctx, uow.session, data["team_id"])
    await check_user(ctx, uow.session, data.get("user_id"), "userId")
    if data.get("role_ids") is not None:
        data["role_ids"] = await ids_in_scope(ctx, uow.session, StaffTeamRole, data["role_ids"], "roleIds")
    if data.get("tags") is not None:
        data["tags"] = list(dict.fromkeys(clean_tag(t, "tags") for t in data["tags"]))


async def set_roles(uow: UnitOfWork, member: StaffTeamMember, role_ids: list[uuid.UUID]) -> None:
    """Make ``member`` hold exactly ``role_ids`` (already checked in scope)."""
    await uow.session.execute(
        delete(StaffMemberRole).where(
            StaffMemberRole.member_id == member.id, StaffMemberRole.role_id.not_in(role_ids)
        )
    )
    held = set(
        (
            await uow.session.execute(
                select(StaffMemberRole.role_id).where(StaffMemberRole.member_id == member.id)
            )
        ).scalars()
    )
    uow.session.add_all(
        StaffMemberRole(
            id=uuid.uuid4(),
            member_id=member.id,
            role_id=role_id,
            tenant_id=member.tenant_id,
            organization_id=member.organization_id,
        )
        for role_id in role_ids
        if role_id not in held
    )


async def set_tags(uow: UnitOfWork, member: StaffTeamMember, tags: list[str]) -> None:
    """Make ``member`` carry exactly ``tags``."""
    await uow.session.execute(
        delete(StaffMemberTag).where(StaffMemberTag.member_id == member.id, StaffMemberTag.tag.not_in(tags))
    )
    carried = set(
        (
            await uow.session.execute(select(StaffMemberTag.tag).where(StaffMemberTag.member_id == member.id))
        ).scalars()
    )
    uow.session.add_all(
        StaffMemberTag(
            id=uuid.uuid4(),
            member_id=member.id,
            tag=tag,
            tenant_id=member.tenant_id,
            organization_id=member.organization_id,
        )
        for tag in tags
        if tag not in carried
    )


async def _links(ctx: RequestContext, uow: UnitOfWork, member: StaffTeamMember, data: dict[str, Any]) -> None:
    if data.get("role_ids") is not None:
        await set_roles(uow, member, data["role_ids"])
    if data.get("tags") is not None:
        await set_tags(uow, member, data["tags"])


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, member: StaffTeamMember, data: dict[str, Any]
) -> None:
    await _check_references(ctx, uow, data)


async def _before_delete(ctx: RequestContext, uow: UnitOfWork, member: StaffTeamMember) -> None:
    """Its timeline, addresses, job history and leave requests go with it; roles and tags are removed."""
    for model in (StaffActivity, StaffComment, StaffAddress, StaffJobHistory, StaffLeaveRequest):
        await uow.session.execute(
            update(model)
            .where(model.member_id == member.id, model.deleted_at.is_(None))
            .values(deleted_at=func.now())
        )
    await uow.session.execute(delete(StaffMemberRole).where(StaffMemberRole.member_id == member.id))
    await uow.session.execute(delete(StaffMemberTag).where(StaffMemberTag.member_id == member.id))


def _with_role(q: Any, role_id: uuid.UUID) -> Any:
    holders = select(StaffMemberRole.member_id).where(StaffMemberRole.role_id == role_id)
    return q.where(StaffTeamMember.id.in_(holders))


def _with_tag(q: Any, tag: str) -> Any:
    carriers = select(StaffMemberTag.member_id).where(StaffMemberTag.tag == tag)
    return q.where(StaffTeamMember.id.in_(carriers))


def _user_brief() -> Any:
    return (
        select(func.json_build_object("id", User.id, "email", User.email, "name", User.name))
        .where(User.id == StaffTeamMember.user_id, User.deleted_at.is_(None))
        .scalar_subquery()
    )


def _tag_list() -> Any:
    return (
        select(func.coalesce(func.json_agg(StaffMemberTag.tag), func.json_build_array()))
        .where(StaffMemberTag.member_id == StaffTeamMember.id)
        .scalar_subquery()
    )


STAFF_TEAM_MEMBER = Entity(
    name="staff_team_member",
    module=MODULE,
    model=StaffTeamMember,
    path="/staff/team-members",
    graphql_name="StaffTeamMember",
    plural="staff_team_members",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("team_id", uuid.UUID),
        Field("display_name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=10000),
        Field("user_id", uuid.UUID, description="The user this member is (at most one member per user)."),
        Field("availability_rule_set_id", uuid.UUID),
        Field("is_active", bool, sort=True),
        Field("role_ids", list, read=False, description="Ids of the team roles held (replaces them)."),
        Field("tags", list, read=False, description="Tags carried (replaces them)."),
        *scope_fields(org_on_create=True),
    ],
    filters=[
        eq("isActive", StaffTeamMember.is_active, bool),
        eq("teamId", StaffTeamMember.team_id, uuid.UUID),
        Filter("roleId", uuid.UUID, _with_role, description="Holding this role."),
        Filter("tag", str, _with_tag, description="Carrying this tag."),
        eq("userId", StaffTeamMember.user_id, uuid.UUID),
    ],
    relations=[
        Relation("team", "staff_team", "one", source_fk="team_id"),
        Relation("user", "user", "one", source_fk="user_id"),
        Relation(
            "roles",
            "staff_team_role",
            "through",
            through=StaffMemberRole,
            through_source="member_id",
            through_target="role_id",
        ),
        Relation("tag_assignments", "staff_member_tag", "many", target_fk="member_id"),
        Relation("leave_requests", "staff_leave_request", "many", target_fk="member_id"),
        Relation("unavailabilities", "staff_unavailability", "many", target_fk="member_id"),
        Relation("activities", "staff_activity", "many", target_fk="member_id"),
        Relation("comments", "staff_comment", "many", target_fk="member_id"),
        Relation("addresses", "staff_address", "many", target_fk="member_id"),
        Relation("job_histories", "staff_job_history", "many", target_fk="member_id"),
    ],
    computed=[
        Computed("user", _user_brief),
        Computed("team", lambda: brief(StaffTeam, StaffTeamMember.team_id, name=StaffTeam.name)),
        Computed("tags", _tag_list),
    ],
    default_sort="display_name",
    hooks=guarded(
        StaffTeamMember,
        Hooks(
            before_create=_check_references,
            after_create=_links,
            before_update=_before_update,
            after_update=_links,
            before_delete=_before_delete,
        ),
    ),
    description="A staff member: display name, team, linked user, roles and tags.",
)

STAFF_MEMBER_TAG = Entity(
    name="staff_member_tag",
    module=MODULE,
    model=StaffMemberTag,
    path=None,
    graphql_name="StaffMemberTag",
    plural="staff_member_tags",
    soft_delete=False,
    features=FEATURES,
    fields=[
        Field("member_id", uuid.UUID, **READONLY),
        Field("tag", str, sort=True, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
    ],
    filters=[eq("memberId", StaffMemberTag.member_id, uuid.UUID), eq("tag", StaffMemberTag.tag)],
    relations=[Relation("member", "staff_team_member", "one", source_fk="member_id")],
    rest_verbs=(),
    mutations=(),
    default_sort="tag",
    description="A tag carried by a team member (assigned with assignStaffMemberTag).",
)

# --- tag assignment ----------------------------------------------------------------------------


class TagAssignmentInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    member_id: uuid.UUID = PydanticField(
        validation_alias=AliasChoices("memberId", "member_id", "entityId", "entity_id")
    )
    tag: str = PydanticField(min_length=1, max_length=TAG_MAX)


def _record_tag(ctx: RequestContext, uow: UnitOfWork, verb: str, link: StaffMemberTag) -> None:
    state = {"memberId": str(link.member_id), "tag": link.tag}
    record_command(
        ctx,
        uow,
        entity="staff_member_tag",
        verb=verb,
        resource_id=link.id,
        tenant_id=link.tenant_id,
        organization_id=link.organization_id,
        before=state if verb == "deleted" else None,
        after=state if verb == "created" else None,
        payload=state,
    )


async def _find_tag(uow: UnitOfWork, member: StaffTeamMember, tag: str) -> StaffMemberTag | None:
    return await uow.session.scalar(
        select(StaffMemberTag).where(StaffMemberTag.member_id == member.id, StaffMemberTag.tag == tag)
    )


@operation(
    "assign_staff_member_tag",
    MODULE,
    input=TagAssignmentInput,
    output=uuid.UUID,
    features=tuple(FEATURES.update),
    rest=Rest("POST", "/staff/team-members/tags/assign", status=201),
    graphql_result=pick("id", uuid.UUID),
)
async def assign_tag(ctx: RequestContext, data: TagAssignmentInput) -> dict[str, Any]:
    """Tag a team member (returns the assignment id); assigning twice returns the existing one."""
    tag = clean_tag(data.tag)
    async with ctx.unit_of_work() as uow:
        member = await load_member(ctx, uow.session, data.member_id, lock=True)
        link = await _find_tag(uow, member, tag)
        if link is not None:
            return {"id": str(link.id)}
        link = StaffMemberTag(
            id=uuid.uuid4(),
            member_id=member.id,
            tag=tag,
            tenant_id=member.tenant_id,
            organization_id=member.organization_id,
        )
        uow.session.add(link)
        _record_tag(ctx, uow, "created", link)
    return {"id": str(link.id)}


@operation(
    "unassign_staff_member_tag",
    MODULE,
    input=TagAssignmentInput,
    output=uuid.UUID,
    features=tuple(FEATURES.update),
    rest=Rest("POST", "/staff/team-members/tags/unassign"),
    graphql_result=pick("id", uuid.UUID),
)
async def unassign_tag(ctx: RequestContext, data: TagAssignmentInput) -> dict[str, Any]:
    """Remove a tag from a team member (returns the assignment id); 404 when it was not assigned."""
    tag = clean_tag(data.tag)
    async with ctx.unit_of_work() as uow:
        member = await load_member(ctx, uow.session, data.member_id, lock=True)
        link = await _find_tag(uow, member, tag)
        if link is None:
            raise NotFound("Tag assignment not found")
        await uow.session.delete(link)
        _record_tag(ctx, uow, "deleted", link)
    return {"id": str(link.id)}
