"""One message as its reader sees it: the text, its type's behaviour, the offered actions, its open
recipients, its records (with a live preview when the reader may see them) and the conversation.
Opening it marks the reader's copy read (unless ``skipMarkRead=1``)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.messages import Message, MessageAttachment, MessageRecipient
from resolvers.customers.common import user_labels
from resolvers.entity import to_jsonable
from resolvers.messages.actions import action_data, object_item, objects_of
from resolvers.messages.attachments import item as attachment_item
from resolvers.messages.common import VIEW, load_message, me, my_copy, record_label, visible_record
from resolvers.messages.copies import change_copy, mark_read
from resolvers.messages.entities import MODULE, participant
from resolvers.messages.types import OBJECT_TYPES, message_type
from resolvers.operations import Rest, operation
from resolvers.validation import text


class MessageDetailQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    skipMarkRead: text(8) | None = None


async def _preview(ctx: RequestContext, obj: Any) -> dict[str, Any] | None:
    object_type = OBJECT_TYPES.get((obj.entity_module, obj.entity_type))
    entity = object_type.entity() if object_type else None
    record = await visible_record(ctx, entity, obj.entity_id) if entity else None
    return {"title": record_label(record)} if record is not None else None


async def _recipients(session: Any, message: Message, reader: uuid.UUID | None) -> list[dict[str, Any]]:
    """All of them for the sender; for others the open copies and their own."""
    rows = (
        await session.execute(
            select(MessageRecipient)
            .where(MessageRecipient.message_id == message.id)
            .order_by(MessageRecipient.created_at, MessageRecipient.id)
        )
    ).scalars()
    sender = message.sender_user_id == reader
    return [
        {
            "userId": str(r.recipient_user_id),
            "type": r.recipient_type,
            "status": r.status,
            "readAt": r.read_at,
        }
        for r in rows
        if sender or r.recipient_user_id == reader or (r.recipient_type != "bcc" and r.deleted_at is None)
    ]


async def _thread(ctx: RequestContext, session: Any, message: Message) -> list[Message]:
    query = (
        select(Message)
        .where(
            Message.thread_id == message.thread_id,
            Message.tenant_id == message.tenant_id,
            Message.deleted_at.is_(None),
            Message.is_draft.is_(False),
            participant(Message, me(ctx)),
        )
        .order_by(Message.sent_at, Message.created_at, Message.id)
    )
    return list((await session.execute(query)).scalars())


@operation(
    "get_message",
    MODULE,
    input=MessageDetailQuery,
    kind="query",
    features=VIEW,
    rest=Rest("GET", "/messages/{id}"),
    graphql=False,  # GraphQL: ``message(id)`` with its edges (reading there does not mark it read)
)
async def get_message(ctx: RequestContext, data: MessageDetailQuery) -> dict[str, Any]:
    """A message the caller takes part in (404 otherwise), with its conversation."""
    reader = me(ctx)
    async with ctx.unit_of_work() as uow:
        session = uow.session
        message = await load_message(ctx, session, data.id)
        copy = await my_copy(session, message, reader, lock=True)
        if copy is not None and data.skipMarkRead != "1":
            await change_copy(ctx, uow, copy, mark_read)
        objects = await objects_of(session, [message.id])
        thread = await _thread(ctx, session, message)
        recipients = await _recipients(session, message, reader)
        files = (
            await session.execute(
                select(MessageAttachment)
                .where(MessageAttachment.message_id == message.id)
                .order_by(MessageAttachment.created_at, MessageAttachment.id)
            )
        ).scalars()
        attachments = [attachment_item(f) for f in files]
    previews = [await _preview(ctx, o) for o in objects]
    users = await user_labels(ctx, [message.sender_user_id, *(m.sender_user_id for m in thread)])
    sender = users.get(message.sender_user_id, {})
    kind = message_type(message.type)
    return {
        "id": str(message.id),
        "type": message.type,
        "isDraft": message.is_draft,
        "canEditDraft": message.is_draft and message.sender_user_id == reader,
        "visibility": message.visibility,
        "sourceEntityType": message.source_entity_type,
        "sourceEntityId": _str(message.source_entity_id),
        "externalEmail": message.external_email,
        "externalName": message.external_name,
        "typeDefinition": kind.definition(),
        "threadId": _str(message.thread_id),
        "parentMessageId": _str(message.parent_message_id),
        "caseId": _str(message.case_id),
        "senderUserId": str(message.sender_user_id),
        "senderName": sender.get("name"),
        "senderEmail": sender.get("email"),
        "subject": message.subject,
        "body": message.body,
        "bodyFormat": message.body_format,
        "priority": message.priority,
        "sentAt": to_jsonable(message.sent_at),
        "actionData": action_data(message, objects),
        "actionTaken": message.action_taken,
        "actionTakenAt": to_jsonable(message.action_taken_at),
        "actionTakenByUserId": _str(message.action_taken_by_user_id),
        "recipients": recipients,
        "objects": [{**object_item(o), "preview": p} for o, p in zip(objects, previews, strict=True)],
        "attachments": attachments,
        "thread": [
            {
                "id": str(m.id),
                "senderUserId": str(m.sender_user_id),
                "senderName": users.get(m.sender_user_id, {}).get("name"),
                "senderEmail": users.get(m.sender_user_id, {}).get("email"),
                "body": m.body,
                "bodyFormat": m.body_format,
                "sentAt": to_jsonable(m.sent_at),
            }
            for m in thread
        ],
        "isRead": copy is None or copy.status != "unread",
    }


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None
