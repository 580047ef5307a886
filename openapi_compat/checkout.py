"""REST routes of the checkout module: the link and template CRUD with their item paths, and the
transaction list and detail (the pay pages, the preview and the gateway lookup are declared
operations in ``resolvers.checkout``)."""

from openapi_compat.crud import crud_routes, item_routes
from resolvers.checkout.entities import CHECKOUT_LINK, CHECKOUT_TEMPLATE, CHECKOUT_TRANSACTION

for _entity in (CHECKOUT_LINK, CHECKOUT_TEMPLATE):
    crud_routes(_entity)
    item_routes(_entity)
crud_routes(CHECKOUT_TRANSACTION)
item_routes(CHECKOUT_TRANSACTION, ("GET",))
