"""Fixtures of the live event tests: a tenant with a customers employee and one without customer
features, a server-sent event reader and a graphql-transport-ws client."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientWebSocketResponse, WSMsgType

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "sales": ["customers.*"],  # sees customer events
    "clerk": ["progress.create"],  # no customer feature: sees progress jobs only
}
TIMEOUT = 10.0  # seconds a test waits for something that must come (delivery itself is asserted < 1 s)


@pytest.fixture
async def eworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def boss(client: Any, eworld: World) -> Api:
    return await login(client, eworld.admin_email)


class SseReader:
    """Reads a ``text/event-stream`` response block by block."""

    def __init__(self, response: ClientResponse) -> None:
        self.response = response

    async def block(self) -> dict[str, Any]:
        """The next block's fields (comments under ``comment``); ``{}`` at the end of the stream."""
        fields: dict[str, Any] = {}
        while True:
            line = (await self.response.content.readline()).decode()
            if line == "":
                return fields  # end of stream
            line = line.rstrip("\n")
            if line == "":
                if fields:
                    return fields
                continue
            name, _, value = line.partition(":")
            fields["comment" if name == "" else name] = value.removeprefix(" ")

    async def event(self) -> dict[str, Any]:
        """The next event (heartbeats skipped), with its data decoded."""
        while True:
            fields = await self.block()
            if not fields:
                raise EOFError("the stream ended")
            if "event" in fields:
                return {**fields, "data": json.loads(fields["data"])}


@asynccontextmanager
async def sse(api: Api, headers: dict[str, str] | None = None) -> AsyncIterator[SseReader]:
    """An open stream for ``api``'s caller, once the server subscribed it (its greeting came)."""
    response = await api.client.get("/api/events/stream", headers={**api.headers, **(headers or {})})
    try:
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"].startswith("text/event-stream")
        reader = SseReader(response)
        greeting = await reader.block()
        assert greeting == {"comment": "connected", "retry": "3000"}, greeting
        yield reader
    finally:
        response.close()


class WsClient:
    """A graphql-transport-ws client over aiohttp."""

    def __init__(self, socket: ClientWebSocketResponse) -> None:
        self.socket = socket

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.socket.send_json({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        ident = uuid.uuid4().hex
        payload = {"query": query, "variables": variables or {}}
        await self.socket.send_json({"id": ident, "type": "subscribe", "payload": payload})
        return ident

    async def receive(self) -> dict[str, Any]:
        """The next protocol message (pings answered); ``{"type": "closed", "code"}`` when closed."""
        while True:
            message = await self.socket.receive()
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
                return {"type": "closed", "code": self.socket.close_code}
            data = json.loads(message.data)
            if data.get("type") == "ping":
                await self.socket.send_json({"type": "pong"})
                continue
            return data

    async def next(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "next", message
        return message["payload"]


@asynccontextmanager
async def websocket(api: Api, headers: dict[str, str] | None = None) -> AsyncIterator[WsClient]:
    socket = await api.client.ws_connect(
        "/graphql", protocols=("graphql-transport-ws",), headers=headers or {}
    )
    try:
        yield WsClient(socket)
    finally:
        await socket.close()


def bearer(api: Api) -> str:
    return api.headers["Authorization"]


async def person(api: Api, org: Any = None, name: str = "Ada") -> str:
    body = {"firstName": name, "lastName": "Lovelace", **({"organizationId": str(org)} if org else {})}
    status, reply = await api.post("/api/customers/people", body)
    assert status == 201, reply
    return reply["id"]


async def progress_job(api: Api, org: Any = None, name: str = "Sentinel") -> str:
    body = {"jobType": "test.sentinel", "name": name, **({"organizationId": str(org)} if org else {})}
    status, reply = await api.post("/api/progress/jobs", body)
    assert status == 201, reply
    return reply["id"]
