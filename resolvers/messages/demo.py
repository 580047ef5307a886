"""The messages module's demo data: a short conversation between the demo admin and the mechanic
about a demo case (when the tenant has both)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from crmgraph.authn import load_user_principal
from crmgraph.context import WorkState
from crmgraph.demo import DemoSeeder
from models.cases import Case
from models.messages import Message
from resolvers.notifications.demo import MECHANIC, user_by_email
from resolvers.operations import OPERATIONS, invoke

SUBJECT = "Yamaha R1 winter storage: pickup on Friday"
OPENING = (
    "Hi! Anna Kowalska confirmed the pickup of her R1 on Friday at 10:00. "
    "Could you prepare slot B4 and the battery tender?"
)
REPLY = "Sure, slot B4 is free. I will also check the chain and the tyre pressure before storage."
CASE_TITLE = "Winter storage: Yamaha R1"


async def seed(seeder: DemoSeeder) -> None:
    """The admin writes to the mechanic (on the R1 case when it exists); the mechanic replies. Once."""
    ctx = seeder.ctx
    mechanic_id = await user_by_email(seeder, MECHANIC)
    if mechanic_id is None:
        return
    async with ctx.read_session() as session:
        tenant = ctx.tenant_id()
        if await session.scalar(
            select(Message.id).where(Message.tenant_id == tenant, Message.subject == SUBJECT)
        ):
            return
        case_id = await session.scalar(
            select(Case.id).where(
                Case.tenant_id == tenant, Case.title == CASE_TITLE, Case.deleted_at.is_(None)
            )
        )
        mechanic = await load_user_principal(session, mechanic_id)
    opening = {
        "recipients": [{"userId": str(mechanic_id), "type": "to"}],
        "subject": SUBJECT,
        "body": OPENING,
        "priority": "high",
        **({"caseId": str(case_id)} if case_id else {}),
    }
    _, sent = await invoke(OPERATIONS["compose_message"], ctx, opening)
    if mechanic is None or not mechanic.has("messages.compose"):
        return  # a tenant whose employees may not write messages gets the opening message only
    as_mechanic = replace(ctx, principal=mechanic, cache={}, loaders={}, operations=[], work=WorkState())
    await invoke(OPERATIONS["reply_to_message"], as_mechanic, {"id": sent["id"], "body": REPLY})
