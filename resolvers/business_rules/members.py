"""Members of a rule set: add a rule (once per set, both of the caller's scope), change its
sequence or enabled state, remove it."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound
from models.business_rules import RuleSetMember
from resolvers.business_rules.entities import MANAGE_SETS, MODULE, RULE, RULE_SET, RULE_SET_MEMBER
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.validation import BoundedInt, text


class BusinessRuleMemberAdd(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    ruleId: uuid.UUID
    sequence: BoundedInt = 0
    enabled: bool = True


class BusinessRuleMemberChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    memberId: uuid.UUID
    sequence: BoundedInt | None = None
    enabled: bool | None = None


class BusinessRuleMemberRemove(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    memberId: uuid.UUID


def _record(
    ctx: RequestContext, uow: UnitOfWork, verb: str, member: RuleSetMember, before: Any, after: Any
) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="business_rule_set_member",
        verb=verb,
        resource_id=member.id,
        tenant_id=member.tenant_id,
        organization_id=member.organization_id,
        before=before,
        after=after,
        payload={"ruleSetId": str(member.rule_set_id), "ruleId": str(member.rule_id)},
    )


async def _member(ctx: RequestContext, uow: UnitOfWork, set_id: str, member_id: uuid.UUID) -> RuleSetMember:
    rule_set = await service(RULE_SET).fetch(ctx, uow.session, set_id)
    member = await service(RULE_SET_MEMBER).fetch(ctx, uow.session, member_id, lock=True)
    if member.rule_set_id != rule_set.id:
        raise NotFound()
    return member


@operation(
    "add_business_rule_set_member",
    MODULE,
    input=BusinessRuleMemberAdd,
    features=(MANAGE_SETS,),
    rest=Rest("POST", "/business_rules/sets/{id}/members", status=201),
)
async def add_member(ctx: RequestContext, data: BusinessRuleMemberAdd) -> dict[str, Any]:
    """Add a rule to the set (409 when it is already a member)."""
    async with ctx.unit_of_work() as uow:
        rule_set = await service(RULE_SET).fetch(ctx, uow.session, data.id, lock=True)
        rule = await service(RULE).fetch(ctx, uow.session, data.ruleId)
        taken = await uow.session.scalar(
            select(RuleSetMember.id).where(
                RuleSetMember.rule_set_id == rule_set.id, RuleSetMember.rule_id == rule.id
            )
        )
        if taken is not None:
            raise Conflict("Rule is already a member of this set")
        member = RuleSetMember(
            id=uuid.uuid4(),
            rule_set_id=rule_set.id,
            rule_id=rule.id,
            sequence=data.sequence,
            enabled=data.enabled,
            tenant_id=rule_set.tenant_id,
            organization_id=rule_set.organization_id,
        )
        uow.session.add(member)
        await uow.session.flush()
        await uow.session.refresh(member)
        _record(ctx, uow, "create", member, None, serialize(RULE_SET_MEMBER, member))
    return {"id": str(member.id)}


@operation(
    "update_business_rule_set_member",
    MODULE,
    input=BusinessRuleMemberChange,
    features=(MANAGE_SETS,),
    rest=Rest("PUT", "/business_rules/sets/{id}/members"),
)
async def update_member(ctx: RequestContext, data: BusinessRuleMemberChange) -> dict[str, Any]:
    """Change a member's sequence and/or enabled state."""
    async with ctx.unit_of_work() as uow:
        member = await _member(ctx, uow, data.id, data.memberId)
        before = serialize(RULE_SET_MEMBER, member)
        if data.sequence is not None:
            member.sequence = data.sequence
        if data.enabled is not None:
            member.enabled = data.enabled
        await uow.session.flush()
        await uow.session.refresh(member)
        _record(ctx, uow, "update", member, before, serialize(RULE_SET_MEMBER, member))
    return {"ok": True}


@operation(
    "remove_business_rule_set_member",
    MODULE,
    input=BusinessRuleMemberRemove,
    features=(MANAGE_SETS,),
    rest=Rest("DELETE", "/business_rules/sets/{id}/members"),
)
async def remove_member(ctx: RequestContext, data: BusinessRuleMemberRemove) -> dict[str, Any]:
    """Remove a rule from the set (the rule itself stays)."""
    async with ctx.unit_of_work() as uow:
        member = await _member(ctx, uow, data.id, data.memberId)
        before = serialize(RULE_SET_MEMBER, member)
        await uow.session.delete(member)
        await uow.session.flush()
        _record(ctx, uow, "delete", member, before, None)
    return {"ok": True}
