"""REST routes of the playbooks module: the playbook CRUD (the dictionary and the match are
declared operations)."""

from openapi_compat.crud import crud_routes
from resolvers.playbooks.playbooks import PLAYBOOK

crud_routes(PLAYBOOK)
