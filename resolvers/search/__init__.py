"""The search module: an index document per record of every declared entity (full-text, tokens and
vector stores), kept current by an outbox subscriber and rebuilt by reindex jobs; searched by
strategies behind one interface (PostgreSQL full-text with trigrams, hashed tokens, local-model
vectors; or OpenSearch with ``SEARCH_BACKEND=opensearch``) whose rankings are merged by weighted
reciprocal rank fusion.

Importing this package registers the operations and the subscriber.
"""

from resolvers.search import operations, settings, subscriber  # noqa: F401 - importing registers them
