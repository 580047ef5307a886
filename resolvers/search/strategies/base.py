"""The one interface every search strategy implements, and what it is given.

A strategy finds index documents for a query text within a :class:`SearchScope` (tenant,
organizations, entity types and view features the caller holds) and answers ranked :class:`Hit` s.
Scoping is part of every strategy's own query, so a strategy never even ranks a document the caller
may not see; ``resolvers.search.service`` then checks the records themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class SearchScope:
    tenant_id: uuid.UUID
    org_ids: frozenset[uuid.UUID] | None  # None: every organization of the tenant
    entity_types: tuple[str, ...]  # requested and viewable
    tenant_level_types: tuple[str, ...]  # entity types whose documents have no organization
    granted_features: tuple[str, ...]  # the documents' view features the caller holds

    def allows(self, entity_type: str, organization_id: uuid.UUID | None, features: Any = ()) -> bool:
        """The same rule as the strategies' queries, for one document (used by tests and caches)."""
        if entity_type not in self.entity_types or not set(features) <= set(self.granted_features):
            return False
        if self.org_ids is None:
            return True
        if organization_id is None:
            return entity_type in self.tenant_level_types
        return organization_id in self.org_ids


@dataclass(frozen=True)
class Hit:
    entity_type: str
    record_id: uuid.UUID
    score: float
    strategy: str


class Strategy(Protocol):
    id: str  # fulltext | vector | tokens
    name: str
    priority: int

    def available(self) -> bool: ...

    async def search(self, ctx: Any, text: str, scope: SearchScope, limit: int) -> list[Hit] | None:
        """Ranked hits; None when the strategy cannot answer right now (its model still loading)."""
        ...
