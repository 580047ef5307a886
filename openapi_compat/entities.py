"""REST routes of the entities module: ``GET /entities/records`` (a page, or an export file); every
other operation is declared in ``resolvers.entities`` and mounted by ``openapi_compat.operations``."""

from typing import Any

from aiohttp import web

from openapi_compat.routing import RestRequest, route
from resolvers.entities.exports import Export
from resolvers.entities.records import list_records


@route("GET", "/entities/records", features=["entities.records.view"], enforce=False)
async def records(request: RestRequest) -> Any:
    """Records of ``entityId`` (``cf_<key>`` filters, ``withDeleted``, ``format`` exports)."""
    result = await list_records(request.ctx, request.query)
    if isinstance(result, Export):
        disposition = f'attachment; filename="{result.filename}"'
        return web.Response(
            text=result.body, content_type=result.content_type, headers={"Content-Disposition": disposition}
        )
    return result
