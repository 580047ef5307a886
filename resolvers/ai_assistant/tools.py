"""The assistant's tools: every read-only (query) operation of the other modules that the caller
holds the features for, described by its input's JSON schema, and run through ``invoke`` (so its
features, validation and tenant scope apply exactly as on REST and GraphQL)."""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import to_jsonable_python

from crmgraph.context import RequestContext
from crmgraph.errors import DomainError, NotFound
from resolvers.operations import OPERATIONS, Operation, invoke

OWN_MODULE = "ai_assistant"
MAX_TOOLS = 128
WORD = re.compile(r"[a-z0-9]+")


def _offered(op: Operation) -> bool:
    return (
        op.kind == "query"
        and op.auth
        and op.module != OWN_MODULE
        and not any(binding.stream or binding.upload for binding in op.rest)
    )


def tools_for(ctx: RequestContext) -> list[Operation]:
    principal = ctx.require_auth()
    found = [op for op in OPERATIONS.values() if _offered(op) and principal.has(*op.features)]
    return sorted(found, key=lambda op: op.name)[:MAX_TOOLS]


def schema_of(op: Operation) -> dict[str, Any]:
    if op.input is None:
        return {"type": "object", "properties": {}}
    return op.input.model_json_schema()


def describe(op: Operation) -> dict[str, Any]:
    return {
        "name": op.name,
        "module": op.module,
        "description": (op.description or op.name.replace("_", " "))[:1000],
        "inputSchema": schema_of(op),
        "requiredFeatures": list(op.features),
        "method": op.rest[0].method if op.rest else None,
        "path": op.rest[0].path if op.rest else None,
    }


def as_function(op: Operation) -> dict[str, Any]:
    """The tool as the chat-completions protocol declares it."""
    return {
        "type": "function",
        "function": {
            "name": op.name,
            "description": (op.description or op.name.replace("_", " "))[:1000],
            "parameters": schema_of(op),
        },
    }


async def execute(ctx: RequestContext, name: str, args: dict[str, Any]) -> Any:
    """Run the tool ``name`` for the caller (404 for a tool it is not offered)."""
    op = next((op for op in tools_for(ctx) if op.name == name), None)
    if op is None:
        raise NotFound("Tool not found")
    _, result = await invoke(op, ctx, args)
    if op.rest and op.rest[0].reply is not None:
        result = op.rest[0].reply(result)
        if isinstance(result, tuple):
            result = result[0]
    return to_jsonable_python(result, fallback=str)


async def execute_safely(ctx: RequestContext, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """The tool's result, or its documented error (for a model's tool call)."""
    try:
        return {"ok": True, "result": await execute(ctx, name, args)}
    except DomainError as exc:
        return {"ok": False, "status": exc.status, **exc.body()}


def words(text: str) -> set[str]:
    return {word for word in WORD.findall(text.lower()) if len(word) > 2}


def keyword_route(ctx: RequestContext, query: str) -> list[tuple[float, Operation]]:
    """Tools ranked by the words they share with ``query`` (name weighs double)."""
    wanted = words(query)
    ranked = []
    for op in tools_for(ctx):
        name_words = words(op.name.replace("_", " ") + " " + op.module)
        score = 2 * len(wanted & name_words) + len(wanted & words(op.description or ""))
        if score:
            ranked.append((score / (2 * max(len(wanted), 1)), op))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].name))
    return ranked
