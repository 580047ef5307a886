"""The module's demo data: written once as a tenant admin (a second run adds nothing), and the
demo portal admin can sign in to the portal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.authn import load_user_principal
from crmgraph.context import RequestContext
from crmgraph.demo import DemoSeeder
from models.auth import User
from models.customer_accounts import CustomerNotification, CustomerRole, CustomerUser
from resolvers.customer_accounts import demo
from tests.customer_accounts.conftest import BASE
from tests.factories import make_world


async def test_demo_seed_is_idempotent(client: Any, sessionmaker: Any, settings: Any):
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        principal = await load_user_principal(session, admin_id)
    seeder = DemoSeeder(RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal))

    async def counts() -> list[int]:
        async with sessionmaker() as session:
            return [
                await session.scalar(
                    select(func.count()).select_from(m).where(m.tenant_id == world.tenant_id)
                )
                for m in (CustomerRole, CustomerUser, CustomerNotification)
            ]

    await demo.seed(seeder)
    assert await counts() == [len(demo.ROLES), len(demo.USERS), len(demo.USERS)]
    await demo.seed(seeder)
    assert await counts() == [len(demo.ROLES), len(demo.USERS), len(demo.USERS)]
    email = demo.USERS[0][0]
    response = await client.post(
        f"{BASE}/login", json={"email": email, "password": demo.PASSWORD, "tenantId": str(world.tenant_id)}
    )
    body = await response.json()
    assert response.status == 200 and body["resolvedFeatures"] == ["portal.*"], body
