"""The Python API other modules call: ``notify(ctx, uow, recipients, content)`` joins the caller's
unit of work, so the notifications (and their events) exist only if the caller's command commits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from crmgraph.authn import load_user_principal
from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed
from models.events import OutboxEvent
from models.notifications import Notification
from resolvers.notifications import notify


async def as_user(settings: Any, sessionmaker: Any, user_id: str) -> RequestContext:
    async with sessionmaker() as session:
        principal = await load_user_principal(session, uuid.UUID(user_id))
    return RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)


async def delivered(sessionmaker: Any, recipient: str) -> tuple[int, int]:
    async with sessionmaker() as session:
        ids = list(
            (
                await session.execute(
                    select(Notification.id).where(Notification.recipient_user_id == uuid.UUID(recipient))
                )
            ).scalars()
        )
        events = await session.scalar(
            select(func.count()).where(
                OutboxEvent.name == "notifications.notification.created",
                OutboxEvent.payload["recipientUserId"].astext == recipient,
            )
        )
    return len(ids), events


async def test_notify_commits_and_rolls_back_with_the_callers_command(settings, sessionmaker, ids):
    ctx = await as_user(settings, sessionmaker, ids["admin"])
    content = {"type": "cases.assigned", "title": "Case assigned to you", "sourceEntityType": "cases.case"}

    class Vetoed(Exception):
        pass

    with pytest.raises(Vetoed):
        async with ctx.unit_of_work() as uow:
            await notify(ctx, uow, [ids["member"]], content)
            raise Vetoed  # the caller's command fails after notifying
    assert await delivered(sessionmaker, ids["member"]) == (0, 0)

    async with ctx.unit_of_work() as uow:
        (notification,) = await notify(ctx, uow, [ids["member"]], content)
    assert notification.title == "Case assigned to you" and notification.created_by_user_id == uuid.UUID(
        ids["admin"]
    )
    assert await delivered(sessionmaker, ids["member"]) == (1, 1)

    with pytest.raises(ValidationFailed):  # recipients are users of the caller's tenant only
        async with ctx.unit_of_work() as uow:
            await notify(ctx, uow, [ids["member"], str(uuid.uuid4())], content)
    assert await delivered(sessionmaker, ids["member"]) == (1, 1)
