"""REST routes of the planner module: the rule-set and availability-rule CRUD (weekly and
date-specific replacement are declared operations)."""

from openapi_compat.crud import crud_routes
from resolvers.planner.entities import AVAILABILITY, RULE_SET

crud_routes(RULE_SET)
crud_routes(AVAILABILITY)
