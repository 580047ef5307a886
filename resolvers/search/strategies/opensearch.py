"""The OpenSearch backend (``SEARCH_BACKEND=opensearch``): full-text and vector search served by an
OpenSearch index that mirrors ``search_documents``.

One index per deployment holds every tenant's documents; each query filters on tenant, entity types,
organizations and view features exactly as the PostgreSQL strategies do (``scope_filter``). The index
mapping, the document body and the queries are plain builders (unit-tested without a server); the
client calls are few: create the index, bulk index/delete, search.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from resolvers.search import embeddings
from resolvers.search.documents import IndexDocument
from resolvers.search.strategies.base import Hit, SearchScope

NO_ORG = "none"


def index_name(settings: Any) -> str:
    return f"crmgraph-{settings.deployment_id}-search".lower()


def index_body() -> dict[str, Any]:
    """Settings and mapping: keyword fields for scoping, analysed text (with an edge n-gram sub-field
    for prefixes) for full-text, a lucene HNSW ``knn_vector`` (cosine) for the embeddings."""
    return {
        "settings": {
            "index": {"knn": True, "number_of_shards": 1},
            "analysis": {
                "filter": {"prefixes": {"type": "edge_ngram", "min_gram": 2, "max_gram": 15}},
                "analyzer": {
                    "folded": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding"],
                    },
                    "prefixed": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding", "prefixes"],
                    },
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "tenant_id": {"type": "keyword"},
                "organization_id": {"type": "keyword"},
                "entity_type": {"type": "keyword"},
                "record_id": {"type": "keyword"},
                "view_features": {"type": "keyword"},
                "view_feature_count": {"type": "integer"},
                "title": {
                    "type": "text",
                    "analyzer": "folded",
                    "fields": {
                        "prefix": {"type": "text", "analyzer": "prefixed", "search_analyzer": "folded"}
                    },
                },
                "text": {"type": "text", "analyzer": "folded"},
                "embedding": {
                    "type": "knn_vector",
                    "dimension": embeddings.DIMENSION,
                    "method": {"name": "hnsw", "space_type": "cosinesimil", "engine": "lucene"},
                },
            },
        },
    }


def document_id(entity_type: str, record_id: uuid.UUID | str) -> str:
    return f"{entity_type}:{record_id}"


def document_body(doc: IndexDocument, embedding: Sequence[float] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tenant_id": str(doc.tenant_id),
        "organization_id": str(doc.organization_id) if doc.organization_id else NO_ORG,
        "entity_type": doc.entity_type,
        "record_id": str(doc.record_id),
        "view_features": list(doc.view_features),
        "view_feature_count": len(doc.view_features),
        "title": doc.title,
        "text": doc.text,
    }
    if embedding is not None:
        body["embedding"] = [float(x) for x in embedding]
    return body


def bulk_actions(index: str, docs: Iterable[tuple[IndexDocument, Sequence[float] | None]]) -> list[dict]:
    return [
        {
            "_op_type": "index",
            "_index": index,
            "_id": document_id(d.entity_type, d.record_id),
            "_source": body,
        }
        for d, vector in docs
        for body in (document_body(d, vector),)
    ]


def delete_actions(index: str, keys: Iterable[tuple[str, uuid.UUID]]) -> list[dict]:
    return [{"_op_type": "delete", "_index": index, "_id": document_id(t, r)} for t, r in keys]


def scope_filter(scope: SearchScope) -> list[dict[str, Any]]:
    """Filter clauses: tenant, entity types, every view feature held, organizations."""
    features_held = {
        "bool": {
            "should": [
                {
                    "terms_set": {
                        "view_features": {
                            "terms": list(scope.granted_features),
                            "minimum_should_match_field": "view_feature_count",
                        }
                    }
                },
                {"term": {"view_feature_count": 0}},
            ],
            "minimum_should_match": 1,
        }
    }
    clauses: list[dict[str, Any]] = [
        {"term": {"tenant_id": str(scope.tenant_id)}},
        {"terms": {"entity_type": list(scope.entity_types)}},
        features_held,
    ]
    if scope.org_ids is not None:
        clauses.append(
            {
                "bool": {
                    "should": [
                        {"terms": {"organization_id": sorted(str(o) for o in scope.org_ids)}},
                        {
                            "bool": {
                                "filter": [
                                    {"term": {"organization_id": NO_ORG}},
                                    {"terms": {"entity_type": list(scope.tenant_level_types)}},
                                ]
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    return clauses


def fulltext_query(text: str, scope: SearchScope, limit: int) -> dict[str, Any]:
    """Words (any order, typo tolerant) over title and text, prefixes on the title."""
    return {
        "size": limit,
        "_source": ["entity_type", "record_id"],
        "query": {
            "bool": {
                "filter": scope_filter(scope),
                "should": [
                    {
                        "multi_match": {
                            "query": text,
                            "fields": ["title^3", "text"],
                            "fuzziness": "AUTO",
                            "operator": "and",
                        }
                    },
                    {"match": {"title.prefix": {"query": text, "operator": "and"}}},
                ],
                "minimum_should_match": 1,
            }
        },
    }


def vector_query(vector: Sequence[float], scope: SearchScope, limit: int) -> dict[str, Any]:
    """Approximate k-NN with the scope as an efficient (pre-)filter of the lucene engine."""
    return {
        "size": limit,
        "_source": ["entity_type", "record_id"],
        "query": {
            "knn": {
                "embedding": {
                    "vector": [float(x) for x in vector],
                    "k": limit,
                    "filter": {"bool": {"filter": scope_filter(scope)}},
                }
            }
        },
    }


def hits(response: dict[str, Any], strategy: str) -> list[Hit]:
    return [
        Hit(h["_source"]["entity_type"], uuid.UUID(h["_source"]["record_id"]), float(h["_score"]), strategy)
        for h in response.get("hits", {}).get("hits", [])
    ]


class OpenSearchIndex:
    """The deployment's index: created on first use, written in bulk, searched."""

    def __init__(self, settings: Any) -> None:
        self.url = settings.opensearch_url
        self.name = index_name(settings)
        self._client: Any = None
        self._ready = False
        self._lock = asyncio.Lock()

    def client(self) -> Any:
        if self._client is None:
            from opensearchpy import AsyncOpenSearch

            self._client = AsyncOpenSearch(hosts=[self.url], timeout=10)
        return self._client

    async def ensure(self) -> None:
        async with self._lock:
            if self._ready:
                return
            client = self.client()
            if not await client.indices.exists(index=self.name):
                await client.indices.create(index=self.name, body=index_body())
            self._ready = True

    async def write(self, actions: list[dict[str, Any]]) -> None:
        if not actions:
            return
        from opensearchpy.helpers import async_bulk

        await self.ensure()
        await async_bulk(self.client(), actions, raise_on_error=False, refresh="wait_for")

    async def index(self, docs: Iterable[tuple[IndexDocument, Sequence[float] | None]]) -> None:
        await self.write(bulk_actions(self.name, docs))

    async def remove(self, keys: Iterable[tuple[str, uuid.UUID]]) -> None:
        await self.write(delete_actions(self.name, keys))

    async def purge(
        self, tenant_id: uuid.UUID, entity_type: str | None, org_ids: Iterable[Any] | None
    ) -> None:
        await self.ensure()
        clauses: list[dict[str, Any]] = [{"term": {"tenant_id": str(tenant_id)}}]
        if entity_type:
            clauses.append({"term": {"entity_type": entity_type}})
        if org_ids is not None:
            clauses.append({"terms": {"organization_id": sorted(str(o) for o in org_ids)}})
        await self.client().delete_by_query(
            index=self.name, body={"query": {"bool": {"filter": clauses}}}, refresh=True, conflicts="proceed"
        )

    async def drop_vectors(
        self, tenant_id: uuid.UUID, entity_type: str, org_ids: Iterable[Any] | None
    ) -> None:
        """Remove the embeddings (the documents stay for full-text)."""
        await self.ensure()
        clauses: list[dict[str, Any]] = [
            {"term": {"tenant_id": str(tenant_id)}},
            {"term": {"entity_type": entity_type}},
        ]
        if org_ids is not None:
            clauses.append({"terms": {"organization_id": sorted(str(o) for o in org_ids)}})
        await self.client().update_by_query(
            index=self.name,
            body={
                "query": {"bool": {"filter": clauses}},
                "script": {"source": "ctx._source.remove('embedding')", "lang": "painless"},
            },
            refresh=True,
            conflicts="proceed",
        )

    async def search(self, body: dict[str, Any]) -> dict[str, Any]:
        await self.ensure()
        return await self.client().search(index=self.name, body=body)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


class OpenSearchFullText:
    id = "fulltext"
    name = "Full-text (OpenSearch)"
    priority = 1

    def __init__(self, index: OpenSearchIndex) -> None:
        self.index = index

    def available(self) -> bool:
        return True

    async def search(self, ctx: Any, text: str, scope: SearchScope, limit: int) -> list[Hit]:
        if not text.strip() or not scope.entity_types:
            return []
        return hits(await self.index.search(fulltext_query(text, scope, limit)), self.id)


class OpenSearchVector:
    id = "vector"
    name = "Vector (OpenSearch k-NN, local all-MiniLM-L6-v2)"
    priority = 2

    def __init__(self, index: OpenSearchIndex) -> None:
        self.index = index

    def available(self) -> bool:
        return embeddings.available()

    async def search(self, ctx: Any, text: str, scope: SearchScope, limit: int) -> list[Hit] | None:
        if not await embeddings.ready():
            return None
        if not text.strip() or not scope.entity_types:
            return []
        vector = (await embeddings.encode([text]))[0]
        return hits(await self.index.search(vector_query(vector, scope, limit)), self.id)
