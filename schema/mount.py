"""The GraphQL adapter: ``/graphql`` (with GraphiQL) on the app."""

import json
import weakref
from typing import Any

from aiohttp import web
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from multidict import CIMultiDict
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types.unset import UNSET, UnsetType

from crmgraph.authn import GENERATION_KEY, authenticate_request
from crmgraph.config import Settings
from crmgraph.context import CTX, Principal, RequestContext
from crmgraph.db import RowScope
from schema.errors import mask_unexpected
from schema.root import build_schema


class SubscriptionsOnly(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws serving subscriptions only: queries and mutations go over HTTP, where
    each request has its own context (and a mutation its own unit of work)."""

    async def handle_subscribe(self, message: Any) -> None:
        payload = message.get("payload")
        try:
            operation = get_operation_ast(parse(payload["query"]), payload.get("operationName"))
        except (GraphQLError, TypeError, KeyError, AttributeError):
            operation = None  # not a parseable request: the handler answers with its error
        if operation is not None and operation.operation != OperationType.SUBSCRIPTION:
            error = GraphQLError(
                "Only subscriptions are served over WebSocket; send queries and mutations to POST /graphql"
            )
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return
        await super().handle_subscribe(message)


def ws_headers(params: dict[str, Any]) -> CIMultiDict[str]:
    """Credentials of a ``connection_init`` payload as request headers (``authorization``,
    ``x-api-key``, any case)."""
    return CIMultiDict((str(k), v) for k, v in params.items() if isinstance(v, str))


class CrmGraphQLView(GraphQLView):
    """Errors are JSON like the REST API's: malformed requests are ``{"error"}`` bodies, and no
    unexpected exception (database errors carry SQL and bind parameters) reaches a client."""

    max_response_bytes = 10 * 1024 * 1024

    def encode_json(self, data: object) -> str:
        """The response, unless it is larger than the ceiling: then an error telling to page it."""
        encoded = json.dumps(data, separators=(",", ":"), default=str)
        if len(encoded) > self.max_response_bytes:
            too_big = {
                "message": f"Response larger than {self.max_response_bytes} bytes: ask for fewer rows or fields",
                "extensions": {"code": "response_too_large", "status": 413},
            }
            return json.dumps({"data": None, "errors": [too_big]})
        return encoded

    graphql_transport_ws_handler_class = SubscriptionsOnly

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    async def get_context(self, request: web.Request, response: Any) -> RequestContext:  # type: ignore[override]
        ctx = request[CTX]
        if isinstance(response, web.WebSocketResponse):
            self.sockets.add(response)
            ctx.connection_params = None  # type: ignore[attr-defined]  # set by connection_init
        return ctx

    async def on_ws_connect(self, context: RequestContext) -> UnsetType:  # type: ignore[override]
        """Authenticate a WebSocket: a token in the ``connection_init`` payload (``{"authorization":
        "Bearer ..."}`` or an API key), else the credentials of the upgrade request (the cookie)."""
        headers = ws_headers(getattr(context, "connection_params", None) or {})
        if "Authorization" in headers or "X-Api-Key" in headers:

            def scope(principal: Principal) -> RowScope:
                context.principal = principal
                return context.row_scope()

            context.principal, generation = await authenticate_request(
                context.settings, context.sessionmaker, headers, {}, scope
            )
            context.cache.clear()
            if generation is not None:
                context.cache[GENERATION_KEY] = generation
        if context.principal is None:
            raise ConnectionRejectionError({"error": "Unauthorized"})
        return UNSET  # a plain connection_ack

    async def close_sockets(self, _app: web.Application) -> None:
        """On shutdown: open WebSockets end, so the server need not wait for their clients."""
        for socket in list(self.sockets):
            await socket.close(code=1001, message=b"Server shutdown")

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict):
            raise HTTPException(400, "Expected a JSON object")
        if not isinstance(parsed.get("operationName"), str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null")
        return parsed

    async def process_result(self, request: web.Request, result: Any) -> Any:  # type: ignore[override]
        return await super().process_result(request, mask_unexpected(result))

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self.run(request=request)
        except HTTPException as exc:
            return web.json_response({"error": exc.reason}, status=exc.status_code)


def install(app: web.Application, settings: Settings) -> None:
    view = CrmGraphQLView(
        schema=build_schema(settings),
        graphql_ide="graphiql",
        allow_queries_via_get=True,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
    view.max_response_bytes = settings.graphql_max_response_bytes
    app.router.add_route("*", "/graphql", view)
    app.on_shutdown.append(view.close_sockets)
