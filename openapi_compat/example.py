"""REST routes of the example module: the todo list (``withDeleted``, CSV export) and the CRUD of
todos and customer priorities (the rest are declared operations)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from openapi_compat.crud import crud_routes, raw_page
from openapi_compat.routing import RestRequest, route
from resolvers.example.priorities import CUSTOMER_PRIORITY
from resolvers.example.todos import TODO, CsvExport, list_todos

crud_routes(TODO, verbs=("POST", "PUT", "DELETE"))
crud_routes(CUSTOMER_PRIORITY)


@route("GET", TODO.path, entity=TODO, features=TODO.features.view, enforce=False)
async def list_items(request: RestRequest) -> Any:
    """Returns a paginated collection of todos (``withDeleted``: soft-deleted too; ``format=csv``)."""
    result = await list_todos(request.ctx, request.query)
    if isinstance(result, CsvExport):
        disposition = f'attachment; filename="{result.filename}"'
        return web.Response(
            text=result.text, content_type="text/csv", headers={"Content-Disposition": disposition}
        )
    return raw_page(result)
