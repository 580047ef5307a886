"""REST routes of the business_rules module: rule, rule set and log CRUD/lists at their documented
paths (execution, members and nested detail reads are declared operations)."""

from openapi_compat.crud import crud_routes, item_routes
from resolvers.business_rules.entities import RULE, RULE_LOG, RULE_SET

crud_routes(RULE)
item_routes(RULE, ("GET",))
crud_routes(RULE_SET)
crud_routes(RULE_LOG)
