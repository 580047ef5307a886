"""Which backend serves full-text and vector search (``SEARCH_BACKEND``): PostgreSQL (default) or
OpenSearch. Tokens always come from PostgreSQL, and ``search_documents`` is always written: it is the
index the status counts, the tokens store and, with OpenSearch, the source a reindex copies from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from resolvers.search.strategies.base import Strategy
from resolvers.search.strategies.opensearch import OpenSearchFullText, OpenSearchIndex, OpenSearchVector
from resolvers.search.strategies.postgres import PostgresFullText, PostgresTokens
from resolvers.search.strategies.vector import PostgresVector

STRATEGY_IDS = ("fulltext", "vector", "tokens")


@dataclass
class Backend:
    id: str
    strategies: dict[str, Strategy]
    mirror: OpenSearchIndex | None = None  # where documents are copied besides ``search_documents``

    def available(self) -> list[str]:
        return [s for s in STRATEGY_IDS if s in self.strategies and self.strategies[s].available()]


@cache
def backend_for(settings: Any) -> Backend:
    if settings.search_backend == "opensearch":
        index = OpenSearchIndex(settings)
        strategies: dict[str, Strategy] = {
            "fulltext": OpenSearchFullText(index),
            "vector": OpenSearchVector(index),
            "tokens": PostgresTokens(),
        }
        return Backend("opensearch", strategies, index)
    return Backend(
        "postgres", {"fulltext": PostgresFullText(), "vector": PostgresVector(), "tokens": PostgresTokens()}
    )
