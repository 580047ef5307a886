"""Item 15: a reset link does not stay in the mail outbox: expired undelivered mail and delivered
mail lose their body."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from crmgraph.app import STATE
from models.auth import EmailOutbox
from tests.test_password_reset import Inbox, free_port
from workers.mail import send_email, sweep_mail


async def _mails(sessionmaker, email: str) -> list[EmailOutbox]:
    async with sessionmaker() as session:
        query = select(EmailOutbox).where(EmailOutbox.to_address == email).order_by(EmailOutbox.created_at)
        return list((await session.execute(query)).scalars())


async def test_undelivered_reset_mail_expires_with_its_token(
    world, anonymous, settings, sessionmaker, client
):
    email = world.emails["viewer"]
    assert await anonymous.post("/api/auth/reset", {"email": email}) == (200, {"ok": True})
    [mail] = await _mails(sessionmaker, email)
    ttl = timedelta(seconds=settings.reset_token_ttl)
    assert "/reset/" in mail.body and abs(mail.expires_at - (datetime.now(UTC) + ttl)) < timedelta(minutes=1)
    worker = {"settings": settings, "sessionmaker": sessionmaker, "redis": client.app[STATE]["redis"]}
    await sweep_mail(worker)
    assert "/reset/" in (await _mails(sessionmaker, email))[0].body  # not expired yet: kept for delivery
    async with sessionmaker() as session:
        await session.execute(
            update(EmailOutbox).where(EmailOutbox.id == mail.id).values(expires_at=datetime.now(UTC))
        )
        await session.commit()
    await sweep_mail(worker)
    [mail] = await _mails(sessionmaker, email)
    assert (mail.status, mail.body) == ("expired", "")
    smtp = {"settings": replace(settings, smtp_url="smtp://127.0.0.1:9"), "sessionmaker": sessionmaker}
    assert await send_email(smtp, str(mail.id)) == "skipped"  # never sent late


async def test_delivered_reset_mail_keeps_no_link(world, anonymous, settings, sessionmaker):
    email = world.emails["employee"]
    await anonymous.post("/api/auth/reset", {"email": email})
    [mail] = await _mails(sessionmaker, email)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        worker = {
            "settings": replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"),
            "sessionmaker": sessionmaker,
        }
        assert await send_email(worker, str(mail.id)) == "sent"
    finally:
        await asyncio.to_thread(controller.stop)
    assert "/reset/" in inbox.messages[0]
    [mail] = await _mails(sessionmaker, email)
    assert (mail.status, mail.body) == ("sent", "")
