"""One registry: features declared once and equal to the documented ones, no silent collisions."""

from __future__ import annotations

import pytest
import strawberry

from crmgraph.catalog import documented
from openapi_compat.mount import register_routes
from openapi_compat.routing import REGISTRY, DuplicateRoute, route
from resolvers.operations import OPERATIONS, Operation
from schema.root import DuplicateField, merge

register_routes()  # every module's routes, entities and operations


def declared_routes() -> list:
    """Routes whose features are declared in code (an operation or an entity), not copied from the catalog."""
    return [
        op
        for op in REGISTRY.values()
        if op.operation is not None or (op.entity is not None and not op.enforce)
    ]


@pytest.mark.parametrize("route_", declared_routes(), ids=lambda op: f"{op.method} {op.path}")
def test_declared_features_equal_the_documented_ones(route_):
    doc = documented(route_.method, route_.path)
    assert doc is not None, "every served route is documented"
    assert sorted(route_.features) == sorted(doc["features"])


def test_every_operation_binding_is_served_and_declared_once():
    for op in OPERATIONS.values():
        for binding in op.rest:
            assert REGISTRY[(binding.method, binding.path)].operation is op


def test_a_second_route_for_a_served_path_fails():
    with pytest.raises(DuplicateRoute):
        route("GET", "/customers/people")(lambda request: None)


def test_a_second_operation_with_the_same_name_fails():
    existing = next(iter(OPERATIONS.values()))

    async def handler(ctx):
        return None

    with pytest.raises(ValueError, match="declared by"):
        Operation(existing.name, "elsewhere", handler)
    assert OPERATIONS[existing.name] is existing


def test_a_root_field_declared_twice_fails():
    fields = {"tags": object()}
    with pytest.raises(DuplicateField):
        merge(fields, {"tags": object()}, "another module")


@strawberry.type(name="Tag")
class CustomersTag:
    label: str


@strawberry.type(name="Tag")
class CatalogTag:
    code: int


@strawberry.type
class TwoTags:
    customers: CustomersTag
    catalog: CatalogTag


def test_two_types_with_one_name_fail():
    with pytest.raises(Exception, match="Tag"):
        strawberry.Schema(query=TwoTags)
