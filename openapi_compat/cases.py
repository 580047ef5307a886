"""REST routes of the cases module: the case CRUD; every other operation is declared in
``resolvers.cases`` and mounted by ``openapi_compat.operations``."""

from openapi_compat.crud import crud_routes
from resolvers.cases.cases import CASE

crud_routes(CASE)
