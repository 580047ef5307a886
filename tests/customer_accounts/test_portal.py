"""The portal's notifications and live stream (own rows only; broadcast events of the customer's
tenant only), and the public routes' budgets."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from crmgraph.context import RequestContext
from crmgraph.errors import TooManyRequests
from models.auth import EmailOutbox
from models.customer_accounts import CustomerNotification
from models.events import OutboxEvent
from resolvers.operations import OPERATIONS, invoke
from tests.conftest import Api
from tests.customer_accounts.conftest import BASE, PASSWORD, customer, portal_login
from tests.event_stream.conftest import SseReader
from tests.factories import make_world

NOTES = f"{BASE}/portal/notifications"


async def notify(sessionmaker: Any, tenant_id: Any, user_id: str, title: str) -> str:
    async with sessionmaker() as session:
        row = CustomerNotification(
            id=uuid.uuid4(), tenant_id=tenant_id, user_id=uuid.UUID(user_id), type="t", title=title
        )
        session.add(row)
        await session.commit()
    return str(row.id)


async def test_notifications(client: Any, sessionmaker: Any, cworld: Any, manager: Api):
    mine_id, mine = await customer(client, manager)
    other_id, other = await customer(client, manager)
    me, _ = await portal_login(client, mine)
    them, _ = await portal_login(client, other)
    first = await notify(sessionmaker, cworld.tenant_id, mine_id, "one")
    second = await notify(sessionmaker, cworld.tenant_id, mine_id, "two")
    foreign = await notify(sessionmaker, cworld.tenant_id, other_id, "theirs")

    assert await me.get(f"{NOTES}/unread-count") == (200, {"ok": True, "unreadCount": 2})
    assert (await me.put(f"{NOTES}/{foreign}/read"))[0] == 404  # someone else's
    assert (await me.put(f"{NOTES}/{first}/read")) == (200, {"ok": True})
    assert (await me.put(f"{NOTES}/{second}/dismiss")) == (200, {"ok": True})
    _, page = await me.get(NOTES)
    assert [(n["id"], n["status"]) for n in page["items"]] == [(first, "read")] and page["total"] == 1
    _, dismissed = await me.get(f"{NOTES}?status=dismissed")
    assert [n["id"] for n in dismissed["items"]] == [second]
    assert await them.put(f"{NOTES}/mark-all-read") == (200, {"ok": True, "count": 1})
    assert await them.get(f"{NOTES}/unread-count") == (200, {"ok": True, "unreadCount": 0})


async def test_the_stream_carries_portal_broadcasts_of_the_tenant(
    client: Any, sessionmaker: Any, cworld: Any, manager: Api
):
    _id, address = await customer(client, manager)
    me, _ = await portal_login(client, address)
    away = await make_world(sessionmaker)
    response = await client.get(f"{BASE}/portal/events/stream", headers=me.headers)
    try:
        assert response.status == 200
        reader = SseReader(response)
        assert (await reader.block())["comment"] == "connected"
        async with sessionmaker() as session:
            for tenant, name, broadcast in (
                (cworld.tenant_id, "orders.internal", False),
                (away.tenant_id, "orders.foreign", True),
                (cworld.tenant_id, "orders.shipped", True),
            ):
                payload = {"portalBroadcast": True} if broadcast else {}
                session.add(OutboxEvent(id=uuid.uuid4(), name=name, payload=payload, tenant_id=tenant))
                await session.commit()  # one after another: delivered in this order
        async with asyncio.timeout(5):
            event = await reader.event()
        assert event["event"] == "orders.shipped"  # the internal and the foreign ones never came
    finally:
        response.close()
    assert (await manager.get(f"{BASE}/portal/events/stream"))[0] == 401


async def test_budgets_of_the_public_routes(settings: Any, sessionmaker: Any, client: Any, manager: Api):
    _id, address = await customer(client, manager)
    tight = replace(settings, login_rate_per_ip=100, login_rate_per_email=2, reset_rate_per_account=1)
    ctx = RequestContext(
        settings=tight, sessionmaker=sessionmaker, client_ip=f"10.9.{uuid.uuid4().int % 250}.1"
    )
    login = OPERATIONS["customer_login"]
    for _ in range(2):
        with pytest.raises(Exception) as failed:
            await invoke(
                login,
                RequestContext(settings=tight, sessionmaker=sessionmaker, client_ip=ctx.client_ip),
                {"email": address, "password": "wrong-password"},
            )
        assert failed.value.status == 401
    with pytest.raises(TooManyRequests):  # the right password too, once the budget is spent
        await invoke(login, ctx, {"email": address, "password": PASSWORD})

    reset = OPERATIONS["customer_password_reset_request"]
    before = await mails(sessionmaker, address)
    for _ in range(3):
        _, answer = await invoke(
            reset, RequestContext(settings=tight, sessionmaker=sessionmaker), {"email": address}
        )
        assert answer == {"ok": True}
    assert await mails(sessionmaker, address) == before + 1


async def mails(sessionmaker: Any, address: str) -> int:
    async with sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(EmailOutbox).where(EmailOutbox.to_address == address)
        )
