"""Fixtures of the messages tests: a tenant with an agent, a mechanic, an outsider (all allowed to
write messages) and a reader; another tenant; helpers to write messages and upload files."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import FormData

from tests.conftest import Api, login
from tests.factories import World, make_world
from tests.notifications.conftest import user_id

WRITER = ["messages.*", "auth.users.list", "audit_logs.view_self", "audit_logs.undo_self"]
ROLES = {
    "agent": [*WRITER, "cases.*", "customers.*"],
    "mechanic": WRITER,
    "outsider": WRITER,
    "reader": ["messages.view"],
}


@pytest.fixture
async def mworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture
async def users(client: Any, sessionmaker: Any, mworld: World) -> dict[str, Any]:
    """``{name: (api, user id)}`` for every role and ``admin``."""
    emails = {**mworld.emails, "admin": mworld.admin_email}
    return {
        name: (await login(client, email), await user_id(sessionmaker, email))
        for name, email in emails.items()
    }


@pytest.fixture
async def away(client: Any, sessionmaker: Any) -> tuple[Api, str]:
    """The admin of another tenant, and a user id there."""
    other = await make_world(sessionmaker, roles={"mechanic": ["messages.*"]})
    return await login(client, other.admin_email), await user_id(sessionmaker, other.emails["mechanic"])


async def compose(api: Api, to: list[str], **fields: Any) -> dict[str, Any]:
    body = {"recipients": [{"userId": u} for u in to], "subject": "Pickup", "body": "Friday at 10", **fields}
    status, reply = await api.post("/api/messages", body)
    assert status == 201, reply
    return reply


async def upload(api: Api, message_id: str, content: bytes, name: str = "quote.pdf") -> tuple[int, Any]:
    form = FormData()
    form.add_field("file", content, filename=name, content_type="application/pdf")
    return await api.post(f"/api/messages/{message_id}/attachments", data=form)


async def inbox(api: Api, query: str = "") -> list[dict[str, Any]]:
    status, page = await api.get(f"/api/messages{query}")
    assert status == 200, page
    return page["items"]


async def unread(api: Api) -> int:
    status, body = await api.get("/api/messages/unread-count")
    assert status == 200, body
    return body["unreadCount"]
