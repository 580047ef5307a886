"""REST routes of the catalog module: the CRUD of its entities at their documented paths (product
media, dictionaries and bulk delete are declared operations)."""

from openapi_compat.crud import crud_routes
from resolvers.catalog.categories import CATEGORY
from resolvers.catalog.pricing import PRICE
from resolvers.catalog.products import OFFER, PRODUCT, UNIT_CONVERSION, VARIANT
from resolvers.catalog.settings import OPTION_SCHEMA, PRICE_KIND, SERVICE_LINE, TAG

for entity in (
    CATEGORY,
    PRODUCT,
    VARIANT,
    OFFER,
    PRICE,
    PRICE_KIND,
    UNIT_CONVERSION,
    SERVICE_LINE,
    OPTION_SCHEMA,
    TAG,
):
    crud_routes(entity)
