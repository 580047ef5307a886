"""The GraphQL adapter: ``/graphql`` (with GraphiQL) on the app."""

import json
from typing import Any

from aiohttp import web
from cross_web import HTTPException
from strawberry.aiohttp.views import GraphQLView

from crmgraph.config import Settings
from crmgraph.context import CTX, RequestContext
from schema.errors import mask_unexpected
from schema.root import build_schema


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

    async def get_context(self, request: web.Request, response: Any) -> RequestContext:  # type: ignore[override]
        return request[CTX]

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
    view = CrmGraphQLView(schema=build_schema(settings), graphql_ide="graphiql", allow_queries_via_get=True)
    view.max_response_bytes = settings.graphql_max_response_bytes
    app.router.add_route("*", "/graphql", view)
