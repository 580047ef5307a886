"""Relation semantics, declared once and used by every executor.

An edge from a source row to its targets is "target rows whose key equals the source's key":

- ``one``: key = target ``id``, source key = ``source_fk`` on the source row;
- ``many``: key = target ``target_fk``, source key = source ``id``;
- ``through``: key = the association's ``through_source``, joined to the target on ``through_target``.

The compiled GraphQL path correlates ``key == <source alias>.<source key>`` in a subquery; the
dataloaders batch ``key IN (...)``. A list edge returns its first ``limit`` targets by id
(``EDGE_LIMIT`` unless the caller asks for fewer or more, at most ``EDGE_LIMIT_MAX``) on both
paths, so every list in a response is bounded. Both read the target through its own alias, restricted to what
the caller may see (``resolvers.scope.entity_conditions``) and ordered by target id, so their
answers are identical by construction (``tests/test_executor_equivalence.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext
from resolvers.entity import ENTITIES, Entity, Relation
from resolvers.scope import entity_conditions

EDGE_LIMIT = 20  # targets a list edge returns when the caller does not say (the first by id)
EDGE_LIMIT_MAX = 100


def edge_limit(requested: int | None) -> int:
    return EDGE_LIMIT if requested is None else max(1, min(EDGE_LIMIT_MAX, requested))


def source_key(relation: Relation) -> str:
    """The source attribute an edge starts from."""
    return relation.source_fk if relation.kind == "one" else "id"


@dataclass
class Edge:
    relation: Relation
    target: Entity
    alias: Any  # the target model, aliased for this edge
    key: Any  # the target-side expression equal to the source's key
    through: Any | None
    conditions: list[Any]

    def select(self, *columns: Any) -> Select:
        """``SELECT columns`` over the edge's target rows the caller may see, ordered by target id."""
        query = select(*columns).select_from(self.alias)
        if self.through is not None:
            query = query.join(
                self.through, getattr(self.through, self.relation.through_target) == self.alias.id
            )
        return query.where(*self.conditions).order_by(self.alias.id)


async def edge(ctx: RequestContext, relation: Relation, name: str) -> Edge:
    """The edge ``relation`` with its target aliased as ``name`` (unique per query level)."""
    target = ENTITIES[relation.target]
    alias = aliased(target.model, name=name)
    through = None
    if relation.kind == "one":
        key = alias.id
    elif relation.kind == "many":
        key = getattr(alias, relation.target_fk)
    else:
        through = aliased(relation.through, name=f"{name}_link")
        key = getattr(through, relation.through_source)
    return Edge(relation, target, alias, key, through, await entity_conditions(ctx, target, alias))
