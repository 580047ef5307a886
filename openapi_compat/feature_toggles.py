"""REST routes of the feature_toggles module: the toggle list (every other operation is declared in
``resolvers.feature_toggles``)."""

from openapi_compat.crud import crud_routes
from resolvers.feature_toggles.toggles import TOGGLE

crud_routes(TOGGLE)
