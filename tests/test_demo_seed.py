"""``crmgraph seed`` fills the demo tenant with customers, deals and a timeline, idempotently, through
the services (events and audit are real); GraphQL shows them to the demo admin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.seed import seed, seed_demo
from models.customers import Company, Deal, Interaction, Person, PipelineStage, TagAssignment, Todo
from models.events import OutboxEvent
from resolvers.customers.demo import COMPANIES, DEALS, PEOPLE, STAGES
from tests.conftest import Api

COUNTED = (Person, Company, Deal, PipelineStage, Todo, Interaction, TagAssignment)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            model.__name__: await session.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
            )
            for model in (*COUNTED, OutboxEvent)
        }


async def run_seed(sessionmaker: Any, settings: Settings, demo: bool = True) -> Any:
    async with sessionmaker() as session:
        result = await seed(session, settings)
    if demo:
        await seed_demo(sessionmaker, settings, result)
    return result


async def test_seed_is_idempotent_and_graphql_shows_demo_customers(
    client: Any, sessionmaker: Any, settings: Settings
) -> None:
    result = await run_seed(sessionmaker, settings, demo=False)  # ``crmgraph seed --no-demo``
    assert (await counts(sessionmaker, result.tenant_id))["Person"] == 0
    await run_seed(sessionmaker, settings)
    first = await counts(sessionmaker, result.tenant_id)
    assert first["Person"] == len(PEOPLE) and first["Company"] == len(COMPANIES)
    assert first["Deal"] == len(DEALS) and first["PipelineStage"] == len(STAGES)
    assert first["Todo"] > 0 and first["Interaction"] > 0 and first["TagAssignment"] > 0
    assert first["OutboxEvent"] >= sum(first[m.__name__] for m in COUNTED)  # written as commands

    await run_seed(sessionmaker, settings)
    assert await counts(sessionmaker, result.tenant_id) == first

    response = await client.post(
        "/api/auth/login", data={"email": settings.admin_email, "password": settings.admin_password}
    )
    admin = Api(client, {"Authorization": f"Bearer {(await response.json())['token']}"})
    reply = await admin.gql(
        "{ people(pageSize: 50) { total items { displayName companyEntityId deals { title } } }"
        ' companies(search: "Vistula") { items { id } } }'
    )
    people = reply["data"]["people"]
    assert people["total"] == len(PEOPLE), reply
    anna = next(p for p in people["items"] if p["displayName"] == "Anna Kowalska")
    assert anna["companyEntityId"] == reply["data"]["companies"]["items"][0]["id"]
    assert anna["deals"] == [{"title": "Winter storage for 12 club bikes"}]
