"""The staff demo data: teams, members with roles and tags, and an approved and a pending leave
request, seeded idempotently (here into a fresh tenant, not the shared demo one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.authn import load_user_principal
from crmgraph.config import Settings
from crmgraph.context import RequestContext
from crmgraph.demo import DemoSeeder, demo_modules
from models.auth import User
from resolvers.staff.demo import MEMBERS, seed


async def test_demo_staff(sessionmaker: Any, settings: Settings, world: Any, admin: Any) -> None:
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        principal = await load_user_principal(session, admin_id)
    assert "staff" in demo_modules()
    # Only this module's part (it needs no other module's demo records): the full run is
    # tests/test_demo_seed.py's.
    seeder = DemoSeeder(RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal))
    await seed(seeder)
    await seed(seeder)  # idempotent
    reply = await admin.gql(
        "{ staffTeamMembers(pageSize: 50) { total items { displayName team { name } roles { name }"
        " addresses { isPrimary } leaveRequests { status } } } }"
    )
    page = reply["data"]["staffTeamMembers"]
    assert page["total"] == len(MEMBERS)
    by_name = {m["displayName"]: m for m in page["items"]}
    first = by_name[MEMBERS[0][0]]
    assert first["team"] == {"name": "Workshop"} and first["roles"] == [{"name": "Mechanic"}]
    assert first["addresses"] == [{"isPrimary": True}]
    assert sorted(r["status"] for r in first["leaveRequests"]) == ["approved", "pending"]
