"""The one schema: entity-generated queries/mutations merged with per-module hand-written fields."""

from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from crmgraph.config import Settings
from resolvers.entity import ENTITIES
from schema import api_keys, auth, customers
from schema.compiled import CompiledLists
from schema.cost import cost_limiter
from schema.entity import build_object_types, mutation_fields, query_fields
from schema.errors import DomainErrorCodes, is_domain, mask_errors

MODULES = [auth, api_keys, customers]


class Schema(strawberry.Schema):
    """Logs only unexpected errors: domain errors (401/403/404/400...) are answers, not incidents."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        unexpected = [e for e in errors if not is_domain(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def _compose(name: str, fields: dict[str, Any]) -> type:
    cls = type(name, (), {"__module__": __name__, **fields})
    return strawberry.type(cls)


@cache
def build_schema(settings: Settings) -> strawberry.Schema:
    import openapi_compat.registry  # noqa: F401 - registers every module's entities

    entities = list(ENTITIES.values())
    build_object_types(entities)
    queries: dict[str, Any] = {}
    mutations: dict[str, Any] = {}
    for entity in entities:
        if entity.path is None and not entity.relations:
            continue
        queries.update(query_fields(entity))
        mutations.update(mutation_fields(entity))
    for module in MODULES:
        extra_queries, extra_mutations = module.build()
        queries.update(extra_queries)
        mutations.update(extra_mutations)
    return Schema(
        query=_compose("Query", queries),
        mutation=_compose("Mutation", mutations),
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            lambda: AddValidationRules([cost_limiter(settings.graphql_max_cost)]),
            DomainErrorCodes,
            mask_errors,
            *([CompiledLists] if settings.graphql_compile else []),
        ],
    )
