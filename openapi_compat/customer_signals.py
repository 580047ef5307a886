"""REST routes of the customer_signals module: the list (ingestion is a declared operation)."""

from openapi_compat.crud import crud_routes
from resolvers.customer_signals import SIGNAL

crud_routes(SIGNAL)
