"""The search module's demo data: the demo tenant's records indexed (full-text, tokens and vectors)
as the worker would index them, so search answers right after ``crmgraph seed``."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.search.documents import indexable
from resolvers.search.indexer import reindex_records


async def seed(self: DemoSeeder) -> None:
    ctx = self.ctx
    for entity in indexable().values():
        await reindex_records(ctx.sessionmaker, ctx.settings, ctx.tenant_id(), entity, None)
