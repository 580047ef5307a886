"""A client of the OpenAI-compatible chat-completions protocol: ``GET {base}/models`` and
``POST {base}/chat/completions`` (``model``, ``messages``, optional ``tools`` of type ``function``)
with a bearer key. ``base`` includes the version (``https://api.openai.com/v1``)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from crmgraph.errors import DomainError

TIMEOUT = 60.0


class ProviderError(DomainError):
    """The provider was unreachable, slow, refused the request or answered garbage."""

    status = 502
    code = "ai_provider_error"


class ChatClient:
    def __init__(self, base_url: str, api_key: str, model: str, timeout: float = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.request(method, self.base_url + path, json=body, headers=self._headers()) as response,
            ):
                text = await response.text()
                if response.status >= 400:
                    raise ProviderError(f"AI provider answered {response.status}: {_reason(text)}")
                return json.loads(text)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise ProviderError(f"AI provider unreachable ({type(exc).__name__})") from None
        except ValueError:
            raise ProviderError("AI provider answered something that is not JSON") from None

    async def models(self) -> list[str]:
        reply = await self._call("GET", "/models")
        return [str(item.get("id")) for item in (reply.get("data") or []) if isinstance(item, dict)]

    async def complete(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """One completion: ``{"message": {...}, "usage": {...}, "model": ...}`` of the first choice."""
        body: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            body["tools"] = tools
        reply = await self._call("POST", "/chat/completions", body)
        try:
            message = reply["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise ProviderError("AI provider answered without a choice") from None
        if not isinstance(message, dict):
            raise ProviderError("AI provider answered without a message")
        return {"message": message, "usage": reply.get("usage"), "model": reply.get("model", self.model)}


def _reason(text: str) -> str:
    try:
        error = json.loads(text).get("error")
        if isinstance(error, dict):
            return str(error.get("message", ""))[:200]
        return str(error)[:200]
    except (ValueError, AttributeError):
        return text[:200]
