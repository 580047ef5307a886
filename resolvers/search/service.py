"""Search: the caller's scope, the strategies run side by side, their rankings fused, every hit
checked against its record.

Hits never cross tenants or organizations and never name a record whose view features the caller
lacks: the scope (tenant, organizations, viewable entity types, view features held) is part of each
strategy's query, and the fused hits are then read back through each entity's own scoped read
(``resolvers.scope.entity_conditions``, under row-level security), which also drops records deleted
since they were indexed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from resolvers.scope import entity_conditions, org_scope
from resolvers.search.backend import STRATEGY_IDS, Backend, backend_for
from resolvers.search.documents import document, indexable
from resolvers.search.strategies.base import Hit, SearchScope
from resolvers.search.strategies.fusion import Fused, fuse

MAX_LIMIT = 100
CANDIDATES = 2  # each strategy ranks this many times the limit: room for hits the read-back drops


@dataclass
class SearchResult:
    entity_type: str
    record_id: uuid.UUID
    score: float
    source: str
    title: str
    record: Any  # the ORM row, as the entity's GraphQL type reads it


@dataclass
class SearchOutcome:
    results: list[SearchResult]
    strategies_used: list[str]
    timing: float  # milliseconds


def check_entity_types(requested: Sequence[str] | None, path: str = "entityTypes") -> list[str] | None:
    if requested is None:
        return None
    known = indexable()
    unknown = [t for t in requested if t not in known]
    if unknown:
        raise ValidationFailed(
            [issue(path, f"Unknown entity type: {t}", "invalid_enum_value") for t in unknown]
        )
    return list(dict.fromkeys(requested))


def check_strategies(requested: Sequence[str] | None, path: str = "strategies") -> list[str] | None:
    if requested is None:
        return None
    unknown = [s for s in requested if s not in STRATEGY_IDS]
    if unknown:
        raise ValidationFailed(
            [
                issue(path, f"Unknown strategy: {s} (one of {', '.join(STRATEGY_IDS)})", "invalid_enum_value")
                for s in unknown
            ]
        )
    return list(dict.fromkeys(requested))


async def search_scope(ctx: RequestContext, requested: Sequence[str] | None = None) -> SearchScope:
    """What the caller may find: the tenant, the organizations in scope, the entity types whose view
    features it holds (narrowed to ``requested``) and those features."""
    principal = ctx.require_auth()
    scope = await org_scope(ctx)
    viewable = {name: e for name, e in indexable().items() if principal.has(*e.features.view)}
    types = [t for t in (requested if requested is not None else viewable) if t in viewable]
    granted = sorted({f for e in viewable.values() for f in e.features.view})
    return SearchScope(
        tenant_id=scope.tenant_id,
        org_ids=scope.org_ids,
        entity_types=tuple(types),
        tenant_level_types=tuple(t for t in types if viewable[t].scope != "org"),
        granted_features=tuple(granted),
    )


async def run_strategies(
    ctx: RequestContext, backend: Backend, ids: Sequence[str], text: str, scope: SearchScope, limit: int
) -> dict[str, list[Hit]]:
    """Each strategy's ranking, side by side; a strategy that cannot answer now is left out."""

    async def one(strategy_id: str) -> list[Hit] | None:
        return await backend.strategies[strategy_id].search(ctx, text, scope, limit)

    found = await asyncio.gather(*(one(s) for s in ids))
    return {s: hits for s, hits in zip(ids, found, strict=True) if hits is not None}


async def read_back(ctx: RequestContext, fused: Sequence[Fused]) -> dict[tuple[str, uuid.UUID], Any]:
    """The hits' records the caller may read (one scoped query per entity type)."""
    entities = indexable()
    by_type: dict[str, list[uuid.UUID]] = {}
    for entry in fused:
        by_type.setdefault(entry.entity_type, []).append(entry.record_id)
    found: dict[tuple[str, uuid.UUID], Any] = {}
    async with ctx.read_session() as session:
        for kind, ids in by_type.items():
            entity = entities.get(kind)
            if entity is None:
                continue
            model = entity.model
            query = select(model).where(model.id.in_(ids), *await entity_conditions(ctx, entity))
            for row in (await session.execute(query)).scalars():
                found[(kind, row.id)] = row
    return found


async def search(
    ctx: RequestContext,
    text: str,
    *,
    strategies: Sequence[str] | None,
    entity_types: Sequence[str] | None,
    limit: int,
) -> SearchOutcome:
    started = time.perf_counter()
    backend = backend_for(ctx.settings)
    available = backend.available()
    wanted = [s for s in (strategies if strategies is not None else available) if s in available]
    scope = await search_scope(ctx, entity_types)
    limit = max(1, min(limit, MAX_LIMIT))
    rankings = await run_strategies(ctx, backend, wanted, text, scope, limit * CANDIDATES)
    fused = fuse(rankings)[: limit * CANDIDATES]
    records = await read_back(ctx, fused)
    entities = indexable()
    results = []
    for entry in fused:
        row = records.get((entry.entity_type, entry.record_id))
        if row is None:
            continue
        title = document(entities[entry.entity_type], row).title
        results.append(
            SearchResult(entry.entity_type, entry.record_id, entry.score, entry.source, title, row)
        )
        if len(results) == limit:
            break
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return SearchOutcome(results, list(rankings), elapsed)
