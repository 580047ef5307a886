"""What the onboarding routes share: the public budgets, mail through the outbox, status tokens and
the form's field types."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.security import decode_access_token, issue_access_token
from models.auth import EmailOutbox, User
from resolvers.events import enqueue_best_effort
from resolvers.ratelimits import Budget

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]

# Per client address: form submissions (each may send mail), token checks (failures), status polls.
SUBMISSIONS = Budget("onboarding:submit", 5, 600)
VERIFY_FAILURES = Budget("onboarding:verify-failed", 20, 60)
STATUS_CHECKS = Budget("onboarding:status", 60, 60)
FEEDBACK = Budget("onboarding:feedback", 5, 300)
# Per recipient: at most one onboarding mail (verification link or "you have an account") and one
# feedback copy per ten minutes, whoever asks, so the routes cannot be used to flood an inbox.
ONBOARDING_MAIL = Budget("onboarding:mail", 1, 600)
FEEDBACK_COPY = Budget("onboarding:feedback-copy", 1, 600)

STATUS_AUDIENCE = "onboarding-status"  # its own signing key: never valid as a staff token


def queue_mail(
    ctx: RequestContext,
    uow: UnitOfWork,
    to: str,
    subject: str,
    body: str,
    *,
    expires_at: datetime | None = None,
    tenant_id: uuid.UUID | None = None,
) -> EmailOutbox:
    """Write a mail to the outbox in this unit of work; the worker sends it after commit (the mail
    sweep catches it when the queue was unreachable). Secret-bearing mail passes ``expires_at``."""
    mail = EmailOutbox(
        id=uuid.uuid4(), tenant_id=tenant_id, to_address=to, subject=subject, body=body, expires_at=expires_at
    )
    uow.session.add(mail)

    async def send() -> None:
        await enqueue_best_effort(ctx, "send_email", str(mail.id), _job_id=f"mail:{mail.id}")

    uow.after_commit(send)
    return mail


async def email_in_use(session: Any, email: str) -> bool:
    """Whether a live staff login has this e-mail (in any tenant): a system session's question."""
    query = select(User.id).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
    return await session.scalar(query.limit(1)) is not None


def status_token(ctx: RequestContext, reference: uuid.UUID) -> str:
    """A signed, expiring handle on an onboarding request for ``GET .../status``."""
    claims = {"sub": str(reference), "sid": str(reference)}
    return issue_access_token(ctx.settings, claims, audience=STATUS_AUDIENCE)


def read_status_token(ctx: RequestContext, token: str) -> uuid.UUID | None:
    claims = decode_access_token(ctx.settings, token, audience=STATUS_AUDIENCE)
    try:
        return uuid.UUID(str(claims["sub"])) if claims else None
    except ValueError:
        return None
