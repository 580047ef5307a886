"""The Akeneo sync's demo data: an attribute mapping (name, description, color into metadata) ready
for a first import once ``AKENEO_API_URL`` and the integration's credentials are set."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.sync_akeneo import AkeneoMapping
from resolvers.operations import OPERATIONS, invoke

MAPPINGS = [
    {"attribute": "name", "target": "title"},
    {"attribute": "description", "target": "description"},
    {"attribute": "color", "target": "metadata.color"},
]


async def seed(self: DemoSeeder) -> None:
    async with self.ctx.read_session() as session:
        found = await session.scalar(
            select(AkeneoMapping.id).where(AkeneoMapping.tenant_id == self.ctx.tenant_id())
        )
    if found is None:
        await invoke(
            OPERATIONS["akeneo_save_custom_fields"], self.ctx, {"mappings": MAPPINGS, "locale": "en_US"}
        )
