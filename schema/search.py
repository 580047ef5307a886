"""GraphQL of the search module: ``search(query, strategies, entityTypes, limit)`` answering hits whose
``record`` is a union of the graph's entity types (each indexable entity's generated type), with the
fused score and the strategy that ranked it best. The other search and query_index operations are
declared operations (``schema.operations``)."""

from typing import Annotated, Any, Union

import strawberry
from strawberry.types import Info

from resolvers.search.documents import indexable
from resolvers.search.service import MAX_LIMIT, check_entity_types, check_strategies, search
from resolvers.validation import validate
from schema.directives import RequiresFeatures
from schema.entity import OBJECT_TYPES

FEATURES = ["search.view"]


def _as_type(type_: type, row: Any) -> Any:
    """``row`` presented as ``type_`` (the union needs to know which member each record is)."""
    proxy = _PROXIES.get(type_)
    if proxy is None:
        proxy = _PROXIES[type_] = type(
            f"{type_.__name__}SearchRecord",
            (_RowProxy,),
            {"__strawberry_definition__": type_.__strawberry_definition__},
        )
    return proxy(row)


class _RowProxy:
    __slots__ = ("_row",)

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


_PROXIES: dict[type, type] = {}


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    entities = indexable()
    # The types of *this* schema build: a later build (another app in the same process) replaces
    # OBJECT_TYPES, and the union only accepts the members it was built with.
    by_type = {kind: OBJECT_TYPES[e.name] for kind, e in entities.items() if e.name in OBJECT_TYPES}
    members = tuple(dict.fromkeys(by_type.values()))
    record_type = Annotated[
        Union[members],  # noqa: UP007 - a union built from a tuple of generated types
        strawberry.union("SearchRecord", description="A record of any searchable entity type."),
    ]

    @strawberry.type(description="One search hit: the record, its fused score and best strategy.")
    class SearchHit:
        entity_type: str
        record_id: strawberry.ID
        score: float
        strategy: str
        title: str
        record: record_type  # type: ignore[valid-type]

    @strawberry.type(description="Search results (weighted reciprocal rank fusion of the strategies).")
    class SearchHits:
        hits: list[SearchHit]
        strategies_used: list[str]
        timing: float

    async def resolve(
        info: Info,
        query: str,
        strategies: list[str] | None = None,
        entity_types: list[str] | None = None,
        limit: int = 20,
    ) -> SearchHits:
        from resolvers.search.operations import SearchQueryInput

        ctx = info.context
        ctx.require_features(FEATURES)
        data = validate(SearchQueryInput, {"q": query, "limit": limit, "entityTypes": entity_types})
        outcome = await search(
            ctx,
            data.q,
            strategies=check_strategies(strategies),
            entity_types=check_entity_types(data.entityTypes),
            limit=min(data.limit, MAX_LIMIT),
        )
        hits = [
            SearchHit(
                entity_type=r.entity_type,
                record_id=strawberry.ID(str(r.record_id)),
                score=r.score,
                strategy=r.source,
                title=r.title,
                record=_as_type(by_type[r.entity_type], r.record),
            )
            for r in outcome.results
        ]
        return SearchHits(hits=hits, strategies_used=outcome.strategies_used, timing=outcome.timing)

    field = strawberry.field(
        resolver=resolve,
        description="Search every entity type the caller may view (fulltext, vector, tokens).",
        directives=[RequiresFeatures(features=FEATURES)],
    )
    return {"search": field}, {}
