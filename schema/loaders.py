"""Per-request dataloaders for entity relations (``<Target>By<Key>Loader``), one batch = one SQL."""

import uuid
from collections import defaultdict
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import select

from crmgraph.context import RequestContext
from resolvers.crud import scope_for, scoped
from resolvers.entity import ENTITIES, Entity, Relation


class EntityLoader(DataLoader):
    """Loads target rows for a batch of keys, restricted to the caller's scope."""

    def __init__(self, ctx: RequestContext, source: Entity, relation: Relation) -> None:
        super().__init__()
        self.ctx = ctx
        self.relation = relation
        self.target = ENTITIES[relation.target]

    async def batch_load_fn(self, keys: list[Any]) -> list[Any]:
        relation, target = self.relation, self.target
        scope = await scope_for(self.ctx, target)
        model = target.model
        wanted = [k for k in keys if k is not None]
        if relation.kind == "one":
            query = select(model).where(model.id.in_(wanted))
            key_of = None
        elif relation.kind == "many":
            fk = getattr(model, relation.target_fk)
            query = select(model).where(fk.in_(wanted))
            key_of = relation.target_fk
        else:
            through = relation.through
            source_col = getattr(through, relation.through_source)
            query = (
                select(model, source_col.label("_source_key"))
                .join(through, getattr(through, relation.through_target) == model.id)
                .where(source_col.in_(wanted))
            )
            key_of = "_source_key"
        query = await scoped(target, query, scope, self.ctx)
        query = query.order_by(model.id)
        async with self.ctx.read_session() as session:
            result = await session.execute(query)
            if relation.kind == "through":
                pairs = [(row._source_key, row[0]) for row in result]
            else:
                rows = list(result.scalars())
                pairs = [(row.id if key_of is None else getattr(row, key_of), row) for row in rows]
        if relation.kind == "one":
            found = dict(pairs)
            return [found.get(k) for k in keys]
        grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for key, row in pairs:
            grouped[key].append(row)
        return [grouped.get(k, []) for k in keys]


def relation_loader(ctx: RequestContext, source: Entity, relation: Relation) -> EntityLoader:
    return ctx.loader(("rel", source.name, relation.name), lambda: EntityLoader(ctx, source, relation))
