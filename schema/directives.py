"""Schema directives that document access rules in the SDL (checked by the resolvers' layer)."""

import strawberry
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Features the caller must hold (checked by the operation, REST and GraphQL alike).",
)
class RequiresFeatures:
    features: list[str]
