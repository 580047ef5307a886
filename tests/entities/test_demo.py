"""The demo data adds the people's "preferred workshop" field, the "Track day" entity with two records
and a circuit map on the first, once. Seeded into a tenant of its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from models.attachments import Attachment
from models.auth import User
from models.customers import Person
from models.entities import CustomEntity, CustomEntityRecord, CustomFieldDefinition
from models.events import OutboxEvent
from resolvers.entities.demo import TRACK_DAYS, WORKSHOPS
from tests.factories import make_world

MODELS = (CustomEntity, CustomFieldDefinition, CustomEntityRecord, Attachment, OutboxEvent)


async def counts(sessionmaker: Any, tenant_id: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            m.__name__: await session.scalar(
                select(func.count()).select_from(m).where(m.tenant_id == tenant_id)
            )
            for m in MODELS
        }


async def test_demo_data_is_seeded_once(sessionmaker: Any, settings: Settings) -> None:
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    await seed_demo_data(sessionmaker, settings, admin_id)
    first = await counts(sessionmaker, world.tenant_id)
    assert first["CustomEntity"] == 1 and first["CustomEntityRecord"] == len(TRACK_DAYS)
    assert first["CustomFieldDefinition"] == 5 and first["Attachment"] == 1
    async with sessionmaker() as session:
        values = await session.scalar(
            select(Person.custom_fields).where(
                Person.tenant_id == world.tenant_id, Person.custom_fields.has_key("preferred_workshop")
            )
        )
    assert values["preferred_workshop"] == WORKSHOPS[0]
    await seed_demo_data(sessionmaker, settings, admin_id)
    assert await counts(sessionmaker, world.tenant_id) == first  # nothing written twice, no new events
