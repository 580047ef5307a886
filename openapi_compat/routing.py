"""Operation registry: documented (method, path) -> handler, with auth and features from the catalog."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel

from crmgraph.catalog import documented
from crmgraph.context import CTX, RequestContext
from crmgraph.errors import BadRequest, DomainError
from crmgraph.storage import Storage, StoredFile
from resolvers.entity import Entity
from resolvers.validation import check_safe


@dataclass
class Reply:
    """A handler result with a non-default status, headers or cookies."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    set_cookies: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    delete_cookies: list[str] = field(default_factory=list)
    redirect: str | None = None


@dataclass
class RawJson:
    """A JSON body already encoded (e.g. built by PostgreSQL): sent as is."""

    text: str
    status: int = 200


# What aiohttp's multipart reader raises for a body that does not parse (bad headers, boundary...).
MALFORMED_MULTIPART = (HttpProcessingError, ValueError, AssertionError)


class RestRequest:
    """What a handler sees: the context, path params, query and a leniently parsed body."""

    def __init__(self, request: web.Request, ctx: RequestContext) -> None:
        self.http = request
        self.ctx = ctx
        self.match = request.match_info
        self.query: Mapping[str, str] = request.query
        self._body: Any = ...

    async def body(self) -> Any:
        """JSON object, or form fields as a dict; malformed JSON is a 400, never a 500."""
        if self._body is not ...:
            return self._body
        request = self.http
        if not request.can_read_body:
            self._body = {}
        elif request.content_type == "multipart/form-data":
            form = await request.post()
            self._body = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            raw = await request.read()
            # Form-encoded unless it is plainly JSON (clients that forget the JSON content type).
            if request.content_type == "application/x-www-form-urlencoded" and raw.lstrip()[:1] not in (
                b"{",
                b"[",
            ):
                self._body = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            elif not raw.strip():
                self._body = {}
            else:
                try:
                    self._body = json.loads(raw)
                except (ValueError, UnicodeDecodeError, RecursionError):
                    raise BadRequest("Invalid JSON body") from None
        check_safe(self._body)  # NUL bytes and NaN/Infinity never reach the database
        return self._body

    async def upload_form(
        self, storage: Storage, max_bytes: int, max_field: int = 64 * 1024
    ) -> dict[str, Any]:
        """A multipart form read as a stream: file parts go straight to ``storage`` (at most
        ``max_bytes`` each, else 413 and nothing kept), other parts are text (at most ``max_field``)."""
        if self.http.content_type != "multipart/form-data":
            raise BadRequest("Expected multipart/form-data")
        form: dict[str, Any] = {}
        saved: list[StoredFile] = []
        try:
            reader = await self.http.multipart()
            async for part in reader:
                if part.name is None:
                    continue
                if part.filename:
                    stored = await storage.save(
                        _chunks(part),
                        filename=part.filename,
                        content_type=part.headers.get("Content-Type", "application/octet-stream"),
                        max_bytes=max_bytes,
                    )
                    saved.append(stored)
                    form[part.name] = stored
                else:
                    raw = await part.read(decode=True)
                    if len(raw) > max_field:
                        raise BadRequest(f"Field {part.name} is too long")
                    form[part.name] = raw.decode("utf-8", "replace")
        except BaseException as exc:
            for stored in saved:
                await storage.delete(stored.key)
            if isinstance(exc, MALFORMED_MULTIPART):
                raise BadRequest("Malformed multipart body") from None
            raise
        self._body = form
        return form

    async def json_object(self) -> dict[str, Any]:
        body = await self.body()
        if not isinstance(body, dict):
            raise BadRequest("Expected a JSON object")
        return body

    async def id_param(self) -> Any:
        """``id`` from the query string, else from the body (command routes accept both)."""
        if self.query.get("id"):
            return self.query["id"]
        body = await self.body()
        return body.get("id") if isinstance(body, dict) else None


async def _chunks(part: Any, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(size):
        yield chunk


Handler = Callable[[RestRequest], Awaitable[Any]]


@dataclass
class Operation:
    method: str
    path: str
    handler: Handler
    auth: bool
    features: list[str]
    description: str = ""
    entity: Entity | None = None
    status: int = 200
    enforce: bool = True  # False: the resolver layer checks ``features`` (declared operations, CRUD)
    operation: Any = None  # the ``resolvers.operations.Operation`` behind the route, if any
    body_model: type[BaseModel] | None = None  # request body schema for the OpenAPI document


REGISTRY: dict[tuple[str, str], Operation] = {}


class DuplicateRoute(ValueError):
    """Two handlers for one documented (method, path)."""


def route(
    method: str,
    path: str,
    *,
    auth: bool | None = None,
    features: list[str] | None = None,
    entity: Entity | None = None,
    status: int = 200,
    enforce: bool = True,
    operation: Any = None,
    body_model: type[BaseModel] | None = None,
) -> Callable[[Handler], Handler]:
    """Register a handler for a documented operation; auth and features default to the catalog's.
    A second handler for the same (method, path) is an error, never a silent replacement."""

    def register(handler: Handler) -> Handler:
        doc = documented(method, path) or {}
        key = (method.upper(), path)
        if key in REGISTRY:
            raise DuplicateRoute(
                f"{method.upper()} {path} is already served by {REGISTRY[key].handler.__qualname__}"
            )
        REGISTRY[key] = Operation(
            method=method.upper(),
            path=path,
            handler=handler,
            auth=doc.get("auth", True) if auth is None else auth,
            features=list(doc.get("features", [])) if features is None else features,
            description=doc.get("description", ""),
            entity=entity,
            status=status,
            enforce=enforce,
            operation=operation,
            body_model=body_model,
        )
        return handler

    return register


@dataclass(frozen=True)
class Query:
    """An ``expose`` input: one query-string parameter."""

    name: str


BODY = "body"  # the parsed body (JSON or form), any shape
JSON = "json"  # the body, which must be a JSON object


def expose(
    method: str,
    path: str,
    fn: Callable[..., Any],
    *inputs: str | Query,
    status: int = 200,
    body_model: type[BaseModel] | None = None,
) -> None:
    """Register a documented route that calls ``fn(ctx, *inputs)`` and returns its result as JSON."""

    async def handler(request: RestRequest) -> Any:
        values = []
        for source in inputs:
            if isinstance(source, Query):
                values.append(request.query.get(source.name))
            else:
                values.append(await (request.body() if source == BODY else request.json_object()))
        result = fn(request.ctx, *values)
        result = await result if inspect.isawaitable(result) else result
        return Reply(result, status) if status != 200 else result

    handler.__doc__ = fn.__doc__
    route(method, path, status=status, body_model=body_model)(handler)


def operation_header(ctx: RequestContext) -> dict[str, str]:
    if not ctx.operations:
        return {}
    return {"x-om-operation": "omop:" + quote(json.dumps(ctx.operations[-1], separators=(",", ":")))}


def _to_response(result: Any, default_status: int, ctx: RequestContext) -> web.StreamResponse:
    if isinstance(result, web.StreamResponse):
        return result
    if isinstance(result, RawJson):
        return web.Response(text=result.text, status=result.status, content_type="application/json")
    reply = result if isinstance(result, Reply) else Reply(result, default_status)
    headers = {**operation_header(ctx), **reply.headers}
    if reply.redirect:
        response: web.StreamResponse = web.Response(
            status=302, headers={**headers, "Location": reply.redirect}
        )
    elif reply.status == 204:  # "No response body."
        response = web.Response(status=204, headers=headers)
    else:
        response = web.json_response(reply.body, status=reply.status, headers=headers, dumps=_dumps)
    for name, value, options in reply.set_cookies:
        response.set_cookie(name, value, **options)
    for name in reply.delete_cookies:
        response.del_cookie(name, path="/")
    return response


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)


def error_response(error: DomainError) -> web.Response:
    return web.json_response(error.body(), status=error.status)


def make_aiohttp_handler(op: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        ctx: RequestContext = request[CTX]
        if op.auth:
            ctx.require_auth()
        if op.features and op.enforce:
            ctx.require_features(op.features)
        check_safe({**{k: request.query.getall(k) for k in request.query}, **request.match_info})
        result = await op.handler(RestRequest(request, ctx))
        return _to_response(result, op.status, ctx)

    slug = re.sub(r"\W+", "_", op.path)
    handle.__name__ = f"{op.method.lower()}_{slug}"
    return handle


def _route_order(op: Operation) -> tuple[int, str]:
    # Static segments before {param} segments so /people/check-phone wins over /people/{id}.
    return (op.path.count("{"), op.path)


def mount(app: web.Application, prefix: str = "/api") -> None:
    for op in sorted(REGISTRY.values(), key=_route_order):
        app.router.add_route(op.method, prefix + op.path, make_aiohttp_handler(op))
