"""Outgoing mail from a command: a row in the ``email_outbox`` written in the command's transaction,
delivered by the worker (``workers.mail.send_email``) once the transaction committed."""

from __future__ import annotations

import uuid
from datetime import datetime

from crmgraph.context import RequestContext, UnitOfWork
from models.auth import EmailOutbox
from resolvers.events import enqueue_best_effort


def queue_mail(
    ctx: RequestContext,
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID | None,
    to: str,
    subject: str,
    body: str,
    expires_at: datetime | None = None,
) -> EmailOutbox:
    """Queue one mail; ``expires_at`` marks a body carrying a secret (purged when undelivered by then)."""
    mail = EmailOutbox(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        to_address=to,
        subject=subject[:300],
        body=body,
        expires_at=expires_at,
    )
    uow.session.add(mail)

    async def enqueue() -> None:
        await enqueue_best_effort(ctx, "send_email", str(mail.id), _job_id=f"mail:{mail.id}")

    uow.after_commit(enqueue)
    return mail
