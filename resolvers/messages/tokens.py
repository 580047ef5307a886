"""E-mail links to a message: one unguessable token per recipient, stored only as its SHA-256 digest,
valid for ``TOKEN_TTL`` and at most ``MAX_USES`` opens. Opening a link needs no sign-in, unless the
message asks for an action on a record: then only the signed-in recipient may open it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, DomainError, Forbidden, NotFound
from crmgraph.security import opaque_token, token_digest
from models.messages import Message, MessageAccessToken, MessageRecipient
from resolvers.entity import to_jsonable
from resolvers.events import record_command
from resolvers.messages.actions import action_data, object_item, objects_of
from resolvers.messages.copies import change_copy, mark_read
from resolvers.messages.entities import MODULE
from resolvers.notifications.actions import required_text
from resolvers.operations import Rest, operation

TOKEN_TTL = timedelta(days=7)
MAX_USES = 25
INVALID = "Invalid or expired link"


class LinkExpired(DomainError):
    status = 410
    code = "link_expired"


def issue_token(uow: UnitOfWork, message: Message, recipient_user_id: uuid.UUID) -> tuple[str, datetime]:
    """A new link token for the recipient (returned once, kept as a digest) and when it expires."""
    token = opaque_token(32)
    now = datetime.now(UTC)
    uow.session.add(
        MessageAccessToken(
            id=uuid.uuid4(),
            tenant_id=message.tenant_id,
            message_id=message.id,
            recipient_user_id=recipient_user_id,
            token_hash=token_digest(token),
            expires_at=now + TOKEN_TTL,
            created_at=now,
        )
    )
    return token, now + TOKEN_TTL


def link_url(ctx: RequestContext, token: str) -> str:
    return f"{ctx.settings.public_url.rstrip('/')}/api/messages/token/{token}"


class TokenInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: required_text(200)


class LinkedObject(BaseModel):
    id: uuid.UUID
    entityModule: str
    entityType: str
    entityId: uuid.UUID
    actionRequired: bool
    actionType: str | None = None
    actionLabel: str | None = None
    snapshot: dict[str, Any] | None = None


class MessageViaLink(BaseModel):
    """The message a link opens (only ``requiresAuth`` when the recipient must sign in first)."""

    requiresAuth: bool
    id: uuid.UUID | None = None
    type: str | None = None
    subject: str | None = None
    body: str | None = None
    bodyFormat: str | None = None
    priority: str | None = None
    senderUserId: uuid.UUID | None = None
    sentAt: str | None = None
    actionData: dict[str, Any] | None = None
    actionTaken: str | None = None
    actionTakenAt: str | None = None
    actionTakenByUserId: uuid.UUID | None = None
    objects: list[LinkedObject] | None = None
    recipientUserId: uuid.UUID | None = None


@operation(
    "open_message_link",
    MODULE,
    input=TokenInput,
    output=MessageViaLink,
    auth=False,
    transaction=False,  # a system unit of work: the link names the tenant, not the caller
    rest=Rest("GET", "/messages/token/{token}"),
)
async def open_link(ctx: RequestContext, data: TokenInput) -> dict[str, Any]:
    """Open a message from its e-mail link: 404 for an unknown link, 410 once expired, 409 once used
    up; marks the recipient's copy read."""
    now = datetime.now(UTC)
    async with ctx.unit_of_work(system=True) as uow:
        link = await uow.session.scalar(
            select(MessageAccessToken)
            .where(MessageAccessToken.token_hash == token_digest(data.token))
            .with_for_update()
        )
        if link is None:
            raise NotFound(INVALID)
        if link.expires_at <= now:
            raise LinkExpired("This link has expired")
        if link.use_count >= MAX_USES:
            raise Conflict("This link can no longer be used")
        message = await uow.session.scalar(
            select(Message).where(
                Message.id == link.message_id, Message.deleted_at.is_(None), Message.is_draft.is_(False)
            )
        )
        copy = await uow.session.scalar(
            select(MessageRecipient)
            .where(
                MessageRecipient.message_id == link.message_id,
                MessageRecipient.recipient_user_id == link.recipient_user_id,
                MessageRecipient.deleted_at.is_(None),
            )
            .with_for_update()
        )
        if message is None or copy is None:
            raise NotFound(INVALID)
        objects = await objects_of(uow.session, [message.id])
        requires_auth = any(o.action_required for o in objects)
        if requires_auth:
            if ctx.principal is None:
                return {"requiresAuth": True}
            if ctx.principal.user_id != link.recipient_user_id:
                denied = Forbidden()
                denied.extra["requiresAuth"] = True
                raise denied
        _use(ctx, uow, link)
        await change_copy(ctx, uow, copy, mark_read)
        return {
            "id": str(message.id),
            "type": message.type,
            "subject": message.subject,
            "body": message.body,
            "bodyFormat": message.body_format,
            "priority": message.priority,
            "senderUserId": str(message.sender_user_id),
            "sentAt": to_jsonable(message.sent_at),
            "actionData": action_data(message, objects),
            "actionTaken": message.action_taken,
            "actionTakenAt": to_jsonable(message.action_taken_at),
            "actionTakenByUserId": str(message.action_taken_by_user_id)
            if message.action_taken_by_user_id
            else None,
            "objects": [object_item(o) for o in objects],
            "requiresAuth": requires_auth,
            "recipientUserId": str(link.recipient_user_id),
        }


def _use(ctx: RequestContext, uow: UnitOfWork, link: MessageAccessToken) -> None:
    before = {"useCount": link.use_count}
    link.use_count += 1
    link.used_at = datetime.now(UTC)
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="message_access_token",
        verb="use",
        event="used",
        resource_id=link.id,
        tenant_id=link.tenant_id,
        before=before,
        after={"useCount": link.use_count},
        payload={"messageId": str(link.message_id), "recipientUserId": str(link.recipient_user_id)},
    )
