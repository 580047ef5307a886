"""The example demo data: todos (with the mechanic assigned), customer priorities and a public blog
page, seeded once through the services (events are real)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.demo import seed_demo_data
from models.auth import User
from models.events import OutboxEvent
from models.example import ExampleBlogPost, ExampleCustomerPriority, ExampleTodo, ExampleTodoAssignee
from resolvers.example.demo import TODOS
from tests.example.conftest import visitor
from tests.factories import make_world

MODELS = (ExampleTodo, ExampleTodoAssignee, ExampleCustomerPriority, ExampleBlogPost, OutboxEvent)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_data_is_seeded_once(sessionmaker: Any, settings: Any, proxied: Any) -> None:
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    first = await counts(sessionmaker, world.tenant_id)
    assert first["ExampleTodo"] == len(TODOS) and first["ExampleBlogPost"] == 1
    assert first["OutboxEvent"] >= first["ExampleTodo"] + first["ExampleBlogPost"]
    await seed_demo_data(sessionmaker, settings, admin_id)
    assert await counts(sessionmaker, world.tenant_id) == first
    async with sessionmaker() as session:
        post = await session.scalar(
            select(ExampleBlogPost.id).where(ExampleBlogPost.tenant_id == world.tenant_id)
        )
    status, page = await visitor(proxied).get(f"/api/example/blog/{post}")
    assert status == 200 and page["title"] == "Getting your bike ready for winter"
