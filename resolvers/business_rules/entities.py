"""Business rules, rule sets, their members and the execution log: declarations and write rules.

A rule's ``conditionExpression`` is checked by the expression language
(:mod:`resolvers.business_rules.expressions`) when written, so a stored rule always evaluates.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.business_rules import BusinessRule, RuleExecutionLog, RuleSet, RuleSetMember
from resolvers.business_rules.expressions import ExpressionError, compile_expression
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Features, Field, Hooks, Relation, eq, since, until

MODULE = "business_rules"
VIEW, MANAGE = "business_rules.view", "business_rules.manage"
MANAGE_SETS, VIEW_LOGS, EXECUTE = (
    "business_rules.manage_sets",
    "business_rules.view_logs",
    "business_rules.execute",
)
RULE_TYPES = ("GUARD", "VALIDATION", "CALCULATION", "ACTION", "ASSIGNMENT")
RESULTS = ("SUCCESS", "FAILURE", "ERROR")
READONLY = {"create": False, "update": False}


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def author(ctx: RequestContext) -> str:
    """Who writes: the user's e-mail, else the principal's subject (an API key)."""
    principal = ctx.require_auth()
    return (principal.email or principal.subject)[:200]


async def _set_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["created_by"] = data.get("created_by") or author(ctx)


async def _set_update(ctx: RequestContext, uow: UnitOfWork, obj: RuleSet, data: dict[str, Any]) -> None:
    data["updated_by"] = author(ctx)


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def _rule_values(data: dict[str, Any]) -> None:
    if data.get("rule_type") is not None and data["rule_type"] not in RULE_TYPES:
        raise fail("ruleType", f"One of {', '.join(RULE_TYPES)}", "invalid_enum_value")
    if data.get("condition_expression"):
        try:
            compile_expression(data["condition_expression"])
        except ExpressionError as exc:
            raise fail("conditionExpression", str(exc), "invalid_expression") from None
    start, end = data.get("effective_from"), data.get("effective_to")
    if start and end and end < start:
        raise fail("effectiveTo", "Must not be before effectiveFrom")
    for attr in ("enabled", "priority", "version"):
        if attr in data and data[attr] is None:
            data.pop(attr)


async def _rule_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _rule_values(data)
    for attr, key in (("rule_id", "ruleId"), ("rule_name", "ruleName"), ("entity_type", "entityType")):
        if not (data.get(attr) or "").strip():
            raise fail(key, "Required", "too_small")
    data.setdefault("rule_type", "GUARD")
    data["created_by"] = data.get("created_by") or author(ctx)


async def _rule_update(ctx: RequestContext, uow: UnitOfWork, obj: BusinessRule, data: dict[str, Any]) -> None:
    _rule_values(data)
    data["updated_by"] = author(ctx)
    start = data.get("effective_from", obj.effective_from)
    end = data.get("effective_to", obj.effective_to)
    if start and end and end < start:
        raise fail("effectiveTo", "Must not be before effectiveFrom")


RULE = Entity(
    name="business_rule",
    module=MODULE,
    model=BusinessRule,
    path="/business_rules/rules",
    graphql_name="BusinessRule",
    plural="businessRules",
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("rule_id", str, required=True, sort=True, search=True, update=False, max_length=100),
        Field("rule_name", str, required=True, sort=True, search=True, update=False, max_length=200),
        Field("description", str, search=True),
        Field("rule_type", str, sort=True, update=False, max_length=20),
        Field("rule_category", str, sort=True, max_length=100),
        Field("entity_type", str, required=True, sort=True, update=False, max_length=100),
        Field("event_type", str, sort=True, max_length=100),
        Field("condition_expression", str, description="Condition over the entity payload (safe language)."),
        Field("success_actions", list),
        Field("failure_actions", list),
        Field("enabled", bool, sort=True),
        Field("priority", int, sort=True),
        Field("version", int, sort=True),
        Field("effective_from", datetime, sort=True),
        Field("effective_to", datetime, sort=True),
        Field("created_by", str, max_length=200),
        Field("updated_by", str, max_length=200),
        *stamps(),
    ],
    filters=[
        eq("ruleId", BusinessRule.rule_id),
        eq("ruleType", BusinessRule.rule_type),
        eq("entityType", BusinessRule.entity_type),
        eq("eventType", BusinessRule.event_type),
        eq("enabled", BusinessRule.enabled, bool),
        eq("ruleCategory", BusinessRule.rule_category),
    ],
    relations=[
        Relation("logs", "business_rule_log", "many", target_fk="rule_id"),
        Relation("memberships", "business_rule_set_member", "many", target_fk="rule_id"),
    ],
    default_sort="priority",
    hooks=guarded(BusinessRule, Hooks(before_create=_rule_create, before_update=_rule_update)),
    description="A condition over an entity's payload with actions on success and on failure.",
)

RULE_SET = Entity(
    name="business_rule_set",
    module=MODULE,
    model=RuleSet,
    path="/business_rules/sets",
    graphql_name="BusinessRuleSet",
    plural="businessRuleSets",
    features=Features.view_manage(VIEW, MANAGE_SETS),
    fields=[
        Field("set_id", str, required=True, sort=True, search=True, update=False, max_length=100),
        Field("set_name", str, required=True, sort=True, search=True, update=False, max_length=200),
        Field("description", str, search=True),
        Field("enabled", bool, sort=True),
        Field("created_by", str, max_length=200),
        Field("updated_by", str, max_length=200),
        *stamps(),
    ],
    filters=[eq("setId", RuleSet.set_id), eq("enabled", RuleSet.enabled, bool)],
    relations=[Relation("members", "business_rule_set_member", "many", target_fk="rule_set_id")],
    default_sort="set_name",
    hooks=guarded(RuleSet, Hooks(before_create=_set_create, before_update=_set_update)),
    description="An ordered group of business rules.",
)

RULE_SET_MEMBER = Entity(
    name="business_rule_set_member",
    module=MODULE,
    model=RuleSetMember,
    path=None,  # REST: /business_rules/sets/{id}/members (resolvers.business_rules.sets)
    graphql_name="BusinessRuleSetMember",
    plural="businessRuleSetMembers",
    features=Features(view=[VIEW], create=[MANAGE_SETS], update=[MANAGE_SETS], delete=[MANAGE_SETS]),
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    fields=[
        Field("rule_set_id", uuid.UUID, **READONLY),
        Field("rule_id", uuid.UUID, **READONLY),
        Field("sequence", int, sort=True),
        Field("enabled", bool),
        *stamps(),
    ],
    filters=[
        eq("ruleSetId", RuleSetMember.rule_set_id, uuid.UUID),
        eq("ruleId", RuleSetMember.rule_id, uuid.UUID),
    ],
    relations=[
        Relation("rule", "business_rule", "one", source_fk="rule_id"),
        Relation("rule_set", "business_rule_set", "one", source_fk="rule_set_id"),
    ],
    default_sort="sequence",
    description="A rule's place in a rule set.",
)


def _rule_column(column: Any) -> Any:
    return select(column).where(BusinessRule.id == RuleExecutionLog.rule_id).scalar_subquery()


RULE_LOG = Entity(
    name="business_rule_log",
    module=MODULE,
    model=RuleExecutionLog,
    path="/business_rules/logs",
    graphql_name="BusinessRuleLog",
    plural="businessRuleLogs",
    features=Features(view=[VIEW_LOGS]),
    soft_delete=False,
    rest_verbs=("GET",),
    mutations=(),
    fields=[
        Field("rule_id", uuid.UUID, **READONLY),
        Field("entity_id", str, **READONLY),
        Field("entity_type", str, sort=True, **READONLY),
        Field("execution_result", str, sort=True, **READONLY),
        Field("input_context", dict, **READONLY),
        Field("output_context", dict, **READONLY),
        Field("error_message", str, **READONLY),
        Field("execution_time_ms", int, sort=True, **READONLY),
        Field("executed_at", datetime, sort=True, **READONLY),
        Field("executed_by", str, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
    ],
    filters=[
        eq("ruleId", RuleExecutionLog.rule_id, uuid.UUID),
        eq("entityId", RuleExecutionLog.entity_id),
        eq("entityType", RuleExecutionLog.entity_type),
        eq("executionResult", RuleExecutionLog.execution_result),
        eq("executedBy", RuleExecutionLog.executed_by),
        since("executedAtFrom", RuleExecutionLog.executed_at),
        until("executedAtTo", RuleExecutionLog.executed_at),
    ],
    relations=[Relation("rule", "business_rule", "one", source_fk="rule_id")],
    computed=[
        Computed("ruleName", lambda: _rule_column(BusinessRule.rule_name)),
        Computed("ruleType", lambda: _rule_column(BusinessRule.rule_type)),
    ],
    default_sort="executed_at",
    description="One execution of a business rule.",
)
