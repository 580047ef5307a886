"""REST routes of the accounting module: the selling entity and invoice CRUD (the next-number
preview and the bank account lookup are declared operations)."""

from openapi_compat.crud import crud_routes
from resolvers.accounting.entities import INVOICE, SELLING_ENTITY

crud_routes(SELLING_ENTITY)
crud_routes(INVOICE)
