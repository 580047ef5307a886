"""The vector strategy on PostgreSQL without pgvector: embeddings are stored as float32 ``bytea`` in
``search_documents`` and ranked by cosine similarity (a dot product of normalised vectors) in numpy.

Each process keeps a tenant's vectors in memory and keeps them current by revision: every document
write takes the next value of ``search_documents_revision_seq``, so one indexed look-up (the tenant's
highest revision) tells whether anything changed, and only the changed rows are read. Bulk removals
(purge, clear) bump the tenant's ``index_epoch``, which reloads the tenant whole. A single deleted
record may linger in a cache until then: it is only a candidate, and the service drops every hit whose
record the caller cannot read.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cachetools import LRUCache
from sqlalchemy import func, select

from models.search import SearchDocument, SearchSettings
from resolvers.search import embeddings
from resolvers.search.strategies.base import Hit, SearchScope

D = SearchDocument
RELOAD_AFTER = 600.0  # seconds: a full reload now and then drops what single deletions left behind
THREADED_ABOVE = 20_000  # rows: score larger matrices in a thread, off the event loop
NO_ORG = -1


@dataclass
class TenantVectors:
    """One tenant's vectors: row ``i`` is document ``doc_ids[i]`` (dead rows stay until a reload)."""

    epoch: int = -1
    revision: int = 0
    loaded_at: float = 0.0
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, embeddings.DIMENSION), np.float32))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    types: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    orgs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    size: int = 0
    doc_ids: list[uuid.UUID] = field(default_factory=list)
    records: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    position: dict[uuid.UUID, int] = field(default_factory=dict)
    type_codes: dict[str, int] = field(default_factory=dict)
    org_codes: dict[uuid.UUID, int] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _grow(self, extra: int) -> None:
        needed = self.size + extra
        if needed <= len(self.matrix):
            return
        capacity = max(needed, 2 * len(self.matrix), 1024)
        matrix = np.zeros((capacity, embeddings.DIMENSION), np.float32)
        matrix[: self.size] = self.matrix[: self.size]
        self.matrix = matrix
        for name in ("alive", "types", "orgs"):
            old = getattr(self, name)
            grown = np.zeros(capacity, old.dtype)
            grown[: self.size] = old[: self.size]
            setattr(self, name, grown)

    def apply(self, rows: list[Any]) -> None:
        """Rows changed since the last look (id, entity_type, record_id, organization_id, embedding)."""
        self._grow(len(rows))
        for row in rows:
            old = self.position.pop(row.id, None)
            if old is not None:
                self.alive[old] = False
            if row.embedding is None:
                continue
            vector = embeddings.from_bytes(row.embedding)
            if vector.shape[0] != embeddings.DIMENSION:
                continue  # made by another model: the vector reindex replaces it
            i = self.size  # filled before ``size`` counts it: a concurrent ``top`` sees whole rows
            self.matrix[i] = vector
            self.alive[i] = True
            self.types[i] = self.type_codes.setdefault(row.entity_type, len(self.type_codes))
            org = row.organization_id
            self.orgs[i] = NO_ORG if org is None else self.org_codes.setdefault(org, len(self.org_codes))
            self.doc_ids.append(row.id)
            self.records.append((row.entity_type, row.record_id))
            self.position[row.id] = i
            self.size += 1

    def mask(self, scope: SearchScope) -> np.ndarray:
        n = self.size
        allowed_types = [self.type_codes[t] for t in scope.entity_types if t in self.type_codes]
        keep = self.alive[:n] & np.isin(self.types[:n], allowed_types)
        if scope.org_ids is not None:
            org_codes = [self.org_codes[o] for o in scope.org_ids if o in self.org_codes]
            tenant_types = [self.type_codes[t] for t in scope.tenant_level_types if t in self.type_codes]
            in_org = np.isin(self.orgs[:n], org_codes)
            tenant_level = (self.orgs[:n] == NO_ORG) & np.isin(self.types[:n], tenant_types)
            keep &= in_org | tenant_level
        return keep

    def top(self, query: np.ndarray, scope: SearchScope, limit: int) -> list[tuple[int, float]]:
        n = self.size
        if n == 0:
            return []
        scores = self.matrix[:n] @ query
        scores[~self.mask(scope)] = -np.inf
        k = min(limit, n)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best if np.isfinite(scores[i])]


class VectorCache:
    """Per-process tenant vectors (least recently used tenants are dropped first)."""

    def __init__(self, tenants: int = 32) -> None:
        self.tenants: LRUCache[uuid.UUID, TenantVectors] = LRUCache(maxsize=tenants)

    async def current(self, ctx: Any, tenant_id: uuid.UUID) -> TenantVectors:
        state = self.tenants.get(tenant_id)
        if state is None:
            state = self.tenants[tenant_id] = TenantVectors()
        async with state.lock, ctx.read_session() as session:
            marks = (
                await session.execute(
                    select(
                        select(func.coalesce(func.max(D.revision), 0))
                        .where(D.tenant_id == tenant_id)
                        .scalar_subquery(),
                        select(SearchSettings.index_epoch)
                        .where(SearchSettings.tenant_id == tenant_id)
                        .scalar_subquery(),
                    )
                )
            ).one()
            revision, epoch = int(marks[0]), int(marks[1] or 0)
            stale = epoch != state.epoch or time.monotonic() - state.loaded_at > RELOAD_AFTER
            if stale:
                fresh = TenantVectors(epoch=epoch, loaded_at=time.monotonic(), lock=state.lock)
                state = self.tenants[tenant_id] = fresh
            if revision > state.revision:
                rows = (
                    await session.execute(
                        select(D.id, D.entity_type, D.record_id, D.organization_id, D.embedding)
                        .where(D.tenant_id == tenant_id, D.revision > state.revision)
                        .order_by(D.revision)
                    )
                ).all()
                state.apply(rows)
                state.revision = revision
        return state


CACHE = VectorCache()


class PostgresVector:
    id = "vector"
    name = "Vector (local all-MiniLM-L6-v2, cosine in numpy)"
    priority = 2

    def available(self) -> bool:
        return embeddings.available()

    async def search(self, ctx: Any, text: str, scope: SearchScope, limit: int) -> list[Hit] | None:
        if not await embeddings.ready():
            return None
        if not text.strip() or not scope.entity_types:
            return []
        query, state = await asyncio.gather(embeddings.encode([text]), CACHE.current(ctx, scope.tenant_id))
        if state.size > THREADED_ABOVE:
            best = await asyncio.to_thread(state.top, query[0], scope, limit)
        else:
            best = state.top(query[0], scope, limit)
        return [Hit(*state.records[i], score, self.id) for i, score in best]
