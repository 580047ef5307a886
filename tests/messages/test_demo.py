"""The demo data of notifications and messages: notices for the admin and the mechanic and their
short conversation on the R1 case, seeded once (in a tenant of its own, the demo tenant is
``tests/test_demo_seed.py``'s)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from crmgraph.seed import EMPLOYEE_FEATURES
from models.auth import User
from models.cases import CaseTimelineEntry
from models.events import OutboxEvent
from models.messages import Message, MessageRecipient
from models.notifications import Notification
from resolvers.messages import demo as messages_demo
from resolvers.notifications import demo as notifications_demo
from tests.factories import make_world


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in (Notification, Message, MessageRecipient, OutboxEvent)
        }


async def test_demo_notifications_and_conversation(
    sessionmaker: Any, settings: Settings, monkeypatch: Any
) -> None:
    world = await make_world(sessionmaker, roles={"employee": EMPLOYEE_FEATURES})
    mechanic_email = world.emails["employee"]
    monkeypatch.setattr(notifications_demo, "MECHANIC", mechanic_email)
    monkeypatch.setattr(messages_demo, "MECHANIC", mechanic_email)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        mechanic_id = await session.scalar(select(User.id).where(User.email == mechanic_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    first = await counts(sessionmaker, world.tenant_id)
    async with sessionmaker() as session:
        notices = dict(
            (
                await session.execute(
                    select(Notification.recipient_user_id, func.count())
                    .where(Notification.tenant_id == world.tenant_id)
                    .group_by(Notification.recipient_user_id)
                )
            ).all()
        )
        messages = (
            (
                await session.execute(
                    select(Message).where(Message.tenant_id == world.tenant_id).order_by(Message.sent_at)
                )
            )
            .scalars()
            .all()
        )
        on_case = await session.scalar(
            select(func.count()).where(
                CaseTimelineEntry.tenant_id == world.tenant_id, CaseTimelineEntry.kind == "message"
            )
        )
    # two notices and the reply's "new message" for the admin; one notice and the message's for the mechanic
    assert notices == {admin_id: 3, mechanic_id: 2}
    assert [m.sender_user_id for m in messages] == [admin_id, mechanic_id]
    assert messages[1].thread_id == messages[0].id and messages[0].case_id is not None
    assert on_case == 2

    await seed_demo_data(sessionmaker, settings, admin_id)
    assert await counts(sessionmaker, world.tenant_id) == first


@pytest.mark.parametrize("module", [notifications_demo, messages_demo])
def test_demo_modules_name_the_mechanic(module: Any) -> None:
    assert module.MECHANIC == "mechanic@example.com"
