"""Deliver the mail outbox over SMTP (SMTP_URL); without it, mail stays queued in the table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlparse

import aiosmtplib
from arq import Retry
from sqlalchemy import func, select, update

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


def _scrub(mail: EmailOutbox, status: str) -> None:
    """Keep what delivery no longer needs out of the table: a secret-bearing body goes."""
    mail.status = status
    if mail.expires_at is not None:
        mail.body = ""


async def send_email(ctx: dict[str, Any], mail_id: str) -> str:
    settings = ctx["settings"]
    if not settings.smtp_url:
        return "queued"
    async with ctx["sessionmaker"]() as session:
        mail = await session.scalar(
            select(EmailOutbox).where(EmailOutbox.id == uuid.UUID(mail_id)).with_for_update(skip_locked=True)
        )
        if mail is None or mail.status in ("sent", "expired"):
            return "skipped"
        if mail.expires_at is not None and mail.expires_at <= datetime.now(UTC):
            _scrub(mail, "expired")
            await session.commit()
            return "expired"
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
        _scrub(mail, "sent")
        mail.sent_at = func.now()
        await session.commit()
    return "sent"


async def purge_expired_mail(ctx: dict[str, Any]) -> int:
    """Cron: undelivered secret-bearing mail past its expiry loses its body (with or without SMTP)."""
    async with ctx["sessionmaker"]() as session:
        result = await session.execute(
            update(EmailOutbox)
            .where(
                EmailOutbox.status.in_(("pending", "failed")),
                EmailOutbox.expires_at.is_not(None),
                EmailOutbox.expires_at <= func.now(),
            )
            .values(status="expired", body="")
        )
        await session.commit()
    return result.rowcount


STALE_AFTER = timedelta(seconds=30)


async def sweep_mail(ctx: dict[str, Any]) -> int:
    """Cron: purge expired secret-bearing mail, then queue pending mail that missed the queue
    (e.g. Redis was down after the commit). Returns how many were queued."""
    await purge_expired_mail(ctx)
    cutoff = datetime.now(UTC) - STALE_AFTER
    async with ctx["sessionmaker"]() as session:
        ids = list(
            (
                await session.execute(
                    select(EmailOutbox.id)
                    .where(EmailOutbox.status == "pending", EmailOutbox.created_at < cutoff)
                    .order_by(EmailOutbox.created_at)  # oldest first
                    .limit(500)
                )
            ).scalars()
        )
    sweep = int(datetime.now(UTC).timestamp())
    for mail_id in ids:
        await ctx["redis"].enqueue_job("send_email", str(mail_id), _job_id=f"mail:{mail_id}:sweep:{sweep}")
    return len(ids)
