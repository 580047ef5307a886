"""REST routes derived from operation declarations (``resolvers.operations``).

The input is the query string (GET/DELETE), the JSON body and the path parameters, merged in
that order and validated by the operation's model; ``invoke`` checks features and runs it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from crmgraph.errors import BadRequest
from crmgraph.storage import LocalStorage
from openapi_compat.routing import Reply, RestRequest, route
from resolvers.operations import OPERATIONS, Operation, Rest, invoke

QUERY_METHODS = ("GET", "DELETE")


async def rest_input(request: RestRequest, binding: Rest) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    if binding.method in QUERY_METHODS:
        raw.update(request.query)
    if binding.upload is not None:
        storage = LocalStorage(request.ctx.settings.storage_dir)
        form = await request.upload_form(storage, binding.upload)
        raw.update({k: v if isinstance(v, str) else v.as_json() for k, v in form.items()})
    elif binding.method != "GET":
        body = await request.body()
        if isinstance(body, dict):
            raw.update(body)
        elif body not in (None, {}, []):
            raise BadRequest("Expected a JSON object")
    raw.update(request.match)
    return raw


async def stream_events(request: web.Request, events: AsyncIterator[tuple[str, Any]]) -> web.StreamResponse:
    """Server-sent events: one ``event``/``data`` block per item, flushed as it comes."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    async for name, data in events:
        await response.write(f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n".encode())
    await response.write_eof()
    return response


def mount_operation(op: Operation, binding: Rest) -> None:
    async def handler(request: RestRequest) -> Any:
        _, result = await invoke(op, request.ctx, await rest_input(request, binding))
        if binding.stream:
            return await stream_events(request.http, result)
        body, status = result, binding.status
        if binding.reply is not None:
            body = binding.reply(result)
            if isinstance(body, tuple):
                body, status = body
        return Reply(body, status)

    handler.__doc__ = op.description
    route(
        binding.method,
        binding.path,
        # An operation that requires authentication says so even where the catalog does not.
        auth=True if op.auth else None,
        features=list(op.features),
        status=binding.status,
        enforce=False,  # ``invoke`` checks them, for REST and GraphQL alike
        operation=op,
    )(handler)


def mount_operations() -> None:
    for op in OPERATIONS.values():
        for binding in op.rest:
            mount_operation(op, binding)
