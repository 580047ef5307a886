"""Per-request dataloaders for entity relations: one batch of source keys = one SQL statement."""

from collections import defaultdict
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext
from resolvers.entity import Entity, Relation
from resolvers.relations import EDGE_LIMIT, edge


class EdgeLoader(DataLoader):
    """Target rows of one relation for a batch of source keys (see ``resolvers.relations``)."""

    def __init__(self, ctx: RequestContext, relation: Relation, limit: int = EDGE_LIMIT) -> None:
        super().__init__()
        self.ctx = ctx
        self.relation = relation
        self.limit = limit

    async def batch_load_fn(self, keys: list[Any]) -> list[Any]:
        found = await edge(self.ctx, self.relation, "target")
        query = found.select(found.alias, found.key.label("_key")).where(found.key.in_(set(keys)))
        if self.relation.kind != "one":  # the first ``limit`` targets by id of each source
            rank = func.row_number().over(partition_by=found.key, order_by=found.alias.id)
            ranked = query.add_columns(rank.label("_rank")).order_by(None).subquery()
            target = aliased(found.target.model, ranked)
            query = (
                select(target, ranked.c._key)
                .where(ranked.c._rank <= self.limit)
                .order_by(ranked.c._key, ranked.c.id)
            )
        async with self.ctx.read_session() as session:
            rows = (await session.execute(query)).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for target, key in rows:
            grouped[key].append(target)
        if self.relation.kind == "one":
            return [grouped[k][0] if grouped.get(k) else None for k in keys]
        return [grouped.get(k, []) for k in keys]


def relation_loader(
    ctx: RequestContext, source: Entity, relation: Relation, limit: int = EDGE_LIMIT
) -> EdgeLoader:
    key = ("rel", source.name, relation.name, limit)
    return ctx.loader(key, lambda: EdgeLoader(ctx, relation, limit))
