"""Replacing a subject's weekly or date-specific availability in one command: the subject's rules of
that sort are deleted and the windows written as rules, in one unit of work (all or nothing)."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from models.planner import PlannerAvailability
from resolvers.crud import service
from resolvers.operations import Rest, operation
from resolvers.planner.entities import AVAILABILITY, MODULE
from resolvers.planner.rules import (
    clock,
    dated_rule,
    fail,
    is_weekly,
    no_overlap,
    rule_date,
    timezone_name,
    weekly_rule,
)
from resolvers.scope import entity_conditions
from resolvers.validation import text

MAX_WINDOWS = 200


class PlannerSubject(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tenantId: uuid.UUID | None = None
    organizationId: uuid.UUID | None = None
    subjectType: Literal["member", "resource", "ruleset"]
    subjectId: uuid.UUID
    timezone: text(64)


class PlannerWeeklyWindow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    weekday: int = PydanticField(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: text(5)
    end: text(5)


class PlannerWeeklyAvailability(PlannerSubject):
    """Every weekly window of the subject (its previous weekly rules are replaced)."""

    windows: list[PlannerWeeklyWindow] = PydanticField(default_factory=list, max_length=MAX_WINDOWS)


class PlannerDatedWindow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    date: date
    start: text(5) = "00:00"
    end: text(5) = "24:00"


class PlannerDateSpecificAvailability(PlannerSubject):
    """Windows on given dates: the subject's date-specific rules on those dates (and on ``dates``)
    are replaced; ``isAvailable: false`` marks the windows as unavailability."""

    windows: list[PlannerDatedWindow] = PydanticField(default_factory=list, max_length=MAX_WINDOWS)
    dates: list[date] = PydanticField(default_factory=list, max_length=MAX_WINDOWS)
    isAvailable: bool = True
    note: text(5000) | None = None
    unavailabilityReasonEntryId: uuid.UUID | None = None
    unavailabilityReasonValue: text(200) | None = None


class PlannerReplaced(BaseModel):
    ok: bool
    created: int
    removed: int


async def _subject_rules(
    uow: UnitOfWork, ctx: RequestContext, data: PlannerSubject
) -> list[PlannerAvailability]:
    query = select(PlannerAvailability).where(
        *await entity_conditions(ctx, AVAILABILITY),  # the rules the caller sees (tenant, organizations)
        PlannerAvailability.subject_type == data.subjectType,
        PlannerAvailability.subject_id == data.subjectId,
        PlannerAvailability.deleted_at.is_(None),
    )
    if data.organizationId is not None:
        query = query.where(PlannerAvailability.organization_id == data.organizationId)
    return list((await uow.session.execute(query)).scalars())


def _base(data: PlannerSubject) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subjectType": data.subjectType,
        "subjectId": str(data.subjectId),
        "timezone": timezone_name(data.timezone),
    }
    if data.tenantId is not None:
        body["tenantId"] = str(data.tenantId)
    if data.organizationId is not None:
        body["organizationId"] = str(data.organizationId)
    return body


async def _replace(
    ctx: RequestContext, data: PlannerSubject, stale: Any, rules: list[dict[str, Any]]
) -> dict[str, Any]:
    entity = service(AVAILABILITY)
    async with ctx.unit_of_work() as uow:
        removed = [row for row in await _subject_rules(uow, ctx, data) if stale(row)]
        for row in removed:
            await entity.delete(ctx, row.id)
        for body in rules:
            await entity.create(ctx, body)
    return {"ok": True, "created": len(rules), "removed": len(removed)}


@operation(
    "planner_replace_weekly",
    MODULE,
    input=PlannerWeeklyAvailability,
    output=PlannerReplaced,
    rest=Rest("POST", "/planner/availability-weekly"),
)
async def replace_weekly(ctx: RequestContext, data: PlannerWeeklyAvailability) -> dict[str, Any]:
    """Replace the subject's weekly availability with ``windows`` (none: it has no weekly rules)."""
    spans: list[tuple[object, time, time]] = []
    rules = []
    base = _base(data)
    for index, window in enumerate(data.windows):
        path = f"windows.{index}"
        start, end = clock(window.start, f"{path}.start"), clock(window.end, f"{path}.end")
        rules.append({**base, "kind": "availability", "rrule": weekly_rule(window.weekday, start, end, path)})
        spans.append((window.weekday, start, end))
    no_overlap(spans)
    return await _replace(ctx, data, lambda row: is_weekly(row.rrule), rules)


@operation(
    "planner_replace_date_specific",
    MODULE,
    input=PlannerDateSpecificAvailability,
    output=PlannerReplaced,
    rest=Rest("POST", "/planner/availability-date-specific"),
)
async def replace_date_specific(ctx: RequestContext, data: PlannerDateSpecificAvailability) -> dict[str, Any]:
    """Replace the subject's date-specific rules on the windows' dates (and ``dates``)."""
    if not data.windows and not data.dates:
        raise fail("windows", "Give windows or dates", "too_small")
    spans: list[tuple[object, time, time]] = []
    rules = []
    base = {
        **_base(data),
        "kind": "availability" if data.isAvailable else "unavailability",
        "note": data.note,
        "unavailabilityReasonEntryId": str(data.unavailabilityReasonEntryId)
        if data.unavailabilityReasonEntryId
        else None,
        "unavailabilityReasonValue": data.unavailabilityReasonValue,
    }
    for index, window in enumerate(data.windows):
        path = f"windows.{index}"
        start, end = clock(window.start, f"{path}.start"), clock(window.end, f"{path}.end")
        rules.append({**base, "rrule": dated_rule(window.date, start, end, path)})
        spans.append((window.date, start, end))
    no_overlap(spans)
    days = {window.date for window in data.windows} | set(data.dates)
    return await _replace(ctx, data, lambda row: rule_date(row.rrule) in days, rules)
