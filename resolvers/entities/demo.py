"""The entities module's demo data: a "preferred workshop" custom field on people (set on the first
demo customer) and the custom entity "Track day" with two records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmgraph.demo import DemoSeeder
from models.customers import Person
from models.entities import CustomEntityRecord
from resolvers.crud import service
from resolvers.customers.demo import PEOPLE
from resolvers.customers.people import PERSON
from resolvers.entities.common import custom_entity, field_specs
from resolvers.operations import OPERATIONS, invoke

PEOPLE_ID = "customers:person"
TRACK_DAY = "user:track_day"
WORKSHOPS = ["Warsaw Workshop", "Krakow Workshop", "Poznan Workshop"]
TRACK_DAY_FIELDS = [
    {"key": "title", "kind": "text", "configJson": {"label": "Title", "required": True}},
    {
        "key": "circuit",
        "kind": "select",
        "configJson": {"label": "Circuit", "options": ["Poznan", "Brno", "Slovakiaring"]},
    },
    {
        "key": "date",
        "kind": "text",
        "configJson": {"label": "Date", "validation": [{"rule": "date", "message": "A date"}]},
    },
    {
        "key": "places",
        "kind": "integer",
        "configJson": {
            "label": "Places",
            "validation": [{"rule": "gte", "param": 1, "message": "At least 1"}],
        },
    },
]
TRACK_DAYS = [
    {"title": "Spring opener", "circuit": "Poznan", "date": "2027-04-17", "places": 24},
    {"title": "Summer sprint", "circuit": "Brno", "date": "2027-07-03", "places": 16},
]


async def run(seeder: DemoSeeder, name: str, raw: dict[str, Any]) -> Any:
    return (await invoke(OPERATIONS[name], seeder.ctx, raw))[1]


async def seed(self: DemoSeeder) -> None:
    """Definitions and records, each looked up before it is written (idempotent)."""
    ctx = self.ctx
    if "preferred_workshop" not in await field_specs(ctx, PEOPLE_ID, None):
        config = {"label": "Preferred workshop", "options": WORKSHOPS, "filterable": True}
        await run(
            self,
            "save_entity_definition",
            {"entityId": PEOPLE_ID, "key": "preferred_workshop", "kind": "select", "configJson": config},
        )
    email = PEOPLE[0][2]
    async with ctx.read_session() as session:
        person = (
            await session.execute(
                select(Person).where(
                    Person.tenant_id == ctx.tenant_id(),
                    Person.primary_email == email,
                    Person.deleted_at.is_(None),
                )
            )
        ).scalar_one_or_none()
    if person is not None and "preferred_workshop" not in (person.custom_fields or {}):
        await service(PERSON).update(ctx, {"cf_preferred_workshop": WORKSHOPS[0]}, id_=person.id)
    if await custom_entity(ctx, TRACK_DAY, None) is None:
        entity = {"entityId": TRACK_DAY, "label": "Track day", "labelField": "title", "showInSidebar": True}
        await run(
            self,
            "save_custom_entity",
            {**entity, "description": "Circuit days the concierge books for riders."},
        )
        await run(
            self, "save_entity_definitions_batch", {"entityId": TRACK_DAY, "definitions": TRACK_DAY_FIELDS}
        )
    for values in TRACK_DAYS:
        found = select(func.count()).where(
            CustomEntityRecord.tenant_id == ctx.tenant_id(),
            CustomEntityRecord.entity_id == TRACK_DAY,
            CustomEntityRecord.values.contains({"title": values["title"]}),
        )
        async with ctx.read_session() as session:
            exists = await session.scalar(found)
        if not exists:
            reply = await run(self, "create_entity_record", {"entityId": TRACK_DAY, "values": values})
            self.ids[f"track_day:{values['title']}"] = reply["item"]["recordId"]
