"""The customers module: people, companies, deals, pipelines, timeline records, tags, dictionaries,
settings, dashboard widgets, lead injection and the VAT registry lookup.

Importing this package registers every customers entity (REST, GraphQL and OpenAPI derive from them).
"""

from resolvers.customers import (  # noqa: F401 - importing registers the entities
    deals,
    detail,
    dictionaries,
    inject,
    interactions,
    people,
    pipelines,
    registry,
    settings,
    tags,
    timeline,
    widgets,
)
