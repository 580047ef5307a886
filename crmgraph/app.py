"""aiohttp application factory: context, errors, health; the adapters (REST, GraphQL) install
their routes through ``crmgraph.modules.http_adapters``."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy.exc import DBAPIError

from crmgraph import dberrors
from crmgraph.authn import GENERATION_KEY, authenticate_request
from crmgraph.config import Settings, get_settings
from crmgraph.context import CTX, Principal, RequestContext, Selection
from crmgraph.db import RowScope, create_engine, session_factory
from crmgraph.errors import DomainError
from crmgraph.eventhub import close_hub
from crmgraph.health import WORKER_STATE, dependency_states
from crmgraph.installation import with_installation_secret
from crmgraph.modules import http_adapters
from crmgraph.ratelimit import client_ip

log = logging.getLogger("crmgraph")

SETTINGS = web.AppKey("settings", Settings)
STATE = web.AppKey("state", dict)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every failure becomes a JSON error body; tracebacks stay in the log."""
    try:
        return await handler(request)
    except DomainError as exc:
        return web.json_response(exc.body(), status=exc.status)
    except DBAPIError as exc:
        # Never the driver's message: its DETAIL may quote a whole row, hashes included.
        mapped = dberrors.domain_error(exc)
        if mapped is not None:
            return web.json_response(mapped.body(), status=mapped.status)
        log.error("Database error on %s %s: %s", request.method, request.path, dberrors.describe(exc))
        return web.json_response({"error": "Internal server error"}, status=500)
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
    state = request.app[STATE]
    settings = state["settings"]  # resolved at start-up (with the installation's signing secret)
    ctx = RequestContext(
        settings=settings,
        sessionmaker=state["sessionmaker"],
        selection=Selection(
            request.cookies.get("om_selected_tenant"), request.cookies.get("om_selected_org")
        ),
        enqueue=state["enqueue"],
        redis=state.get("redis"),
        client_ip=client_ip(request.remote, request.headers, settings),
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


async def _dependencies(app: web.Application, database: bool = True) -> dict[str, str]:
    state = app[STATE]
    return await dependency_states(state["engine"], state.get("redis"), state["settings"], database=database)


HEALTH_TTL = 1.0  # seconds a /healthz probe of Redis and the worker is reused


async def healthz(request: web.Request) -> web.Response:
    """Liveness (always 200 while the process serves) with the state of Redis and the worker, probed
    at most once a second so that polling it stays cheap; ``/readyz`` probes everything afresh."""
    state = request.app[STATE]
    probed_at, found = state.get("health", (0.0, {}))
    if time.monotonic() - probed_at > HEALTH_TTL:
        found = await _dependencies(request.app, database=False)
        state["health"] = (time.monotonic(), found)
    body: dict[str, Any] = {"ok": True, **found}
    if WORKER_STATE["state"] != "stopped" or WORKER_STATE["restarts"]:
        body["inProcessWorker"] = WORKER_STATE  # `serve --worker`
    return web.json_response(body)


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 503 while the database, Redis or the worker is down."""
    found = await _dependencies(request.app)
    ready = all(value in ("up", "disabled") for value in found.values())
    return web.json_response({"ok": ready, **found}, status=200 if ready else 503)


def create_app(settings: Settings | None = None, *, redis: bool = True) -> web.Application:
    """Build the app. ``redis=False`` runs without a queue (events stay in the outbox for the sweeper)."""
    settings = settings or get_settings()
    app = web.Application(middlewares=[error_middleware, context_middleware], client_max_size=2 * 1024**2)
    app[SETTINGS] = settings
    app[STATE] = {}

    async def lifecycle(app: web.Application):
        engine = create_engine(settings.database_url)
        state = app[STATE]
        state["engine"] = engine
        state["settings"] = await with_installation_secret(settings, engine)
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

    async def end_streams(app: web.Application) -> None:
        """Live event streams end before the server waits for open requests to finish."""
        await close_hub(app[STATE].get("sessionmaker"))

    app.on_shutdown.append(end_streams)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for install in http_adapters():  # REST under /api, GraphQL at /graphql (crmgraph.modules)
        install(app, settings)
    return app
