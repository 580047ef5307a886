"""The signed-in user's own team member profile (read it, or create it once)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict, Forbidden, ValidationFailed, issue
from models.staff import StaffTeamMember
from resolvers.crud import flush_or_conflict
from resolvers.entity import serialize
from resolvers.operations import Rest, operation, pick
from resolvers.scope import live_in_scope, scope_for
from resolvers.staff.common import LEAVE_SEND, MODULE, record_command
from resolvers.staff.members import STAFF_TEAM_MEMBER


class SelfMemberResult(BaseModel):
    member: dict[str, Any] | None


class SelfMemberInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    display_name: str = PydanticField(
        min_length=1, max_length=200, validation_alias=AliasChoices("displayName", "display_name")
    )
    description: str | None = PydanticField(default=None, max_length=10000)


async def own_member(ctx: RequestContext, session: Any) -> StaffTeamMember | None:
    """The live member linked to the caller, in the caller's scope (None when there is none)."""
    user_id = ctx.require_auth().user_id
    query = await live_in_scope(
        ctx, StaffTeamMember, select(StaffTeamMember).where(StaffTeamMember.user_id == user_id)
    )
    return (await session.execute(query.limit(1))).scalar_one_or_none()


@operation(
    "staff_self_member",
    MODULE,
    kind="query",
    output=SelfMemberResult,
    features=(LEAVE_SEND,),
    rest=Rest("GET", "/staff/team-members/self"),
)
async def self_member(ctx: RequestContext) -> dict[str, Any]:
    """The team member linked to the signed-in user, if any (``member`` is null otherwise)."""
    async with ctx.read_session() as session:
        member = await own_member(ctx, session)
        return {"member": serialize(STAFF_TEAM_MEMBER, member) if member is not None else None}


@operation(
    "create_staff_self_member",
    MODULE,
    input=SelfMemberInput,
    output=uuid.UUID,
    features=(LEAVE_SEND,),
    rest=Rest("POST", "/staff/team-members/self", status=201),
    graphql_result=pick("id", uuid.UUID),
)
async def create_self_member(ctx: RequestContext, data: SelfMemberInput) -> dict[str, Any]:
    """Create the signed-in user's own team member profile; 409 when they already have one."""
    if not data.display_name.strip():
        raise ValidationFailed([issue("displayName", "Display name is required", "too_small")])
    principal = ctx.require_auth()
    if principal.user_id is None:
        raise Forbidden(message="Only a signed-in user has a profile")
    scope = await scope_for(ctx, STAFF_TEAM_MEMBER)
    async with ctx.unit_of_work() as uow:
        if await own_member(ctx, uow.session) is not None:
            raise Conflict("You already have a team member profile")
        member = StaffTeamMember(
            id=uuid.uuid4(),
            display_name=data.display_name.strip(),
            description=data.description,
            user_id=principal.user_id,
            is_active=True,
            tenant_id=scope.tenant_id,
            organization_id=scope.selected_org_id or principal.org_id,
        )
        uow.session.add(member)
        await flush_or_conflict(uow, "You already have a team member profile")
        await uow.session.refresh(member)
        record_command(
            ctx,
            uow,
            entity="staff_team_member",
            verb="create",
            event="created",
            resource_id=member.id,
            tenant_id=member.tenant_id,
            organization_id=member.organization_id,
            after=serialize(STAFF_TEAM_MEMBER, member),
        )
    return {"id": str(member.id)}
