"""The notifications module's demo data: a few notifications for the demo admin and the mechanic."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from crmgraph.demo import DemoSeeder
from models.auth import User
from models.notifications import Notification
from resolvers.notifications.service import notify

MECHANIC = "mechanic@example.com"

# (recipient: "admin" or "mechanic", content); ``groupKey`` is the natural key of each one.
NOTICES: list[tuple[str, dict[str, Any]]] = [
    (
        "admin",
        {
            "type": "demo.welcome",
            "title": "Welcome to Moto Concierge",
            "body": "Your customers, cases and the workshop's messages are in one place.",
            "icon": "sparkles",
            "groupKey": "demo:welcome",
        },
    ),
    (
        "admin",
        {
            "type": "cases.escalated",
            "title": "Breakdown on the A4 needs a tow truck",
            "body": "The rider is waiting at the Wrocław exit; roadside assistance is on it.",
            "severity": "warning",
            "sourceModule": "cases",
            "linkHref": "/backend/cases",
            "actions": [{"id": "open", "label": "Open cases", "href": "/backend/cases"}],
            "groupKey": "demo:a4-breakdown",
        },
    ),
    (
        "mechanic",
        {
            "type": "resources.service_due",
            "title": "Yamaha R1: winter storage inspection due",
            "body": "Check the battery tender and the tyre pressure before Friday.",
            "severity": "info",
            "groupKey": "demo:r1-inspection",
        },
    ),
]


async def user_by_email(seeder: DemoSeeder, email: str) -> uuid.UUID | None:
    async with seeder.ctx.read_session() as session:
        return await session.scalar(
            select(User.id).where(
                User.tenant_id == seeder.ctx.tenant_id(),
                func.lower(User.email) == email,
                User.deleted_at.is_(None),
            )
        )


async def _delivered(seeder: DemoSeeder, recipient: uuid.UUID, content: dict[str, Any]) -> bool:
    async with seeder.ctx.read_session() as session:
        query = select(Notification.id).where(
            Notification.tenant_id == seeder.ctx.tenant_id(),
            Notification.recipient_user_id == recipient,
            Notification.group_key == content["groupKey"],
        )
        return await session.scalar(query.limit(1)) is not None


async def seed(seeder: DemoSeeder) -> None:
    """Two notifications for the admin (one with an action) and one for the mechanic, once."""
    recipients = {
        "admin": seeder.ctx.require_auth().user_id,
        "mechanic": await user_by_email(seeder, MECHANIC),
    }
    for who, content in NOTICES:
        recipient = recipients[who]
        if recipient is None or await _delivered(seeder, recipient, content):
            continue
        async with seeder.ctx.unit_of_work() as uow:
            await notify(seeder.ctx, uow, [recipient], content)
