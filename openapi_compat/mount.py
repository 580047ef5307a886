"""The REST adapter: every module's documented routes under ``/api``, the OpenAPI document and
its HTML index."""

from functools import cache

from aiohttp import web

from crmgraph.config import Settings
from crmgraph.modules import layer_modules
from openapi_compat.operations import mount_operations
from openapi_compat.routing import mount


@cache
def register_routes() -> None:
    """Declare every module's routes once: hand-written ones (``openapi_compat.<module>``, which
    also mount the entities' CRUD) and the declared operations."""
    layer_modules("openapi_compat")
    mount_operations()


async def openapi_json(request: web.Request) -> web.Response:
    from openapi_compat.openapi import document

    return web.json_response(document())


async def docs(request: web.Request) -> web.Response:
    from openapi_compat.openapi import docs_page

    return web.Response(text=docs_page(), content_type="text/html")


def install(app: web.Application, settings: Settings) -> None:
    register_routes()
    app.router.add_get("/api/docs/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs)
    mount(app)
