"""REST routes of the scheduler module: the scheduled-job CRUD (runs, trigger, queue jobs and targets
are declared operations in ``resolvers.scheduler``)."""

from openapi_compat.crud import crud_routes
from resolvers.scheduler.jobs import SCHEDULE

crud_routes(SCHEDULE)
