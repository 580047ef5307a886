"""REST routes derived from operation declarations (``resolvers.operations``).

The input is the query string (GET/DELETE), the JSON body and the path parameters, merged in
that order and validated by the operation's model; ``invoke`` checks features and runs it. An upload
route (``Rest(upload=...)``) takes a multipart form — its file parts streamed to storage once the
caller's features are checked, removed again when the operation fails — or the JSON body, whose
keys can never fill a file field.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from functools import cache
from typing import Any, get_args

from aiohttp import web
from pydantic import AliasChoices, BaseModel

from crmgraph.errors import BadRequest
from crmgraph.storage import LocalStorage
from openapi_compat.routing import Reply, RestRequest, route
from resolvers.operations import OPERATIONS, Operation, Rest, ServerSentEvent, UploadedFile, invoke

QUERY_METHODS = ("GET", "DELETE")
log = logging.getLogger("crmgraph.rest")


def _mentions_upload(annotation: Any) -> bool:
    return annotation is UploadedFile or any(_mentions_upload(arg) for arg in get_args(annotation))


@cache
def file_keys(model: type[BaseModel] | None) -> frozenset[str]:
    """Input keys of ``model`` typed as uploaded files: only a multipart file part fills them (a JSON
    body naming a stored file must never reach the handler)."""
    keys: set[str] = set()
    for name, info in (model.model_fields if model is not None else {}).items():
        if _mentions_upload(info.annotation):
            aliases = info.validation_alias.choices if isinstance(info.validation_alias, AliasChoices) else []
            keys.update(k for k in (name, info.alias, *aliases) if isinstance(k, str))
    return frozenset(keys)


async def rest_input(request: RestRequest, binding: Rest, op: Operation) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    if binding.method in QUERY_METHODS:
        raw.update(request.query)
    if binding.upload is not None and request.http.content_type == "multipart/form-data":
        storage = LocalStorage(request.ctx.settings.storage_dir)
        form = await request.upload_form(storage, binding.upload)
        for name, value in form.items():
            if isinstance(value, str):
                raw[name] = value
            elif name in file_keys(op.input):
                raw[name] = value.as_json()
            else:  # a file part the operation does not take is not kept
                await storage.delete(value.key)
    elif binding.method != "GET":
        body = await request.body()
        if isinstance(body, dict):
            uploads = file_keys(op.input) if binding.upload is not None else frozenset()
            raw.update({k: v for k, v in body.items() if k not in uploads})
        elif body not in (None, {}, []):
            raise BadRequest("Expected a JSON object")
    raw.update(request.match)
    return raw


async def discard_uploads(request: RestRequest, op: Operation, raw: dict[str, Any]) -> None:
    """Remove the files this request stored (a failed operation keeps none)."""
    storage = LocalStorage(request.ctx.settings.storage_dir)
    for key in file_keys(op.input):
        value = raw.get(key)
        if isinstance(value, dict) and isinstance(value.get("key"), str):
            await storage.delete(value["key"])


LAST_EVENT_ID = "Last-Event-ID"
DISCONNECT_CHECK = 1.0  # seconds between checks that a stream's client is still there


def with_last_event_id(request: RestRequest, raw: dict[str, Any]) -> dict[str, Any]:
    """A stream's input also carries the client's ``Last-Event-ID`` (an EventSource reconnecting)."""
    last = request.http.headers.get(LAST_EVENT_ID)
    return {**raw, "lastEventId": last} if last else raw


def sse_frame(item: ServerSentEvent | tuple[str, Any]) -> bytes:
    """One server-sent event block (fields on their own lines, a blank line after)."""
    if isinstance(item, tuple):
        item = ServerSentEvent(event=item[0], data=item[1])
    lines = []
    if item.comment is not None:
        lines.append(f": {item.comment}")
    if item.retry is not None:
        lines.append(f"retry: {item.retry}")
    if item.id is not None:
        lines.append(f"id: {item.id}")
    if item.event is not None:
        lines.append(f"event: {item.event}")
    if item.data is not None:
        lines.append(f"data: {json.dumps(item.data, default=str)}")
    return ("\n".join(lines) + "\n\n").encode()


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def stream_events(request: web.Request, events: AsyncIterator[Any]) -> web.StreamResponse:
    """Server-sent events, each flushed as it comes. The stream ends when the iterator does or the
    client goes away (noticed within a second even while no event comes); either way the iterator
    is closed (``aclose``), so its subscription ends with the response."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    iterator = aiter(events)
    pending: asyncio.Future[Any] | None = None
    try:
        await response.prepare(request)
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=DISCONNECT_CHECK)
            if not done:
                if _gone(request):
                    break
                continue
            item, pending = pending, None
            try:
                frame = sse_frame(item.result())
            except StopAsyncIteration:
                break
            except Exception:  # headers are sent: end the stream, the client reconnects
                log.exception("event stream failed on %s", request.path)
                break
            await response.write(frame)
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client left while we wrote
    finally:
        if pending is not None:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)
        close = getattr(events, "aclose", None) or getattr(iterator, "aclose", None)
        if close is not None:
            await close()
    return response


def mount_operation(op: Operation, binding: Rest) -> None:
    async def handler(request: RestRequest) -> Any:
        if binding.upload is not None and op.auth:  # nothing is stored for a caller who may not
            request.ctx.require_features(op.features)
        raw = await rest_input(request, binding, op)
        if binding.stream:
            raw = with_last_event_id(request, raw)
        try:
            _, result = await invoke(op, request.ctx, raw)
        except BaseException:
            await discard_uploads(request, op, raw)
            raise
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
