"""Deliver the mail outbox over SMTP (SMTP_URL); without it, mail stays queued in the table."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlparse

import aiosmtplib
from arq import Retry
from sqlalchemy import func, select

from models.auth import EmailOutbox

MAX_ATTEMPTS = 5


def smtp_options(url: str) -> dict[str, Any]:
    parsed = urlparse(url)
    return {
        "hostname": parsed.hostname or "127.0.0.1",
        "port": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "username": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "use_tls": parsed.scheme == "smtps",
        "start_tls": False if parsed.scheme == "smtps" else None,
        "timeout": 15,
    }


async def send_email(ctx: dict[str, Any], mail_id: str) -> str:
    settings = ctx["settings"]
    if not settings.smtp_url:
        return "queued"
    async with ctx["sessionmaker"]() as session:
        mail = await session.scalar(
            select(EmailOutbox).where(EmailOutbox.id == uuid.UUID(mail_id)).with_for_update(skip_locked=True)
        )
        if mail is None or mail.status == "sent":
            return "skipped"
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        mail.attempts += 1
        try:
            await aiosmtplib.send(message, **smtp_options(settings.smtp_url))
        except (aiosmtplib.SMTPException, OSError) as exc:
            mail.last_error = str(exc)[:2000]
            mail.status = "failed" if mail.attempts >= MAX_ATTEMPTS else "pending"
            await session.commit()
            if mail.status == "failed":
                return "failed"
            raise Retry(defer=5 * mail.attempts) from exc
        mail.status = "sent"
        mail.sent_at = func.now()
        await session.commit()
    return "sent"
