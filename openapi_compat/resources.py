"""REST routes of the resources module: CRUD derived from the entity declarations. The tag
assignment, gallery and accessory-link operations are declared in ``resolvers.resources`` and
mounted by ``openapi_compat.operations``."""

from __future__ import annotations

from openapi_compat.crud import crud_routes
from resolvers.resources.catalog import RESOURCE, RESOURCE_TAG, RESOURCE_TYPE
from resolvers.resources.timeline import RESOURCE_ACTIVITY, RESOURCE_COMMENT, SERVICE_BOOK_ENTRY

for _entity in (
    RESOURCE,
    RESOURCE_TYPE,
    RESOURCE_TAG,
    SERVICE_BOOK_ENTRY,
    RESOURCE_ACTIVITY,
    RESOURCE_COMMENT,
):
    crud_routes(_entity)
