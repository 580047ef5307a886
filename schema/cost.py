"""Query cost limit: every field costs 1 times the rows it may be resolved for.

A field with a ``pageSize`` argument multiplies its subtree by that size (variables count as the
maximum page size, an omitted one as the default); a list edge multiplies by its ``limit``
(likewise, ``EDGE_LIMIT`` when omitted), the most rows it returns. A query whose cost is
above the limit is rejected before execution.
"""

from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

from resolvers.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from resolvers.relations import EDGE_LIMIT, EDGE_LIMIT_MAX, edge_limit


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


def _page_size(node: FieldNode, field: Any) -> int | None:
    if "pageSize" not in field.args:
        return None
    for argument in node.arguments or ():
        if argument.name.value == "pageSize":
            if isinstance(argument.value, IntValueNode):
                return max(1, min(MAX_PAGE_SIZE, int(argument.value.value)))
            return MAX_PAGE_SIZE
    return DEFAULT_PAGE_SIZE


def _edge_limit(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "limit":
            if isinstance(argument.value, IntValueNode):
                return edge_limit(int(argument.value.value))
            return EDGE_LIMIT_MAX
    return EDGE_LIMIT


@cache
def cost_limiter(max_cost: int) -> type[ValidationRule]:
    class QueryCostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = {"query": schema.query_type, "mutation": schema.mutation_type}.get(node.operation.value)
            if root is None:
                return
            cost = self._cost(node.selection_set, root, 1, set())
            if cost > max_cost:
                self.report_error(GraphQLError(f"Query cost {cost} exceeds the maximum of {max_cost}.", node))

        def _cost(self, selections: SelectionSetNode | None, parent: Any, mult: int, seen: set[str]) -> int:
            if selections is None or not isinstance(parent, GraphQLObjectType):
                return 0
            total = 0
            for sel in selections.selections:
                if isinstance(sel, FieldNode):
                    field = parent.fields.get(sel.name.value)
                    if field is None:
                        continue
                    child_type, is_list = _unwrap(field.type)
                    size = _page_size(sel, field)
                    if size is not None:
                        child_mult = mult * size
                    elif (
                        is_list
                        and isinstance(child_type, GraphQLObjectType)
                        and not parent.name.endswith("Page")
                    ):
                        child_mult = mult * _edge_limit(sel)
                    else:
                        child_mult = mult
                    total += mult + self._cost(sel.selection_set, child_type, child_mult, seen)
                elif isinstance(sel, InlineFragmentNode):
                    target = (
                        self.context.schema.get_type(sel.type_condition.name.value)
                        if sel.type_condition
                        else parent
                    )
                    total += self._cost(sel.selection_set, target, mult, seen)
                elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                    fragment = self.context.get_fragment(sel.name.value)
                    if fragment is not None:
                        target = self.context.schema.get_type(fragment.type_condition.name.value)
                        total += self._cost(fragment.selection_set, target, mult, seen | {sel.name.value})
            return total

    return QueryCostLimit


__all__ = ["DEFAULT_PAGE_SIZE", "EDGE_LIMIT", "cost_limiter"]
