"""REST routes of the currencies module: the currency and exchange-rate CRUD (options, fetch
configurations and fetching are declared operations)."""

from openapi_compat.crud import crud_routes
from resolvers.currencies.entities import CURRENCY, EXCHANGE_RATE

crud_routes(CURRENCY)
crud_routes(EXCHANGE_RATE)
