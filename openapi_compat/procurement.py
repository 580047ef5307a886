"""REST routes of the procurement module: the collection CRUD of processes and their records.

Every other procurement operation (settings, rules, timeline, complete, transitions) is declared in
``resolvers.procurement`` and mounted by ``openapi_compat.operations``.
"""

from __future__ import annotations

from openapi_compat.crud import crud_routes
from resolvers.procurement.children import LINE_ITEM, SUPPLIER, TASK
from resolvers.procurement.processes import PROCESS

for _entity in (PROCESS, LINE_ITEM, SUPPLIER, TASK):
    crud_routes(_entity)
