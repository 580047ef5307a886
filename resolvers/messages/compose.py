"""Composing: a new message (or a draft), and editing and sending a draft."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.messages import Message, MessageObject
from resolvers.entity import serialize
from resolvers.messages.attachments import copy_attachments, visible_attachments
from resolvers.messages.common import (
    COMPOSE,
    ObjectInput,
    checked_case,
    load_message,
    record,
    require_sender,
)
from resolvers.messages.entities import MESSAGE, MODULE
from resolvers.messages.types import composable_type
from resolvers.messages.writing import (
    COLUMNS,
    MAX_BODY,
    MESSAGE_REPLY,
    ComposeInput,
    Email,
    MessageActionDataInput,
    Recipients,
    event_payload,
    offered_actions,
    send,
    set_objects,
    set_recipients,
    write_draft,
)
from resolvers.operations import Rest, operation
from resolvers.validation import text


@operation(
    "compose_message",
    MODULE,
    input=ComposeInput,
    features=COMPOSE,
    rest=Rest("POST", "/messages", status=201, reply=lambda r: {"id": r["id"], "threadId": r["threadId"]}),
    **MESSAGE_REPLY,
)
async def compose(ctx: RequestContext, data: ComposeInput) -> dict[str, Any]:
    """Write a message to users of the tenant (``isDraft`` keeps it as a draft). ``parentMessageId``
    continues a conversation the caller takes part in; ``caseId`` puts it on the case's timeline."""
    async with ctx.unit_of_work() as uow:
        parent = await load_message(ctx, uow.session, data.parentMessageId) if data.parentMessageId else None
        message = await write_draft(ctx, uow, data, parent)
        if not data.isDraft:
            await send(ctx, uow, message)
    return {"id": str(message.id), "threadId": str(message.thread_id)}


class DraftUpdate(BaseModel):
    """Change a draft (only the keys sent); ``isDraft: false`` sends it."""

    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    type: text(100) | None = None
    caseId: uuid.UUID | None = None
    visibility: Literal["public", "internal"] | None = None
    sourceEntityType: text(100) | None = None
    sourceEntityId: uuid.UUID | None = None
    externalEmail: Email | None = None
    externalName: text(255) | None = None
    recipients: Recipients | None = PydanticField(default=None, max_length=100)
    subject: text(500) | None = None
    body: text(MAX_BODY) | None = None
    bodyFormat: Literal["text", "markdown"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    objects: list[ObjectInput] | None = PydanticField(default=None, max_length=50)
    attachmentIds: list[uuid.UUID] | None = PydanticField(default=None, max_length=100)
    actionData: MessageActionDataInput | None = None
    sendViaEmail: bool | None = None
    isDraft: bool | None = None


NOT_NULL = ("type", "subject", "body", "bodyFormat", "priority", "sendViaEmail")


@operation(
    "update_message_draft",
    MODULE,
    input=DraftUpdate,
    features=COMPOSE,
    rest=Rest("PATCH", "/messages/{id}", reply=lambda r: {"ok": True}),
    **MESSAGE_REPLY,
)
async def update_draft(ctx: RequestContext, data: DraftUpdate) -> dict[str, Any]:
    """Edit the caller's draft (403 for a message someone else sent, 409 once it is sent)."""
    sent = data.model_fields_set
    nulls = [key for key in NOT_NULL if key in sent and getattr(data, key) is None]
    if nulls:
        raise ValidationFailed([issue(key, "Must not be null", "invalid_type") for key in nulls])
    async with ctx.unit_of_work() as uow:
        message = await load_message(ctx, uow.session, data.id, lock=True)
        require_sender(ctx, message)
        if not message.is_draft:
            raise Conflict("Only draft messages can be edited")
        before = serialize(MESSAGE, message)
        if "type" in sent:
            composable_type(data.type)
        if "caseId" in sent:
            data.caseId = await checked_case(ctx, data.caseId)
        for key, column in COLUMNS.items():
            if key in sent:
                setattr(message, column, getattr(data, key))
        if "actionData" in sent:
            message.action_data = offered_actions(data.actionData)
        await uow.session.flush()
        await record(ctx, uow, MESSAGE, message, "update", "updated", before, event_payload(message))
        if "recipients" in sent:
            await set_recipients(ctx, uow, message, data.recipients or [])
        if "objects" in sent or "type" in sent:
            await set_objects(
                ctx, uow, message, data.objects if "objects" in sent else await _objects(uow, message)
            )
        if data.attachmentIds:
            await copy_attachments(
                ctx, uow, message, await visible_attachments(ctx, uow.session, data.attachmentIds)
            )
        if data.isDraft is False:
            await send(ctx, uow, message)
    return {"ok": True, "id": str(message.id)}


async def _objects(uow: UnitOfWork, message: Message) -> list[ObjectInput]:
    rows = (
        await uow.session.execute(select(MessageObject).where(MessageObject.message_id == message.id))
    ).scalars()
    return [
        ObjectInput(
            entityModule=r.entity_module,
            entityType=r.entity_type,
            entityId=r.entity_id,
            actionRequired=r.action_required,
            actionType=r.action_type,
            actionLabel=r.action_label,
        )
        for r in rows
    ]
