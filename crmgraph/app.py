"""aiohttp application factory: REST under /api, GraphQL at /graphql, docs and health."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from arq import create_pool
from arq.connections import RedisSettings
from strawberry.aiohttp.views import GraphQLView

from crmgraph.authn import GENERATION_KEY, authenticate_request
from crmgraph.config import Settings, get_settings
from crmgraph.context import Principal, RequestContext, Selection
from crmgraph.db import RowScope, create_engine, session_factory
from crmgraph.errors import DomainError

log = logging.getLogger("crmgraph")

SETTINGS = web.AppKey("settings", Settings)
STATE = web.AppKey("state", dict)
CTX = web.RequestKey("ctx", RequestContext)


class CrmGraphQLView(GraphQLView):
    async def get_context(self, request: web.Request, response: Any) -> RequestContext:  # type: ignore[override]
        return request[CTX]


def _client_ip(request: web.Request) -> str:
    return request.remote or "unknown"


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every failure becomes a JSON error body; tracebacks stay in the log."""
    try:
        return await handler(request)
    except DomainError as exc:
        return web.json_response(exc.body(), status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api"):
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
        message = "Not found" if exc.status == 404 else exc.reason
        return web.json_response({"error": message}, status=exc.status, headers=headers)
    except Exception:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "Internal server error"}, status=500)


@web.middleware
async def context_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    app = request.app
    state = app[STATE]
    settings = app[SETTINGS]
    ctx = RequestContext(
        settings=settings,
        sessionmaker=state["sessionmaker"],
        selection=Selection(
            request.cookies.get("om_selected_tenant"), request.cookies.get("om_selected_org")
        ),
        enqueue=state["enqueue"],
        redis=state.get("redis"),
        client_ip=_client_ip(request),
    )

    def request_scope(principal: Principal) -> RowScope:
        ctx.principal = principal
        return ctx.row_scope()

    ctx.principal, generation = await authenticate_request(
        settings, ctx.sessionmaker, request.headers, request.cookies, request_scope
    )
    if generation is not None:
        ctx.cache[GENERATION_KEY] = generation
    request[CTX] = ctx
    return await handler(request)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def openapi_json(request: web.Request) -> web.Response:
    from openapi_compat.openapi import document

    return web.json_response(document())


async def docs(request: web.Request) -> web.Response:
    from openapi_compat.openapi import docs_page

    return web.Response(text=docs_page(), content_type="text/html")


def create_app(settings: Settings | None = None, *, redis: bool = True) -> web.Application:
    """Build the app. ``redis=False`` runs without a queue (events stay in the outbox for the sweeper)."""
    import openapi_compat.registry  # noqa: F401 - registers routes and entities
    from openapi_compat.routing import mount
    from schema.root import build_schema

    settings = settings or get_settings()
    app = web.Application(middlewares=[error_middleware, context_middleware], client_max_size=2 * 1024**2)
    app[SETTINGS] = settings
    app[STATE] = {}

    async def lifecycle(app: web.Application):
        engine = create_engine(settings.database_url)
        state = app[STATE]
        state["engine"] = engine
        state["sessionmaker"] = session_factory(engine)
        state["enqueue"] = None
        pool = None
        if redis:
            pool = await create_pool(
                RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
            )
            state["redis"] = pool
            state["enqueue"] = pool.enqueue_job
        yield
        if pool is not None:
            await pool.aclose()
        await engine.dispose()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/docs/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs)
    view = CrmGraphQLView(schema=build_schema(settings), graphql_ide="graphiql", allow_queries_via_get=True)
    app.router.add_route("*", "/graphql", view)
    mount(app)
    return app
