"""Per-request dataloaders for entity relations: one batch of source keys = one SQL statement."""

from collections import defaultdict
from typing import Any

from aiodataloader import DataLoader

from crmgraph.context import RequestContext
from resolvers.entity import Entity, Relation
from resolvers.relations import edge


class EdgeLoader(DataLoader):
    """Target rows of one relation for a batch of source keys (see ``resolvers.relations``)."""

    def __init__(self, ctx: RequestContext, relation: Relation) -> None:
        super().__init__()
        self.ctx = ctx
        self.relation = relation

    async def batch_load_fn(self, keys: list[Any]) -> list[Any]:
        found = await edge(self.ctx, self.relation, "target")
        query = found.select(found.alias, found.key.label("_key")).where(found.key.in_(set(keys)))
        async with self.ctx.read_session() as session:
            rows = (await session.execute(query)).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for target, key in rows:
            grouped[key].append(target)
        if self.relation.kind == "one":
            return [grouped[k][0] if grouped.get(k) else None for k in keys]
        return [grouped.get(k, []) for k in keys]


def relation_loader(ctx: RequestContext, source: Entity, relation: Relation) -> EdgeLoader:
    return ctx.loader(("rel", source.name, relation.name), lambda: EdgeLoader(ctx, relation))
