"""REST routes of the progress module: the jobs list and create; the other operations are declared
in ``resolvers.progress`` and mounted by ``openapi_compat.operations``."""

from openapi_compat.crud import crud_routes
from resolvers.progress.jobs import PROGRESS_JOB

crud_routes(PROGRESS_JOB)
