"""The module's demo step (``crmgraph seed``) indexes the tenant's records: they answer searches
right away, without a worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.authn import load_user_principal
from crmgraph.context import RequestContext
from crmgraph.demo import DemoSeeder
from models.auth import User
from resolvers.search import demo
from tests.search.conftest import found, person, unique


async def test_demo_step_indexes_the_tenant(sworld: Any, boss: Any, sessionmaker: Any, bsettings: Any):
    word = unique("Demoword")
    person_id = await person(boss, sworld.branch_org, "Kasia", word)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == sworld.admin_email))
        principal = await load_user_principal(session, admin_id)
    await demo.seed(
        DemoSeeder(RequestContext(settings=bsettings, sessionmaker=sessionmaker, principal=principal))
    )

    assert [h["recordId"] for h in await found(boss, word, strategies="fulltext")] == [person_id]
    status, body = await boss.get("/api/query_index/status")
    assert status == 200
    people = next(item for item in body["items"] if item["entityId"] == "customers:person")
    assert people["ok"] and people["indexCount"] == people["baseCount"] == people["vectorCount"] == 1
