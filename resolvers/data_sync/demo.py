"""The data sync module's demo data: a people export mapping with a daily schedule and a people
import mapping, written through the services (looked up by name)."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.data_sync import DataSyncMapping, DataSyncSchedule
from resolvers.crud import service
from resolvers.data_sync.entities import MAPPING, SCHEDULE

FIELDS = {"first": "firstName", "last": "lastName", "email": "primaryEmail"}
MAPPINGS = [
    {"name": "Customer export (people)", "entity": "person", "direction": "export", "fieldMap": FIELDS},
    {"name": "Rider import (people)", "entity": "person", "direction": "import", "fieldMap": FIELDS},
]
SCHEDULE_NAME = "Nightly customer export"


async def _find(seeder: DemoSeeder, model: type, name: str) -> object:
    query = select(model.id).where(model.tenant_id == seeder.ctx.tenant_id(), model.name == name)
    async with seeder.ctx.read_session() as session:
        return await session.scalar(query.limit(1))


async def seed(seeder: DemoSeeder) -> None:
    for spec in MAPPINGS:
        found = await _find(seeder, DataSyncMapping, spec["name"])
        if found is None:
            found = (await service(MAPPING).create(seeder.ctx, spec))[0].id
        seeder.ids[f"data_sync:{spec['name']}"] = found
    if await _find(seeder, DataSyncSchedule, SCHEDULE_NAME) is None:
        mapping_id = seeder.ids[f"data_sync:{MAPPINGS[0]['name']}"]
        body = {"name": SCHEDULE_NAME, "mappingId": str(mapping_id), "intervalMinutes": 1440}
        await service(SCHEDULE).create(seeder.ctx, body)
