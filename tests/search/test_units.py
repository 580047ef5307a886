"""The pieces without a server: weighted reciprocal rank fusion, the scope rule, the documents, the
full-text query syntax and the OpenSearch mapping and query builders."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from crmgraph.modules import load_resolvers
from resolvers.entity import ENTITIES
from resolvers.search import embeddings
from resolvers.search.documents import document, entity_for_event, hashed_tokens, indexable, words
from resolvers.search.strategies import opensearch
from resolvers.search.strategies.base import Hit, SearchScope
from resolvers.search.strategies.fusion import RRF_K, WEIGHTS, fuse
from resolvers.search.strategies.postgres import prefix_tsquery

load_resolvers()
A, B, C = (uuid.uuid4() for _ in range(3))
ORG, OTHER_ORG, TENANT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def hits(strategy: str, *ids: uuid.UUID) -> list[Hit]:
    return [Hit("customers:person", i, 1.0, strategy) for i in ids]


def test_fusion_is_weighted_reciprocal_rank():
    assert WEIGHTS == {"fulltext": 1.2, "vector": 1.0, "tokens": 0.8}
    fused = fuse(
        {"fulltext": hits("fulltext", A, B), "vector": hits("vector", B, C), "tokens": hits("tokens", C)}
    )
    scores = {f.record_id: f.score for f in fused}
    assert scores[A] == 1.2 / (RRF_K + 1)
    assert scores[B] == 1.2 / (RRF_K + 2) + 1.0 / (RRF_K + 1)
    assert scores[C] == 1.0 / (RRF_K + 2) + 0.8 / (RRF_K + 1)
    assert [f.record_id for f in fused] == [B, C, A]
    # The source is the biggest contribution: 1.2/62 > 1.0/61 and 1.0/62 > 0.8/61.
    assert {f.record_id: f.source for f in fused} == {A: "fulltext", B: "fulltext", C: "vector"}


def test_fusion_prefers_fulltext_over_vector_over_tokens_at_equal_rank():
    fused = fuse({"tokens": hits("tokens", C), "vector": hits("vector", B), "fulltext": hits("fulltext", A)})
    assert [f.record_id for f in fused] == [A, B, C]


def scope(org_ids=None, types=("customers:person",), tenant_level=()) -> SearchScope:
    return SearchScope(TENANT, org_ids, types, tenant_level, ("customers.people.view",))


def test_scope_rule():
    features = ("customers.people.view",)
    assert scope().allows("customers:person", OTHER_ORG, features)
    assert not scope().allows("customers:company", ORG, features)
    assert not scope().allows("customers:person", ORG, ("customers.people.view", "x.view"))
    limited = scope(
        frozenset({ORG}), ("customers:person", "directory:organization"), ("directory:organization",)
    )
    assert limited.allows("customers:person", ORG, features)
    assert not limited.allows("customers:person", OTHER_ORG, features)
    assert not limited.allows("customers:person", None, features)
    assert limited.allows("directory:organization", None, ())


def test_every_tenant_owned_entity_with_text_is_indexed():
    kinds = indexable()
    assert {
        "customers:person",
        "customers:company",
        "customers:deal",
        "cases:case",
        "resources:resource",
    } <= set(kinds)
    assert "directory:tenant" not in kinds and "auth:role" not in kinds  # not owned by one tenant
    assert entity_for_event("customers.person.updated") is ENTITIES["person"]
    assert entity_for_event("customers.person_x.updated") is None
    assert entity_for_event("search.index_job.started") is None


def test_document_of_a_record():
    row = SimpleNamespace(
        id=A,
        tenant_id=TENANT,
        organization_id=ORG,
        display_name="Jan Kowalski",
        primary_email="jan@example.com",
        description="Rides a Ducati",
        pesel="90010112345",
    )
    doc = document(ENTITIES["person"], row)
    assert (doc.entity_type, doc.record_id, doc.organization_id) == ("customers:person", A, ORG)
    assert doc.title == "Jan Kowalski"
    assert doc.text == "jan@example.com\nRides a Ducati"  # search fields, then free text; no PESEL
    assert doc.view_features == ("customers.people.view",)
    assert "kowalski" not in "".join(doc.tokens) and len(doc.tokens) == len(words(doc.title + " " + doc.text))
    assert hashed_tokens("Kowalski") == hashed_tokens("KOWALSKI")


def test_fulltext_query_syntax_is_built_from_words_only():
    assert prefix_tsquery("Jan  Kowal") == "jan:* & kowal:*"
    assert prefix_tsquery("a:* | !(b) & 'c'") is None  # single characters only: nothing to search
    assert prefix_tsquery("foo:* | !bar") == "foo:* & bar:*"


def test_opensearch_mapping():
    body = opensearch.index_body()
    properties = body["mappings"]["properties"]
    assert body["settings"]["index"]["knn"] is True
    assert properties["embedding"]["type"] == "knn_vector"
    assert properties["embedding"]["dimension"] == embeddings.DIMENSION
    assert properties["embedding"]["method"]["space_type"] == "cosinesimil"
    for keyword in ("tenant_id", "organization_id", "entity_type", "record_id", "view_features"):
        assert properties[keyword]["type"] == "keyword"
    assert properties["title"]["fields"]["prefix"]["analyzer"] == "prefixed"
    assert opensearch.index_name(SimpleNamespace(deployment_id="Crm-1")) == "crmgraph-crm-1-search"


def _filters(query: dict) -> list[dict]:
    return query["query"]["bool"]["filter"]


def test_opensearch_queries_carry_the_whole_scope():
    limited = scope(frozenset({ORG}), ("customers:person",), ())
    query = opensearch.fulltext_query("kowalski", limited, 7)
    assert query["size"] == 7
    tenant, types, features, orgs = _filters(query)
    assert tenant == {"term": {"tenant_id": str(TENANT)}}
    assert types == {"terms": {"entity_type": ["customers:person"]}}
    terms_set = features["bool"]["should"][0]["terms_set"]["view_features"]
    assert terms_set == {
        "terms": ["customers.people.view"],
        "minimum_should_match_field": "view_feature_count",
    }
    assert orgs["bool"]["should"][0] == {"terms": {"organization_id": [str(ORG)]}}
    assert query["query"]["bool"]["should"][0]["multi_match"]["fuzziness"] == "AUTO"

    vector = opensearch.vector_query([0.5] * 3, scope(), 5)
    knn = vector["query"]["knn"]["embedding"]
    assert knn["k"] == 5 and knn["vector"] == [0.5, 0.5, 0.5]
    assert len(knn["filter"]["bool"]["filter"]) == 3  # every organization: no organization clause


def test_opensearch_documents_and_bulk_actions():
    row = SimpleNamespace(id=A, tenant_id=TENANT, organization_id=None, name="HQ", slug="hq")
    doc = document(ENTITIES["organization"], row)
    body = opensearch.document_body(doc, [0.25, 0.5])
    assert body["organization_id"] == opensearch.NO_ORG and body["view_feature_count"] == 1
    assert body["embedding"] == [0.25, 0.5]
    (action,) = opensearch.bulk_actions("idx", [(doc, None)])
    assert action["_id"] == f"directory:organization:{A}" and "embedding" not in action["_source"]
    assert opensearch.delete_actions("idx", [("customers:person", B)]) == [
        {"_op_type": "delete", "_index": "idx", "_id": f"customers:person:{B}"}
    ]
    response = {"hits": {"hits": [{"_score": 2.5, "_source": {"entity_type": "x:y", "record_id": str(C)}}]}}
    assert opensearch.hits(response, "fulltext") == [Hit("x:y", C, 2.5, "fulltext")]
