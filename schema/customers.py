"""GraphQL of the customers module: entity types and CRUD come from the declarations, and every
other operation from ``resolvers.customers`` operation declarations (``schema.operations``)."""

from typing import Any


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    return {}, {}
