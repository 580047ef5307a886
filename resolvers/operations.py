"""Operations that are not collection CRUD (actions, item reads, settings, state transitions),
declared once.

An :class:`Operation` names its typed input (a pydantic model: bounds and validation live there),
its output, kind (query or command), required features and REST bindings. From that one
declaration come the REST route(s) (``openapi_compat.operations``), a typed GraphQL field
(``schema.operations``) and the OpenAPI entry with request/response schemas. Both adapters call
:func:`invoke`, the single place where features are checked, input validated and, for commands,
the unit of work opened, so REST and GraphQL cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict
from resolvers.validation import validate

Kind = Literal["query", "command"]
OPERATIONS: dict[str, Operation] = {}


@dataclass(frozen=True)
class Rest:
    """One documented REST binding of an operation.

    The input is assembled from the query string (GET/DELETE), the JSON body and the path
    parameters, then validated by the operation's model. ``reply`` turns the result into the
    documented body, or into ``(body, status)`` when the status depends on the result.
    """

    method: str
    path: str
    status: int = 200
    reply: Callable[[Any], Any] | None = None
    upload: int | None = None  # multipart form: file parts streamed to storage, at most this many bytes
    # The result is an async iterator of ``ServerSentEvent`` (or ``(event name, data)``) sent as
    # server-sent events; the input gets the client's ``Last-Event-ID`` header as ``lastEventId``.
    stream: bool = False


@dataclass(frozen=True)
class ServerSentEvent:
    """One item of a stream: an event (``event``, JSON ``data``, ``id`` for Last-Event-ID), and/or a
    ``comment`` line (keep-alive), and/or the client's reconnection delay ``retry`` (milliseconds)."""

    event: str | None = None
    data: Any = None
    id: str | None = None
    comment: str | None = None
    retry: int | None = None


class UploadedFile(BaseModel):
    """A file part of an upload, already in storage (input models use it for file fields)."""

    key: str
    filename: str
    contentType: str
    size: int
    sha256: str


@dataclass(eq=False)
class Operation:
    name: str  # snake_case; the GraphQL field is its camelCase (unique across the schema)
    module: str
    handler: Callable[..., Awaitable[Any]]  # handler(ctx, input) — or handler(ctx) without input
    input: type[BaseModel] | None = None
    output: Any = None  # a pydantic model, an Entity, a scalar type, list[...] of those; None = JSON
    kind: Kind = "command"
    features: tuple[str, ...] = ()
    auth: bool = True
    rest: tuple[Rest, ...] = ()
    graphql: bool = True
    transaction: bool = True  # commands run in one unit of work (False: the handler opens its own)
    # Value of ``output`` for GraphQL from (ctx, input, result), when it is not the result itself.
    graphql_result: Callable[[RequestContext, Any, Any], Awaitable[Any]] | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name in OPERATIONS:
            other = OPERATIONS[self.name]
            raise ValueError(f"operation {self.name!r} declared by {other.module!r} and {self.module!r}")
        self.features = tuple(self.features)
        OPERATIONS[self.name] = self

    @property
    def command_id(self) -> str:
        return f"{self.module}.{self.name}"


def pick(key: Any, convert: Callable[[Any], Any] | None = None) -> Callable[..., Awaitable[Any]]:
    """A ``graphql_result`` answering with one part of the result (``result[key]``, converted)."""

    async def part(_ctx: RequestContext, _input: Any, result: Any) -> Any:
        value = result[key]
        return convert(value) if convert is not None and value is not None else value

    return part


def reloaded(entity: Any, key: Callable[[Any], Any]) -> Callable[..., Awaitable[Any]]:
    """A ``graphql_result`` answering with the row of ``entity`` the REST body names (``key(result)``
    is its id): typed, with its edges."""

    async def reload(ctx: RequestContext, _input: Any, result: Any) -> Any:
        from resolvers.crud import service

        return await service(entity).get(ctx, key(result), check=False)

    return reload


def created_or_found(result: tuple[Any, bool]) -> tuple[Any, int]:
    """A ``Rest.reply`` for handlers returning ``(body, created)``: 201 when created, else 200."""
    body, created = result
    return body, 201 if created else 200


async def idempotent(
    ctx: RequestContext,
    existing: Callable[[], Awaitable[Any]],
    create: Callable[[], Awaitable[Any]],
    *,
    command: str,
    about: str,
) -> tuple[Any, bool]:
    """``(result, created)`` of an idempotent compound command (an inbound form keyed by an external
    id): what ``existing()`` finds, else ``create()`` in one unit of work. When a concurrent call wins
    the race (a unique conflict), nothing of ours is kept and its result is answered."""
    found = await existing()
    if found is not None:
        return found, False
    try:
        async with ctx.unit_of_work(command=command, about=about):
            return await create(), True
    except Conflict:
        found = await existing()
        if found is None:
            raise
        return found, False


def operation(
    name: str, module: str, *, rest: Rest | tuple[Rest, ...] = (), **options: Any
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Decorator form: declare ``handler`` as the operation ``name`` (docstring = description)."""

    def register(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        bindings = rest if isinstance(rest, tuple) else (rest,)
        options.setdefault("description", (handler.__doc__ or "").strip())
        Operation(name, module, handler, rest=bindings, **options)
        return handler

    return register


async def invoke(op: Operation, ctx: RequestContext, raw: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """Check features, validate ``raw`` into the input model, run the handler (commands in one
    unit of work). Returns ``(input, result)``."""
    if op.features:
        ctx.require_features(op.features)
    elif op.auth:
        ctx.require_auth()
    data = validate(op.input, dict(raw or {})) if op.input is not None else None
    args = (ctx,) if op.input is None else (ctx, data)
    if op.kind == "command" and op.transaction:
        async with ctx.unit_of_work(command=op.command_id):
            return data, await op.handler(*args)
    return data, await op.handler(*args)
