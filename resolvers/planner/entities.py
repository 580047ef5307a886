"""Availability rule sets and availability rules: declarations and the rules their writes keep."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from models.planner import PlannerAvailability, PlannerRuleSet
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, eq, one_of
from resolvers.planner.rules import check_rrule, fail, timezone_name

MODULE = "planner"
VIEW, MANAGE = "planner.view", "planner.manage_availability"
READONLY = {"create": False, "update": False}
SUBJECT_TYPES = ("member", "resource", "ruleset")
KINDS = ("availability", "unavailability")


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def _rule_set_values(data: dict[str, Any]) -> None:
    if data.get("timezone") is not None:
        data["timezone"] = timezone_name(data["timezone"])
    if "name" in data:
        if not (data["name"] or "").strip():
            raise fail("name", "Name is required", "too_small")
        data["name"] = data["name"].strip()


async def _rule_set_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _rule_set_values(data)


async def _rule_set_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    for key in ("name", "timezone"):
        if key in data and data[key] is None:
            data.pop(key)
    _rule_set_values(data)


RULE_SET = Entity(
    name="availability_rule_set",
    module=MODULE,
    model=PlannerRuleSet,
    path="/planner/availability-rule-sets",
    graphql_name="PlannerAvailabilityRuleSet",
    plural="availabilityRuleSets",
    key_case="snake",
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=5000),
        Field("timezone", str, required=True, sort=True, max_length=64),
        *stamps(),
    ],
    default_sort="name",
    hooks=guarded(PlannerRuleSet, Hooks(before_create=_rule_set_create, before_update=_rule_set_update)),
    description="A reusable, named set of availability rules in one timezone.",
)


def _rule_values(data: dict[str, Any]) -> None:
    if data.get("subject_type") is not None and data["subject_type"] not in SUBJECT_TYPES:
        raise fail("subjectType", f"One of {', '.join(SUBJECT_TYPES)}", "invalid_enum_value")
    if data.get("kind") is not None and data["kind"] not in KINDS:
        raise fail("kind", f"One of {', '.join(KINDS)}", "invalid_enum_value")
    if data.get("timezone") is not None:
        data["timezone"] = timezone_name(data["timezone"])
    if data.get("rrule") is not None:
        data["rrule"] = check_rrule(data["rrule"])
    exdates = data.get("exdates")
    if exdates is not None:
        if not isinstance(exdates, list) or len(exdates) > 366:
            raise fail("exdates", "A list of at most 366 dates")
        for index, value in enumerate(exdates):
            try:
                datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                raise fail(f"exdates.{index}", "An ISO date or datetime") from None


async def _rule_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    for key in ("subject_type", "subject_id", "timezone", "rrule"):
        if data.get(key) is None:
            raise fail(key, "Required", "required")
    _rule_values(data)
    data.setdefault("kind", "availability")
    if data.get("kind") is None:
        data["kind"] = "availability"
    if data.get("exdates") is None:
        data["exdates"] = []


async def _rule_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    for key in ("subject_type", "subject_id", "timezone", "rrule", "kind", "exdates"):
        if key in data and data[key] is None:
            data.pop(key)
    _rule_values(data)


AVAILABILITY = Entity(
    name="availability_rule",
    module=MODULE,
    model=PlannerAvailability,
    path="/planner/availability",
    graphql_name="PlannerAvailabilityRule",
    plural="availabilityRules",
    key_case="snake",
    features=Features(view=[VIEW]),
    fields=[
        Field(
            "subject_type", str, required=True, sort=True, max_length=20, description=", ".join(SUBJECT_TYPES)
        ),
        Field("subject_id", uuid.UUID, required=True),
        Field("timezone", str, required=True, max_length=64),
        Field("rrule", str, required=True, max_length=2000, description="RFC 5545: [DTSTART][DURATION]RRULE"),
        Field("exdates", list),
        Field("kind", str, sort=True, max_length=20, description=", ".join(KINDS)),
        Field("note", str, search=True, max_length=5000),
        Field("unavailability_reason_entry_id", uuid.UUID),
        Field("unavailability_reason_value", str, max_length=200),
        *stamps(),
    ],
    filters=[
        eq("subjectType", PlannerAvailability.subject_type),
        one_of("subjectIds", PlannerAvailability.subject_id, uuid.UUID),
        eq("kind", PlannerAvailability.kind),
    ],
    default_sort="created_at",
    hooks=guarded(PlannerAvailability, Hooks(before_create=_rule_create, before_update=_rule_update)),
    description="An availability (or unavailability) rule of a member, a resource or a rule set.",
)
