"""Receiving an email and running the extractor over it: the email row, then a proposal with its
actions (an earlier open proposal of the same email is superseded: rejected with its pending
actions). Extraction is deterministic and cheap, so it runs in the receiving command."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from crmgraph.config import Settings
from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.crypto import decrypt, encrypt
from models.inbox_ops import InboxEmail, InboxProposal, InboxProposalAction, InboxSettings
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.inbox_ops.entities import EMAIL_STATUS, MODULE
from resolvers.inbox_ops.extractor import extract


def now() -> datetime:
    return datetime.now(UTC)


async def snapshot(session: Any, entity: Any, obj: Any) -> dict[str, Any]:
    """``obj`` as its entity serializes it, reloaded (columns a flush expired included)."""
    await session.flush()
    await session.refresh(obj)
    return serialize(entity, obj)


def forwarding_address(settings: Any, row: InboxSettings) -> str:
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"inbox+{row.forwarding_token}@{host}"


def webhook_secret(settings: Settings, row: InboxSettings) -> str:
    return decrypt(settings, row.webhook_secret)


def token_from_address(address: str) -> str | None:
    """The forwarding token in ``inbox+<token>@host`` (any display name around it)."""
    local = address.strip().rsplit("<", 1)[-1].split("@", 1)[0]
    if "+" not in local:
        return None
    token = local.split("+", 1)[1]
    return token if token.isalnum() and len(token) <= 64 else None


async def settings_row(
    session: Any, tenant_id: uuid.UUID, org_id: uuid.UUID | None = None, *, create: Settings | None = None
) -> InboxSettings | None:
    """The tenant's settings (created with a fresh token and a sealed secret when ``create`` is
    given: the settings whose data key seals it)."""
    row = await session.scalar(select(InboxSettings).where(InboxSettings.tenant_id == tenant_id))
    if row is None and create is not None:
        row = InboxSettings(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            organization_id=org_id,
            forwarding_token=secrets.token_hex(12),
            webhook_secret=encrypt(create, secrets.token_hex(32)),
            working_language="en",
            is_active=True,
        )
        session.add(row)
        await session.flush()
    return row


async def receive(
    ctx: RequestContext,
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    from_address: str,
    from_name: str | None,
    subject: str,
    text_body: str,
    to_address: str | None = None,
    message_id: str | None = None,
    source: str = "webhook",
) -> InboxEmail:
    """Store one email and extract its proposal."""
    email = InboxEmail(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        organization_id=organization_id,
        message_id=message_id,
        from_address=from_address,
        from_name=from_name,
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        source=source,
        status=EMAIL_STATUS.initial,
        is_archived=False,
        received_at=now(),
    )
    uow.session.add(email)
    await uow.session.flush()
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="email",
        verb="create",
        event="received",
        resource_id=email.id,
        tenant_id=tenant_id,
        organization_id=organization_id,
        payload={"source": source},
    )
    await process(ctx, uow, email)
    return email


async def supersede(uow: UnitOfWork, email: InboxEmail) -> None:
    """Reject the email's open proposals and their pending actions."""
    open_ones = (
        await uow.session.execute(
            select(InboxProposal).where(
                InboxProposal.email_id == email.id, InboxProposal.status.in_(("pending", "partial"))
            )
        )
    ).scalars()
    for proposal in open_ones:
        proposal.status = "rejected"
        actions = await uow.session.execute(
            select(InboxProposalAction).where(
                InboxProposalAction.proposal_id == proposal.id,
                InboxProposalAction.status.in_(("pending", "failed")),
            )
        )
        for action in actions.scalars():
            action.status, action.processed_at = "rejected", now()


async def process(ctx: RequestContext, uow: UnitOfWork, email: InboxEmail) -> InboxProposal:
    """Run the extractor over ``email``: a new proposal, the email ``processed``."""
    EMAIL_STATUS.check(email.status, "processing")
    email.status = "processing"
    await supersede(uow, email)
    found = extract(email.from_address, email.from_name, email.subject, email.text_body)
    proposal = InboxProposal(
        id=uuid.uuid4(),
        tenant_id=email.tenant_id,
        organization_id=email.organization_id,
        email_id=email.id,
        status="pending",
        category=found.category,
        summary=found.summary,
        confidence=found.confidence,
        discrepancies=found.discrepancies,
        translations={},
    )
    uow.session.add(proposal)
    await uow.session.flush()
    for order, action in enumerate(found.actions):
        uow.session.add(
            InboxProposalAction(
                id=uuid.uuid4(),
                tenant_id=email.tenant_id,
                organization_id=email.organization_id,
                proposal_id=proposal.id,
                action_type=action["type"],
                description=action["description"][:1000],
                payload=action["payload"],
                status="pending",
                sort_order=order,
            )
        )
    EMAIL_STATUS.check(email.status, "processed")
    email.status, email.processed_at, email.error_message = "processed", now(), None
    await uow.session.flush()
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="proposal",
        verb="create",
        event="created",
        resource_id=proposal.id,
        tenant_id=email.tenant_id,
        organization_id=email.organization_id,
        secondary=True,
        payload={"emailId": str(email.id), "category": proposal.category},
    )
    return proposal
