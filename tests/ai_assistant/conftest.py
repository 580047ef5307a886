"""Fixtures of the AI assistant tests: a local server speaking the OpenAI chat-completions protocol
on 127.0.0.1 (bearer key, ``/v1/models``, ``/v1/chat/completions`` with tool calls), an app whose
``AI_API_URL`` points at it, one tenant per module and another tenant's admin."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.conftest import Api, app_beside, login
from tests.factories import World, make_world

KEY = "sk-test-key"
MODEL = "test-model"


class FakeOpenAI:
    """Answers like an OpenAI-compatible provider. ``script`` is the list of assistant messages to
    answer with (one per completion, the last repeated); ``requests`` records the bodies."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any]] = [{"role": "assistant", "content": "Hello!"}]
        self.requests: list[dict[str, Any]] = []
        self.down = False
        app = web.Application()
        app.router.add_get("/v1/models", self.models)
        app.router.add_post("/v1/chat/completions", self.complete)
        self.app = app

    def refused(self, request: web.Request) -> web.Response | None:
        if self.down:
            return web.json_response({"error": {"message": "overloaded"}}, status=503)
        if request.headers.get("Authorization") != f"Bearer {KEY}":
            return web.json_response({"error": {"message": "Incorrect API key"}}, status=401)
        return None

    async def models(self, request: web.Request) -> web.Response:
        return self.refused(request) or web.json_response({"object": "list", "data": [{"id": MODEL}]})

    async def complete(self, request: web.Request) -> web.Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        body = await request.json()
        self.requests.append(body)
        message = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
            }
        )


def tool_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        ],
    }


@pytest.fixture(scope="module")
async def openai(settings: Any) -> AsyncIterator[tuple[FakeOpenAI, TestClient]]:
    fake = FakeOpenAI()
    configure = {"ai_api_key": KEY, "ai_model": MODEL}
    async with app_beside(fake.app, settings, lambda url: {"ai_api_url": f"{url}/v1", **configure}) as client:
        yield fake, client


@pytest.fixture(scope="module")
async def aworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"plain": ["ai_assistant.view"]})


@pytest.fixture(scope="module")
async def asker(openai: Any, aworld: World) -> Api:
    return await login(openai[1], aworld.admin_email)


@pytest.fixture(scope="module")
async def plain(openai: Any, aworld: World) -> Api:
    return await login(openai[1], aworld.emails["plain"])


@pytest.fixture(scope="module")
async def other_asker(openai: Any, sessionmaker: Any) -> Api:
    return await login(openai[1], (await make_world(sessionmaker)).admin_email)
