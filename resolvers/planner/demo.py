"""The planner's demo data: the workshop's opening-hours rule set (Mon-Fri 8-17, Sat 9-13) and the
mechanic's weekly availability plus a day off, written through the documented operations (once)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.auth import User
from models.planner import PlannerAvailability
from resolvers.operations import OPERATIONS, invoke
from resolvers.planner.entities import RULE_SET

TIMEZONE = "Europe/Warsaw"
WEEKDAYS = [{"weekday": day, "start": "08:00", "end": "17:00"} for day in range(5)]
SATURDAY = [{"weekday": 5, "start": "09:00", "end": "13:00"}]


async def seed(self: DemoSeeder) -> None:
    ctx = self.ctx
    rule_set = await self.ensure(
        RULE_SET,
        {"name": "Workshop opening hours"},
        {"name": "Workshop opening hours", "description": "Mon-Fri 8-17, Sat 9-13", "timezone": TIMEZONE},
    )
    async with ctx.read_session() as session:
        mechanic = await session.scalar(select(User.id).where(User.email == "mechanic@example.com"))
        has_rules = await session.scalar(
            select(PlannerAvailability.id).where(
                PlannerAvailability.tenant_id == ctx.tenant_id(),
                PlannerAvailability.subject_id.in_([rule_set, mechanic or uuid.uuid4()]),
                PlannerAvailability.deleted_at.is_(None),
            )
        )
    if has_rules is not None:
        return
    weekly = OPERATIONS["planner_replace_weekly"]
    base = {"subjectType": "ruleset", "subjectId": str(rule_set), "timezone": TIMEZONE}
    await invoke(weekly, ctx, {**base, "windows": WEEKDAYS + SATURDAY})
    if mechanic is not None:
        member = {"subjectType": "member", "subjectId": str(mechanic), "timezone": TIMEZONE}
        await invoke(weekly, ctx, {**member, "windows": WEEKDAYS})
        day_off = {"windows": [{"date": "2026-12-24"}], "isAvailable": False, "note": "Christmas Eve"}
        await invoke(OPERATIONS["planner_replace_date_specific"], ctx, {**member, **day_off})
