"""REST routes of the partner_programs module (memberships are declared operations)."""

from openapi_compat.crud import crud_routes
from resolvers.partner_programs.programs import PROGRAM

crud_routes(PROGRAM)
