"""REST routes of the data sync module: mapping and schedule CRUD with their item paths, the run
list and detail (run/cancel/retry/validate/options are declared operations in ``resolvers.data_sync``)."""

from openapi_compat.crud import crud_routes, item_routes
from resolvers.data_sync.entities import MAPPING, RUN_ENTITY, SCHEDULE

for _entity in (MAPPING, SCHEDULE):
    crud_routes(_entity, ("GET", "POST"))
    item_routes(_entity)
crud_routes(RUN_ENTITY, ("GET",))
item_routes(RUN_ENTITY, ("GET",))
