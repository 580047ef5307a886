"""Compiled list reads: a query made only of entity list fields runs as one SQL per root field.

When every selected field maps to a column or a declared relation (no fragments, directives or
nested arguments), the selection is turned into a
``json_build_object`` tree with correlated subqueries for the edges (each level reads its own
table alias, with the relation semantics of ``resolvers.relations`` shared with the dataloaders), scoped and permission-checked
exactly like the resolvers, and the result replaces Strawberry's per-field execution. Anything
else falls back to the normal resolvers, which stay the reference behaviour.
"""

import json
import logging
from functools import cache
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language import FragmentDefinitionNode
from graphql.utilities import get_operation_ast
from sqlalchemy import Text, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from strawberry.extensions import SchemaExtension

from crmgraph.context import RequestContext
from crmgraph.errors import DomainError
from resolvers.crud import service
from resolvers.entity import ENTITIES, Entity, Relation, camel, sql_value
from resolvers.listing import ListParams
from resolvers.relations import edge, edge_limit, source_key
from schema.entity import list_params, replaced_by_typed, snake

log = logging.getLogger("crmgraph.graphql")
PAGE_KEYS = {"total", "page", "pageSize", "totalPages"}
COUNTED = {"total", "totalPages"}  # a list counts its rows only when one of these is selected
MAX_PAIRS = 50


class Unsupported(Exception):
    """The selection needs the general executor."""


@cache
def graphql_members(entity: Entity) -> tuple[dict[str, Any], dict[str, Relation]]:
    """Readable fields and relations of an entity by their GraphQL names (the typed ``customFields``
    is not a column: read through the resolvers, which decrypt and describe the values)."""
    fields = {f.camel: f for f in entity.fields if f.read and not replaced_by_typed(entity, f)}
    return fields, {camel(r.name): r for r in entity.relations}


@cache
def list_roots() -> dict[str, Entity]:
    """Root list fields by GraphQL name (entities are all declared before the first request)."""
    return {camel(e.plural): e for e in ENTITIES.values()}


class Compiler:
    """Turns a selection into a ``json_build_object`` tree; every edge reads its own table alias."""

    def __init__(self, ctx: RequestContext, variables: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.variables = variables or {}
        self.aliases = 0

    def edge_limit(self, node: FieldNode) -> int:
        """The edge's ``limit`` argument (the only argument an edge takes), or the default."""
        requested = None
        for argument in node.arguments or ():
            if argument.name.value != "limit":
                raise Unsupported
            value = argument.value
            if isinstance(value, IntValueNode):
                requested = int(value.value)
            elif isinstance(value, VariableNode):
                requested = self.variables.get(value.name.value)
            else:
                raise Unsupported
        return edge_limit(requested)

    def _require(self, entity: Entity) -> None:
        principal = self.ctx.principal
        if principal is None or not principal.has(*entity.features.view):
            raise Unsupported  # the resolvers raise the right error

    async def object(self, entity: Entity, node: FieldNode, source: Any) -> Any:
        """The JSON object of one ``entity`` row read through ``source`` (its model or an alias)."""
        if node.selection_set is None:
            raise Unsupported
        self._require(entity)
        fields, relations = graphql_members(entity)
        pairs: list[Any] = []
        for sel in node.selection_set.selections:
            if not isinstance(sel, FieldNode) or sel.directives:
                raise Unsupported
            key, name = (sel.alias or sel.name).value, sel.name.value
            if sel.arguments and name not in relations:
                raise Unsupported
            if name == "__typename":
                value = literal(entity.graphql_name)
            elif name == "id":
                value = source.id
            elif name in fields:
                value = sql_value(fields[name], getattr(source, fields[name].attr))
            elif name in relations:
                value = await self.edge(relations[name], sel, source)
            else:
                raise Unsupported
            pairs += [literal(key), value]
        if not pairs or len(pairs) > 2 * MAX_PAIRS:
            raise Unsupported
        return func.json_build_object(*pairs)

    async def edge(self, relation: Relation, node: FieldNode, source: Any) -> Any:
        """A correlated subquery: the target object (``one``) or the JSON array of targets."""
        self.aliases += 1
        found = await edge(self.ctx, relation, f"e{self.aliases}")
        obj = await self.object(found.target, node, found.alias)
        correlated = found.key == getattr(source, source_key(relation))
        if relation.kind == "one":
            return found.select(obj).where(correlated).limit(1).scalar_subquery()
        first = found.select(obj.label("item"), found.alias.id.label("ord")).where(correlated)
        first = first.correlate(source).limit(self.edge_limit(node)).subquery()
        items = func.json_agg(aggregate_order_by(first.c.item, first.c.ord))
        return select(func.coalesce(items, literal_column("'[]'::json"))).select_from(first).scalar_subquery()


async def run_compiled(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict | None,
    ctx: RequestContext,
) -> ExecutionResult | None:
    """Execute the operation compiled, or return None when it must go through the resolvers."""
    if document is None or any(isinstance(d, FragmentDefinitionNode) for d in document.definitions):
        return None
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode) or operation.operation != OperationType.QUERY:
        return None
    if ctx.principal is None or operation.directives:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None
    roots = list_roots()
    compiler = Compiler(ctx, coerced)
    data: dict[str, Any] = {}
    try:
        for node in operation.selection_set.selections:
            if not isinstance(node, FieldNode) or node.directives or node.name.value not in roots:
                return None
            entity = roots[node.name.value]
            field_def = schema.query_type.fields[node.name.value]
            args = get_argument_values(field_def, node, coerced)
            params = list_params(entity, {snake(name): value for name, value in args.items()})
            data[(node.alias or node.name).value] = await compile_page(compiler, entity, node, params)
    except (Unsupported, DomainError):
        return None
    except Exception:  # a compiler bug must not cost the caller an answer: the resolvers give it
        log.exception("compiled execution failed; falling back to the resolvers")
        return None
    ctx.cache["compiled"] = True
    return ExecutionResult(data=data, errors=None)


async def compile_page(
    compiler: Compiler, entity: Entity, node: FieldNode, params: ListParams
) -> dict[str, Any]:
    if node.selection_set is None:
        raise Unsupported
    items_node = None
    for sel in node.selection_set.selections:
        if not isinstance(sel, FieldNode) or sel.directives or sel.arguments:
            raise Unsupported
        if sel.name.value == "items":
            if items_node is not None:
                raise Unsupported
            items_node = sel
        elif sel.name.value not in PAGE_KEYS | {"__typename"}:
            raise Unsupported
    compiler._require(entity)
    count = any(sel.name.value in COUNTED for sel in node.selection_set.selections)
    columns = entity.model.id
    if items_node is not None:
        columns = cast(await compiler.object(entity, items_node, entity.model), Text)
    page = await service(entity).page(compiler.ctx, params, select(columns), count=count)
    values = {
        "items": [json.loads(text) for text in page.items] if items_node is not None else [],
        "total": page.total,
        "page": page.page,
        "pageSize": page.page_size,
        "totalPages": page.total_pages,
        "__typename": f"{entity.graphql_name}Page",
    }
    return {(sel.alias or sel.name).value: values[sel.name.value] for sel in node.selection_set.selections}


class CompiledLists(SchemaExtension):
    """Short-circuits execution with the compiled result when the operation qualifies."""

    async def on_execute(self):  # type: ignore[override]
        ec = self.execution_context
        ctx = ec.context
        if isinstance(ctx, RequestContext) and not ec.result:
            result = await run_compiled(
                ec.schema._schema, ec.graphql_document, ec.operation_name, ec.variables, ctx
            )
            if result is not None:
                ec.result = result
        yield
