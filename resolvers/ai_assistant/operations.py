"""The documented assistant routes: chat (with tool calls run for the caller), routing a request to
a tool, the tools and running one, settings, health and session keys. Without a provider (no
``AI_API_URL``, or the integration disabled) they answer ``configured: false`` (never an error)."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import Unauthorized, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.ai_assistant import AiSessionKey
from resolvers.ai_assistant.client import ChatClient, ProviderError
from resolvers.ai_assistant.tools import (
    as_function,
    describe,
    execute,
    execute_safely,
    keyword_route,
    tools_for,
)
from resolvers.events import emit, record_action
from resolvers.integrations.registry import probe
from resolvers.integrations.store import credentials_of
from resolvers.operations import Rest, operation
from resolvers.validation import SafeDict, text

MODULE = "ai_assistant"
VIEW = "ai_assistant.view"
INTEGRATION = "ai_assistant_openai"
PROVIDER = "openai-compatible"
MAX_TOOL_ROUNDS = 4
MAX_CHAT_TOOLS = 64
SESSION_TTL = timedelta(hours=1)
NOT_CONFIGURED = "The AI provider is not configured (AI_API_URL)"


async def provider(ctx: RequestContext) -> tuple[ChatClient | None, str]:
    """The tenant's chat client, or ``(None, reason)`` when there is none."""
    settings = ctx.settings
    if not settings.ai_api_url:
        return None, NOT_CONFIGURED
    enabled, creds = await credentials_of(ctx, INTEGRATION)
    if not enabled:
        return None, "The AI provider integration is disabled"
    client = ChatClient(
        settings.ai_api_url,
        creds.get("apiKey") or settings.ai_api_key,
        creds.get("model") or settings.ai_model,
    )
    return client, ""


class AiChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant"]
    content: text(20000)


class AiChatInput(BaseModel):
    """A conversation (``messages``) or one ``message``; ``useTools: false`` offers no tools."""

    model_config = ConfigDict(extra="ignore")
    messages: list[AiChatMessage] = PydanticField(default_factory=list, max_length=50)
    message: text(20000) | None = None
    sessionId: text(100) | None = None
    useTools: bool = True


class AiToolCall(BaseModel):
    name: str
    arguments: dict[str, Any]
    ok: bool


class AiChatReply(BaseModel):
    configured: bool
    status: str
    message: AiChatMessage | None = None
    toolCalls: list[AiToolCall] = []
    model: str | None = None
    sessionId: str | None = None
    error: str | None = None


class AiRouteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    query: text(2000) = PydanticField(min_length=1)


class AiRouteCandidate(BaseModel):
    tool: str
    module: str
    score: float


class AiRouteReply(BaseModel):
    configured: bool
    route: str | None = None
    module: str | None = None
    source: str
    candidates: list[AiRouteCandidate]


class AiTool(BaseModel):
    name: str
    module: str
    description: str
    inputSchema: dict[str, Any]
    requiredFeatures: list[str]
    method: str | None = None
    path: str | None = None


class AiToolList(BaseModel):
    items: list[AiTool]
    total: int


class AiExecuteInput(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    toolName: text(100) = PydanticField(min_length=1)
    args: SafeDict = PydanticField(default_factory=dict)
    sessionToken: text(200) | None = PydanticField(default=None, alias="_sessionToken")


class AiExecuteReply(BaseModel):
    toolName: str
    result: Any = None


class AiSettings(BaseModel):
    configured: bool
    enabled: bool
    provider: str
    baseUrl: str | None = None
    model: str | None = None
    hasApiKey: bool
    toolCount: int
    sessionKeyTtlSeconds: int


class AiHealth(BaseModel):
    configured: bool
    status: str
    provider: str
    model: str | None = None
    latencyMs: int | None = None
    message: str | None = None


class AiSessionKeyReply(BaseModel):
    sessionToken: str
    expiresAt: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _conversation(data: AiChatInput) -> list[dict[str, Any]]:
    messages = [message.model_dump() for message in data.messages]
    if data.message:
        messages.append({"role": "user", "content": data.message})
    return messages


def _arguments(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _chat_tools(ctx: RequestContext, conversation: list[dict[str, Any]]) -> list[Any]:
    """The tools offered to a chat: those sharing words with the last user message first, then the
    rest in name order, at most ``MAX_CHAT_TOOLS``."""
    last = next((m["content"] for m in reversed(conversation) if m["role"] == "user"), "")
    relevant = [op for _, op in keyword_route(ctx, last)]
    chosen = {op.name for op in relevant}
    return [*relevant, *(op for op in tools_for(ctx) if op.name not in chosen)][:MAX_CHAT_TOOLS]


@operation(
    "ai_chat",
    MODULE,
    input=AiChatInput,
    output=AiChatReply,
    features=(VIEW,),
    transaction=False,
    rest=Rest("POST", "/ai_assistant/chat"),
)
async def chat(ctx: RequestContext, data: AiChatInput) -> dict[str, Any]:
    """Send the conversation to the provider; tool calls it asks for are run for the caller (read-only
    operations within its features) and their results sent back, at most four rounds."""
    conversation = _conversation(data)
    if not conversation:
        raise ValidationFailed([issue("messages", "Give messages or message", "too_small")])
    client, reason = await provider(ctx)
    if client is None:
        return {
            "configured": False,
            "status": "not_configured",
            "message": None,
            "toolCalls": [],
            "model": None,
            "sessionId": data.sessionId,
            "error": reason,
        }
    offered = [as_function(op) for op in _chat_tools(ctx, conversation)] if data.useTools else []
    calls: list[dict[str, Any]] = []
    for _ in range(MAX_TOOL_ROUNDS):
        answer = await client.complete(conversation, offered)
        message = answer["message"]
        requested = message.get("tool_calls") or []
        if not requested:
            return {
                "configured": True,
                "status": "ok",
                "message": {"role": "assistant", "content": str(message.get("content") or "")},
                "toolCalls": calls,
                "model": answer["model"],
                "sessionId": data.sessionId,
                "error": None,
            }
        conversation.append({"role": "assistant", "content": message.get("content"), "tool_calls": requested})
        for call in requested:
            function = call.get("function") or {}
            name, args = str(function.get("name", "")), _arguments(function.get("arguments"))
            outcome = await execute_safely(ctx, name, args)
            calls.append({"name": name, "arguments": args, "ok": outcome["ok"]})
            conversation.append(
                {
                    "role": "tool",
                    "tool_call_id": call.get("id"),
                    "content": json.dumps(outcome, default=str)[:20000],
                }
            )
    raise ProviderError("The AI provider kept asking for tools")


@operation(
    "ai_route",
    MODULE,
    input=AiRouteInput,
    output=AiRouteReply,
    kind="query",
    features=(VIEW,),
    rest=Rest("POST", "/ai_assistant/route"),
)
async def route(ctx: RequestContext, data: AiRouteInput) -> dict[str, Any]:
    """The tool a request is best served by: the provider's choice among the caller's tools, or
    (unconfigured, or an answer naming no tool) the best keyword match."""
    ranked = keyword_route(ctx, data.query)
    candidates = [
        {"tool": op.name, "module": op.module, "score": round(score, 3)} for score, op in ranked[:5]
    ]
    client, _ = await provider(ctx)
    if client is not None:
        tools = {op.name: op for op in tools_for(ctx)}
        prompt = (
            "Pick the one tool that best serves the user's request. Answer with its name only, or none.\n"
            + "\n".join(f"{name}: {(op.description or '')[:160]}" for name, op in tools.items())
        )
        answer = await client.complete(
            [{"role": "system", "content": prompt}, {"role": "user", "content": data.query}]
        )
        chosen = str(answer["message"].get("content") or "").strip().strip("`'\" .")
        if chosen in tools:
            return {
                "configured": True,
                "route": chosen,
                "module": tools[chosen].module,
                "source": "model",
                "candidates": candidates,
            }
    best = ranked[0][1] if ranked else None
    return {
        "configured": client is not None,
        "route": best.name if best else None,
        "module": best.module if best else None,
        "source": "keywords",
        "candidates": candidates,
    }


@operation(
    "ai_tools",
    MODULE,
    output=AiToolList,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/ai_assistant/tools"),
)
async def tools(ctx: RequestContext) -> dict[str, Any]:
    """The tools the caller may run (read-only operations within its features)."""
    items = [describe(op) for op in tools_for(ctx)]
    return {"items": items, "total": len(items)}


async def _check_session_token(ctx: RequestContext, token: str) -> None:
    principal = ctx.require_auth()
    async with ctx.read_session() as session:
        key = await session.scalar(select(AiSessionKey).where(AiSessionKey.digest == _digest(token)))
    if (
        key is None
        or key.tenant_id != ctx.tenant_id()
        or key.user_id != principal.user_id
        or key.expires_at <= datetime.now(UTC)
    ):
        raise Unauthorized("Invalid or expired session token")


@operation(
    "ai_execute_tool",
    MODULE,
    input=AiExecuteInput,
    output=AiExecuteReply,
    kind="query",
    features=(VIEW,),
    rest=Rest("POST", "/ai_assistant/tools/execute"),
)
async def execute_tool(ctx: RequestContext, data: AiExecuteInput) -> dict[str, Any]:
    """Run one tool for the caller (a ``_sessionToken``, when given, must be one of its live keys)."""
    if data.sessionToken is not None:
        await _check_session_token(ctx, data.sessionToken)
    return {"toolName": data.toolName, "result": await execute(ctx, data.toolName, dict(data.args))}


@operation(
    "ai_settings",
    MODULE,
    output=AiSettings,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/ai_assistant/settings"),
)
async def assistant_settings(ctx: RequestContext) -> dict[str, Any]:
    """Whether a provider is configured, which model, and how many tools the caller is offered."""
    settings = ctx.settings
    enabled, creds = await credentials_of(ctx, INTEGRATION)
    return {
        "configured": bool(settings.ai_api_url) and enabled,
        "enabled": enabled,
        "provider": PROVIDER,
        "baseUrl": settings.ai_api_url or None,
        "model": creds.get("model") or settings.ai_model,
        "hasApiKey": bool(creds.get("apiKey") or settings.ai_api_key),
        "toolCount": len(tools_for(ctx)),
        "sessionKeyTtlSeconds": int(SESSION_TTL.total_seconds()),
    }


async def _health(ctx: RequestContext) -> dict[str, Any]:
    client, reason = await provider(ctx)
    if client is None:
        return {
            "configured": False,
            "status": "not_configured",
            "provider": PROVIDER,
            "model": None,
            "latencyMs": None,
            "message": reason,
        }
    started = time.monotonic()
    try:
        models = await client.models()
    except ProviderError as exc:
        return {
            "configured": True,
            "status": "unhealthy",
            "provider": PROVIDER,
            "model": client.model,
            "latencyMs": None,
            "message": exc.message,
        }
    latency = int((time.monotonic() - started) * 1000)
    known = not models or client.model in models
    return {
        "configured": True,
        "status": "healthy" if known else "unhealthy",
        "provider": PROVIDER,
        "model": client.model,
        "latencyMs": latency,
        "message": None if known else f"Model {client.model} is not offered by the provider",
    }


@operation(
    "ai_health",
    MODULE,
    output=AiHealth,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/ai_assistant/health"),
)
async def health(ctx: RequestContext) -> dict[str, Any]:
    """Ask the provider for its models (reachability, key, model offered)."""
    return await _health(ctx)


@probe(INTEGRATION)
async def _probe(ctx: RequestContext, _credentials: dict[str, str]) -> tuple[str, str]:
    report = await _health(ctx)
    status = {"not_configured": "unconfigured"}.get(report["status"], report["status"])
    return status, report.get("message") or f"Model {report.get('model')} answered"


@operation(
    "ai_session_key",
    MODULE,
    output=AiSessionKeyReply,
    features=(VIEW,),
    rest=Rest("POST", "/ai_assistant/session-key"),
)
async def session_key(ctx: RequestContext) -> dict[str, Any]:
    """A new session token for tool calls (``_sessionToken``), valid for an hour, bound to the caller
    (its user, tenant and selected organization); only its digest is stored."""
    principal = ctx.require_auth()
    if principal.user_id is None or ctx.tenant_id() is None:
        raise Unauthorized("Session keys are issued to users of a tenant")
    token = "ais_" + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + SESSION_TTL
    async with ctx.unit_of_work() as uow:
        key = AiSessionKey(
            tenant_id=ctx.tenant_id(),
            user_id=principal.user_id,
            organization_id=principal.org_id,
            digest=_digest(token),
            expires_at=expires,
        )
        uow.session.add(key)
        await uow.session.flush()
        after = {"userId": str(principal.user_id), "expiresAt": format_datetime(expires)}
        record_action(
            ctx,
            uow,
            command_id=f"{MODULE}.session_key",
            label="AI session key issued",
            resource_kind=f"{MODULE}:session_key",
            resource_id=key.id,
            before=None,
            after=after,
            tenant_id=key.tenant_id,
            organization_id=key.organization_id,
        )
        emit(ctx, uow, f"{MODULE}.session_key.issued", after, key.tenant_id, key.organization_id)
    return {"sessionToken": token, "expiresAt": format_datetime(expires)}
