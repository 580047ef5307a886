"""Answering and passing on: a reply in the conversation, a forward of it (with its files), and the
preview of a forward."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, ValidationFailed, issue
from models.messages import Message, MessageAttachment, MessageRecipient
from resolvers.messages.common import (
    COMPOSE,
    MessageRef,
    RecipientInput,
    load_message,
    me,
)
from resolvers.messages.entities import MODULE
from resolvers.messages.forwarding import forward_preview, prefixed
from resolvers.messages.types import message_type
from resolvers.messages.writing import MAX_BODY, MESSAGE_REPLY, MessageFields, Recipients, send, write_draft
from resolvers.notifications.actions import required_text
from resolvers.operations import Rest, operation
from resolvers.validation import text


class ReplyInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    body: required_text(MAX_BODY)
    bodyFormat: Literal["text", "markdown"] = "text"
    recipients: Recipients | None = PydanticField(default=None, max_length=100)
    attachmentIds: list[uuid.UUID] | None = PydanticField(default=None, max_length=100)
    replyAll: bool = False
    sendViaEmail: bool = False


async def _reply_to(
    uow: UnitOfWork, parent: Message, user_id: uuid.UUID | None, reply_all: bool
) -> Recipients:
    """Who a reply goes to: the parent's sender (or, replying to one's own message, its recipients);
    with ``replyAll`` everyone openly on the parent — never blind copies, never oneself."""
    open_copies = (
        await uow.session.execute(
            select(MessageRecipient.recipient_user_id)
            .where(
                MessageRecipient.message_id == parent.id,
                MessageRecipient.recipient_type != "bcc",
                MessageRecipient.deleted_at.is_(None),
            )
            .order_by(MessageRecipient.created_at, MessageRecipient.id)
        )
    ).scalars()
    others = list(open_copies)
    if parent.sender_user_id == user_id:
        wanted = others
    else:
        wanted = [parent.sender_user_id, *(others if reply_all else [])]
    ids = [i for i in dict.fromkeys(wanted) if i != user_id]
    return [RecipientInput(userId=i) for i in ids]


@operation(
    "reply_to_message",
    MODULE,
    input=ReplyInput,
    features=COMPOSE,
    rest=Rest("POST", "/messages/{id}/reply", status=201, reply=lambda r: {"id": r["id"]}),
    **MESSAGE_REPLY,
)
async def reply(ctx: RequestContext, data: ReplyInput) -> dict[str, Any]:
    """Reply in the conversation: to the sender (``replyAll``: and everyone openly on it), or to the
    ``recipients`` given."""
    async with ctx.unit_of_work() as uow:
        parent = await load_message(ctx, uow.session, data.id)
        if parent.is_draft:
            raise BadRequest("Cannot reply to a draft")
        if not message_type(parent.type).allow_reply:
            raise BadRequest("Replies are not allowed for this message type")
        recipients = data.recipients
        if recipients is None:
            recipients = await _reply_to(uow, parent, me(ctx), data.replyAll)
        fields = MessageFields(
            type="default",
            recipients=recipients,
            subject=prefixed("Re:", parent.subject),
            body=data.body,
            bodyFormat=data.bodyFormat,
            attachmentIds=data.attachmentIds,
            sendViaEmail=data.sendViaEmail,
        )
        message = await write_draft(ctx, uow, fields, parent, reply=True)
        await send(ctx, uow, message)
    return {"id": str(message.id)}


class ForwardInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    recipients: Recipients = PydanticField(min_length=1, max_length=100)
    body: text(MAX_BODY) | None = None
    additionalBody: text(10_000) | None = None
    includeAttachments: bool = True
    sendViaEmail: bool = False


@operation(
    "forward_message",
    MODULE,
    input=ForwardInput,
    features=COMPOSE,
    rest=Rest("POST", "/messages/{id}/forward", status=201, reply=lambda r: {"id": r["id"]}),
    **MESSAGE_REPLY,
)
async def forward(ctx: RequestContext, data: ForwardInput) -> dict[str, Any]:
    """Forward the conversation up to this message (as the caller sees it) to other users, with its
    files unless ``includeAttachments`` is false; a note (``body``) goes on top."""
    async with ctx.unit_of_work() as uow:
        source = await load_message(ctx, uow.session, data.id)
        if source.is_draft:
            raise BadRequest("Cannot forward a draft")
        if not message_type(source.type).allow_forward:
            raise BadRequest("Forwarding is not allowed for this message type")
        preview = await forward_preview(ctx, uow.session, source)
        note = "\n\n".join(part.strip() for part in (data.body, data.additionalBody) if part and part.strip())
        body = f"{note}\n\n{preview['body']}" if note else preview["body"]
        if len(body) > MAX_BODY:
            raise ValidationFailed([issue("body", "The forwarded conversation is too long", "too_big")])
        attachment_ids = None
        if data.includeAttachments:
            rows = (
                await uow.session.execute(
                    select(MessageAttachment.id).where(MessageAttachment.message_id == source.id)
                )
            ).scalars()
            attachment_ids = list(rows)
        fields = MessageFields(
            recipients=data.recipients,
            subject=preview["subject"],
            body=body,
            bodyFormat=source.body_format,
            caseId=None,
            attachmentIds=attachment_ids,
            sendViaEmail=data.sendViaEmail,
        )
        message = await write_draft(ctx, uow, fields)
        await send(ctx, uow, message)
    return {"id": str(message.id)}


class ForwardPreview(BaseModel):
    subject: str
    body: str


@operation(
    "message_forward_preview",
    MODULE,
    input=MessageRef,
    output=ForwardPreview,
    kind="query",
    features=COMPOSE,
    rest=Rest("GET", "/messages/{id}/forward-preview"),
)
async def preview(ctx: RequestContext, data: MessageRef) -> dict[str, Any]:
    """The subject and body a forward of this message would carry."""
    async with ctx.read_session() as session:
        source = await load_message(ctx, session, data.id)
        if not message_type(source.type).allow_forward:
            raise BadRequest("Forwarding is not allowed for this message type")
        return await forward_preview(ctx, session, source)
