"""The business_rules module's demo data: workshop rules for service orders, a rule set holding
them and one logged execution — written once."""

from __future__ import annotations

from sqlalchemy import func, select

from crmgraph.demo import DemoSeeder
from models.business_rules import RuleExecutionLog, RuleSetMember
from resolvers.business_rules.entities import RULE, RULE_SET
from resolvers.business_rules.execution import BusinessRuleExecuteInput, execute_rules
from resolvers.business_rules.members import BusinessRuleMemberAdd, add_member

RULES = [
    {
        "ruleId": "SO-DEPOSIT",
        "ruleName": "Repairs over 2000 need a deposit",
        "ruleType": "GUARD",
        "entityType": "service_order",
        "eventType": "beforeCreate",
        "conditionExpression": "estimate < 2000 or deposit >= estimate * 0.2",
        "failureActions": [{"type": "SHOW_ERROR", "message": "Take a 20% deposit first"}],
        "priority": 10,
    },
    {
        "ruleId": "SO-VIP",
        "ruleName": "Gold riders jump the queue",
        "ruleType": "ASSIGNMENT",
        "entityType": "service_order",
        "conditionExpression": "customer.tier == 'gold'",
        "successActions": [{"type": "SET_FIELD", "field": "priority", "value": "high"}],
        "priority": 20,
    },
]


async def seed(seeder: DemoSeeder) -> None:
    ids = [await seeder.ensure(RULE, {"rule_id": r["ruleId"]}, r) for r in RULES]
    rule_set = await seeder.ensure(
        RULE_SET, {"set_id": "service-intake"}, {"setId": "service-intake", "setName": "Service order intake"}
    )
    async with seeder.ctx.read_session() as session:
        present = set(
            (
                await session.execute(
                    select(RuleSetMember.rule_id).where(RuleSetMember.rule_set_id == rule_set)
                )
            ).scalars()
        )
        logged = await session.scalar(select(func.count()).where(RuleExecutionLog.rule_id.in_(ids)))
    for sequence, rule in enumerate(ids, 1):
        if rule not in present:
            await add_member(
                seeder.ctx, BusinessRuleMemberAdd(id=str(rule_set), ruleId=rule, sequence=sequence)
            )
    if not logged:
        payload = {"estimate": "3200.00", "deposit": "500.00", "customer": {"tier": "gold"}}
        data = BusinessRuleExecuteInput(entityType="service_order", entityId="demo-order-1", data=payload)
        await execute_rules(seeder.ctx, data)
    seeder.ids["business_rules.rule_set"] = rule_set
