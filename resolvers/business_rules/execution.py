"""Running rules: evaluate a rule's condition over an entity payload, log the execution, and answer
which rules passed. GUARD and VALIDATION rules that fail (or cannot be evaluated) make the payload
not ``allowed``; a dry run evaluates without writing any log."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select

from crmgraph.context import RequestContext
from models.business_rules import BusinessRule, RuleExecutionLog
from resolvers.business_rules.entities import EXECUTE, MODULE, RULE
from resolvers.business_rules.expressions import ExpressionError, evaluate
from resolvers.crud import service
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.validation import SafeDict, text

BLOCKING = ("GUARD", "VALIDATION")


def actor(ctx: RequestContext) -> str:
    principal = ctx.require_auth()
    return str(principal.user_id or principal.api_key_id or principal.subject)


async def run_rule(
    ctx: RequestContext,
    rule: BusinessRule,
    payload: dict[str, Any],
    *,
    entity_id: str | None,
    dry_run: bool,
) -> dict[str, Any]:
    """Evaluate ``rule`` over ``payload``; unless ``dry_run``, write its log in the current unit of
    work. Returns ``{rule, conditionResult, result, actions, error, executionTime}``."""
    started = time.perf_counter()
    error = None
    try:
        passed = evaluate(rule.condition_expression, payload)
    except ExpressionError as exc:
        passed, error = False, str(exc)
    actions = rule.success_actions if passed else rule.failure_actions
    outcome = "ERROR" if error else ("SUCCESS" if passed else "FAILURE")
    elapsed = int((time.perf_counter() - started) * 1000)
    if not dry_run:
        async with ctx.unit_of_work() as uow:
            log = RuleExecutionLog(
                id=uuid.uuid4(),
                rule_id=rule.id,
                tenant_id=rule.tenant_id,
                organization_id=rule.organization_id,
                entity_id=entity_id,
                entity_type=rule.entity_type,
                execution_result=outcome,
                input_context=payload,
                output_context={"conditionResult": passed, "actions": actions},
                error_message=error,
                execution_time_ms=elapsed,
                executed_by=actor(ctx),
            )
            uow.session.add(log)
            await uow.session.flush()
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity="business_rule",
                verb="execute",
                event="executed",
                resource_id=rule.id,
                tenant_id=rule.tenant_id,
                organization_id=rule.organization_id,
                after={"logId": str(log.id), "result": outcome},
                payload={"ruleId": rule.rule_id, "result": outcome, "entityId": entity_id},
            )
    return {
        "rule": rule,
        "conditionResult": passed,
        "result": outcome,
        "actions": actions,
        "executionTime": elapsed,
    }


class BusinessRuleExecuteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityType: text(100)
    eventType: text(100) | None = None
    entityId: text(100) | None = None
    data: SafeDict | None = None
    dryRun: bool = False


class BusinessRuleExecutedRule(BaseModel):
    ruleId: str
    ruleName: str
    conditionResult: bool
    executionTime: int
    result: str | None = None


class BusinessRuleExecuteResult(BaseModel):
    allowed: bool
    executedRules: list[BusinessRuleExecutedRule]
    totalExecutionTime: int


async def applicable_rules(
    ctx: RequestContext, entity_type: str, event_type: str | None
) -> list[BusinessRule]:
    """Enabled rules for the entity type (and event, when given), in effect now, by priority."""
    now = datetime.now(UTC)
    query = select(BusinessRule).where(
        *await entity_conditions(ctx, RULE),
        BusinessRule.enabled.is_(True),
        BusinessRule.entity_type == entity_type,
        or_(BusinessRule.effective_from.is_(None), BusinessRule.effective_from <= now),
        or_(BusinessRule.effective_to.is_(None), BusinessRule.effective_to >= now),
    )
    if event_type is not None:
        query = query.where(or_(BusinessRule.event_type.is_(None), BusinessRule.event_type == event_type))
    async with ctx.read_session() as session:
        return list(
            (await session.execute(query.order_by(BusinessRule.priority, BusinessRule.rule_id))).scalars()
        )


@operation(
    "execute_business_rules",
    MODULE,
    input=BusinessRuleExecuteInput,
    output=BusinessRuleExecuteResult,
    features=(EXECUTE,),
    rest=Rest("POST", "/business_rules/execute"),
)
async def execute_rules(ctx: RequestContext, data: BusinessRuleExecuteInput) -> dict[str, Any]:
    """Run every applicable rule over ``data``; ``allowed`` is false when a GUARD or VALIDATION rule
    fails. ``dryRun`` writes no log."""
    started = time.perf_counter()
    payload = dict(data.data or {})
    runs = [
        await run_rule(ctx, rule, payload, entity_id=data.entityId, dry_run=data.dryRun)
        for rule in await applicable_rules(ctx, data.entityType, data.eventType)
    ]
    allowed = not any(r["rule"].rule_type in BLOCKING and r["result"] != "SUCCESS" for r in runs)
    executed = [
        {
            "ruleId": r["rule"].rule_id,
            "ruleName": r["rule"].rule_name,
            "conditionResult": r["conditionResult"],
            "executionTime": r["executionTime"],
            "result": r["result"],
        }
        for r in runs
    ]
    total = int((time.perf_counter() - started) * 1000)
    return {"allowed": allowed, "executedRules": executed, "totalExecutionTime": total}


class BusinessRuleExecuteOneInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ruleId: text(64)
    entityId: text(100) | None = None
    data: SafeDict | None = None
    dryRun: bool = False


class BusinessRuleExecuteOneResult(BaseModel):
    success: bool
    ruleId: str
    ruleName: str
    conditionResult: bool
    actionsExecuted: Any | None = None
    executionTime: int
    error: str | None = None


@operation(
    "execute_business_rule",
    MODULE,
    input=BusinessRuleExecuteOneInput,
    output=BusinessRuleExecuteOneResult,
    features=(EXECUTE,),
    rest=Rest("POST", "/business_rules/execute/{ruleId}"),
)
async def execute_rule(ctx: RequestContext, data: BusinessRuleExecuteOneInput) -> dict[str, Any]:
    """Run one rule (by its database id, enabled or not) over ``data``."""
    rule = await service(RULE).get(ctx, data.ruleId, check=False)
    run = await run_rule(ctx, rule, dict(data.data or {}), entity_id=data.entityId, dry_run=data.dryRun)
    return {
        "success": run["result"] != "ERROR",
        "ruleId": str(rule.id),
        "ruleName": rule.rule_name,
        "conditionResult": run["conditionResult"],
        "actionsExecuted": run["actions"],
        "executionTime": run["executionTime"],
        "error": None if run["result"] != "ERROR" else "Condition could not be evaluated",
    }
