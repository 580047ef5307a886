"""The demo data of inbox ops and data sync, seeded twice in a tenant of its own: two processed
emails with proposals, two mappings and a schedule, nothing duplicated the second time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.context import RequestContext, Selection
from crmgraph.demo import DemoSeeder
from crmgraph.modules import load_resolvers
from models.auth import User
from models.data_sync import DataSyncMapping, DataSyncSchedule
from models.inbox_ops import InboxEmail, InboxProposal, InboxProposalAction
from resolvers.data_sync import demo as sync_demo
from resolvers.inbox_ops import demo as inbox_demo
from resolvers.scheduler.engine import owner_principal
from tests.factories import make_world

MODELS = (InboxEmail, InboxProposal, InboxProposalAction, DataSyncMapping, DataSyncSchedule)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_is_seeded_once(sessionmaker: Any, settings: Any) -> None:
    load_resolvers()  # the people entity the demo mappings name
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        admin = await owner_principal(session, str(admin_id))
    ctx = RequestContext(
        settings=settings,
        sessionmaker=sessionmaker,
        principal=admin,
        selection=Selection(str(world.tenant_id), str(world.root_org)),
    )
    for _ in range(2):
        seeder = DemoSeeder(ctx)
        await inbox_demo.seed(seeder)
        await sync_demo.seed(seeder)
        assert await counts(sessionmaker, world.tenant_id) == {
            "InboxEmail": 2,
            "InboxProposal": 2,
            "InboxProposalAction": 5,  # contact + order + reply, contact + reply
            "DataSyncMapping": 2,
            "DataSyncSchedule": 1,
        }
    async with sessionmaker() as session:
        categories = set((await session.execute(select(InboxProposal.category).where(
            InboxProposal.tenant_id == world.tenant_id))).scalars())  # fmt: skip
    assert categories == {"order", "inquiry"}
