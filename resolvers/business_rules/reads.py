"""Detail reads with nested shapes: a log with its rule, a rule set with its members."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.business_rules import BusinessRule, RuleSetMember
from resolvers.business_rules.entities import MODULE, RULE_LOG, RULE_SET, VIEW, VIEW_LOGS
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.operations import Rest, operation
from resolvers.validation import text


class BusinessRuleItemRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


@operation(
    "business_rule_log_detail",
    MODULE,
    input=BusinessRuleItemRef,
    kind="query",
    features=(VIEW_LOGS,),
    rest=Rest("GET", "/business_rules/logs/{id}"),
    graphql=False,  # GraphQL: businessRuleLog(id) with its ``rule`` edge
)
async def log_detail(ctx: RequestContext, data: BusinessRuleItemRef) -> dict[str, Any]:
    """One execution with its context, result and the rule it ran."""
    log = await service(RULE_LOG).get(ctx, data.id, check=False)
    async with ctx.read_session() as session:
        rule = await session.get(BusinessRule, log.rule_id)
    body = serialize(RULE_LOG, log)
    body.pop("ruleId", None)
    body["rule"] = {
        "id": str(rule.id),
        "ruleId": rule.rule_id,
        "ruleName": rule.rule_name,
        "ruleType": rule.rule_type,
        "entityType": rule.entity_type,
    }
    return body


@operation(
    "business_rule_set_detail",
    MODULE,
    input=BusinessRuleItemRef,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/business_rules/sets/{id}"),
    graphql=False,  # GraphQL: businessRuleSet(id) { members { rule { ... } } }
)
async def set_detail(ctx: RequestContext, data: BusinessRuleItemRef) -> dict[str, Any]:
    """A rule set with its members in sequence."""
    rule_set = await service(RULE_SET).get(ctx, data.id, check=False)
    async with ctx.read_session() as session:
        rows = (
            await session.execute(
                select(RuleSetMember, BusinessRule)
                .join(BusinessRule, BusinessRule.id == RuleSetMember.rule_id)
                .where(RuleSetMember.rule_set_id == rule_set.id)
                .order_by(RuleSetMember.sequence, BusinessRule.rule_id)
            )
        ).all()
    members = [
        {
            "id": str(m.id),
            "ruleId": str(r.id),
            "ruleName": r.rule_name,
            "ruleType": r.rule_type,
            "sequence": m.sequence,
            "enabled": m.enabled,
        }
        for m, r in rows
    ]
    return {**serialize(RULE_SET, rule_set), "members": members}
