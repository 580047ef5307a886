"""The one schema: entity-generated queries/mutations merged with per-module hand-written fields."""

from datetime import datetime
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from crmgraph.config import Settings
from crmgraph.modules import layer_modules, load_resolvers
from crmgraph.timefmt import format_datetime, parse_datetime
from resolvers.entity import ENTITIES
from schema.compiled import CompiledLists
from schema.cost import cost_limiter
from schema.entity import build_object_types, mutation_fields, query_fields
from schema.errors import DomainErrorCodes, is_domain, mask_errors
from schema.operations import operation_fields

DATETIME = strawberry.scalar(
    name="DateTime",
    serialize=format_datetime,
    parse_value=parse_datetime,
    description="UTC date and time with milliseconds, as in REST: 2025-01-01T00:00:00.000Z.",
)


class Schema(strawberry.Schema):
    """Logs only unexpected errors: domain errors (401/403/404/400...) are answers, not incidents."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        unexpected = [e for e in errors if not is_domain(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


class DuplicateField(ValueError):
    """Two declarations claim one root field name."""


def merge(into: dict[str, Any], fields: dict[str, Any], origin: str) -> None:
    """Add root fields; a name declared twice is an error at startup, never a silent replacement."""
    for name, value in fields.items():
        if name in into:
            raise DuplicateField(f"GraphQL root field {name!r} declared twice (again by {origin})")
        into[name] = value


def _compose(name: str, fields: dict[str, Any]) -> type:
    cls = type(name, (), {"__module__": __name__, **fields})
    return strawberry.type(cls)


@cache
def build_schema(settings: Settings) -> strawberry.Schema:
    load_resolvers()  # every module's entities and operations

    entities = list(ENTITIES.values())
    build_object_types(entities)
    queries: dict[str, Any] = {}
    mutations: dict[str, Any] = {}
    subscriptions: dict[str, Any] = {}
    for entity in entities:
        if entity.path is None and not entity.relations:
            continue
        merge(queries, query_fields(entity), f"entity {entity.name}")
        merge(mutations, mutation_fields(entity), f"entity {entity.name}")
    for module in layer_modules("schema"):
        if hasattr(module, "build"):
            extra_queries, extra_mutations = module.build()
            merge(queries, extra_queries, module.__name__)
            merge(mutations, extra_mutations, module.__name__)
        if hasattr(module, "subscriptions"):  # async-generator fields, served over WebSocket
            merge(subscriptions, module.subscriptions(), module.__name__)
    operation_queries, operation_mutations = operation_fields()
    merge(queries, operation_queries, "operations")
    merge(mutations, operation_mutations, "operations")
    return Schema(
        config=StrawberryConfig(scalar_map={datetime: DATETIME}),
        query=_compose("Query", queries),
        mutation=_compose("Mutation", mutations),
        subscription=_compose("Subscription", subscriptions) if subscriptions else None,
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
