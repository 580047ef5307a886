"""Password reset: single-use expiring token, mail written to the outbox and delivered over real SMTP."""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import replace

from aiosmtpd.controller import Controller
from sqlalchemy import select

from models.auth import EmailOutbox
from tests.conftest import login
from workers.mail import send_email


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode())
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_reset_flow_over_smtp(client, world, anonymous, settings, sessionmaker):
    email = world.emails["viewer"]
    assert await anonymous.post("/api/auth/reset", {"email": email}) == (200, {"ok": True})
    assert await anonymous.post("/api/auth/reset", {"email": "nobody@example.com"}) == (200, {"ok": True})
    async with sessionmaker() as session:
        mails = list(
            (await session.execute(select(EmailOutbox).where(EmailOutbox.to_address == email))).scalars()
        )
    assert len(mails) == 1 and mails[0].status == "pending"

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        worker_ctx = {
            "settings": replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"),
            "sessionmaker": sessionmaker,
        }
        assert await send_email(worker_ctx, str(mails[0].id)) == "sent"
        assert await send_email(worker_ctx, str(mails[0].id)) == "skipped"  # idempotent
    finally:
        await asyncio.to_thread(controller.stop)
    assert len(inbox.messages) == 1 and f"To: {email}" in inbox.messages[0]
    token = re.search(r"/reset/(\S+)", inbox.messages[0]).group(1)

    assert (await anonymous.post("/api/auth/reset/confirm", {"token": token, "password": "short"}))[0] == 400
    status, body = await anonymous.post(
        "/api/auth/reset/confirm", {"token": token, "password": "a-new-password"}
    )
    assert (status, body) == (200, {"ok": True, "redirect": "/login"})
    await login(client, email, "a-new-password")
    status, body = await anonymous.post(
        "/api/auth/reset/confirm", {"token": token, "password": "another-one"}
    )
    assert status == 400 and body["ok"] is False  # single use
    assert (await anonymous.post("/api/auth/reset/confirm", {"token": "forged", "password": "another-one"}))[
        0
    ] == 400


async def test_unreachable_smtp_keeps_mail_queued(world, anonymous, settings, sessionmaker):
    from arq import Retry

    email = world.emails["employee"]
    await anonymous.post("/api/auth/reset", {"email": email})
    async with sessionmaker() as session:
        mail = await session.scalar(select(EmailOutbox).where(EmailOutbox.to_address == email))
    worker_ctx = {
        "settings": replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}"),
        "sessionmaker": sessionmaker,
    }
    try:
        await send_email(worker_ctx, str(mail.id))
        raise AssertionError("expected a retry")
    except Retry:
        pass
    async with sessionmaker() as session:
        mail = await session.get(EmailOutbox, mail.id)
    assert mail.status == "pending" and mail.attempts == 1 and mail.last_error
