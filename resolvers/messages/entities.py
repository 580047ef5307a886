"""Entity declarations of the messages module. Who sees what is declared once here (``visibility``)
and applies to REST, GraphQL lists, details and edges alike:

- a message: its sender (until they delete it from their folders), and its recipients once it is
  sent (until they delete their copy);
- recipients: those of messages the caller sees, except blind copies, which only the sender and
  the blind-copied user see;
- objects and attachments: those of messages the caller sees.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext
from models.messages import Message, MessageAttachment, MessageObject, MessageRecipient
from resolvers.entity import Entity, Features, Field, Relation, eq

MODULE = "messages"
VIEW = ["messages.view"]
READONLY = {"create": False, "update": False}


def _field(attr: str, type_: type = str, **options: Any) -> Field:
    return Field(attr, type_, **READONLY, **options)


def user_of(ctx: RequestContext) -> uuid.UUID | None:
    return ctx.require_auth().user_id


def participant(message: Any, user_id: uuid.UUID) -> Any:
    """The condition on ``message`` (a model or alias) that ``user_id`` takes part in it."""
    copy = aliased(MessageRecipient)  # never correlated with an enclosing query over recipients
    received = (
        select(copy.id)
        .where(copy.message_id == message.id, copy.recipient_user_id == user_id, copy.deleted_at.is_(None))
        .exists()
    )
    sent = (message.sender_user_id == user_id) & message.sender_deleted_at.is_(None)
    return sent | (message.is_draft.is_(False) & received)


async def _participant(ctx: RequestContext, target: Any) -> Any:
    user_id = user_of(ctx)
    return false() if user_id is None else participant(target, user_id)


def _of_visible_message(user_id: uuid.UUID, target: Any) -> Any:
    message = aliased(Message)
    return (
        select(message.id)
        .where(message.id == target.message_id, message.deleted_at.is_(None), participant(message, user_id))
        .exists()
    )


async def _part_of_visible_message(ctx: RequestContext, target: Any) -> Any:
    user_id = user_of(ctx)
    return false() if user_id is None else _of_visible_message(user_id, target)


async def _visible_recipient(ctx: RequestContext, target: Any) -> Any:
    """Recipients of visible messages: the sender sees them all; others see their own row and the
    other open (not blind, not deleted) copies."""
    user_id = user_of(ctx)
    if user_id is None:
        return false()
    message = aliased(Message)
    sent_by_me = select(message.id).where(message.id == target.message_id, message.sender_user_id == user_id)
    disclosed = (target.recipient_type != "bcc") & target.deleted_at.is_(None)
    own = target.recipient_user_id == user_id
    return _of_visible_message(user_id, target) & (sent_by_me.exists() | own | disclosed)


INTERNAL: dict[str, Any] = {
    "path": None,
    "scope": "tenant",
    "rest_verbs": (),
    "mutations": (),
    "soft_delete": False,
    "features": Features(view=VIEW),
}

MESSAGE = Entity(
    name="message",
    module=MODULE,
    model=Message,
    path=None,  # REST: the declared operations (folders, compose, reply, forward...)
    graphql_name="Message",
    plural="messages",
    scope="tenant",
    rest_verbs=(),
    mutations=(),
    features=Features(view=VIEW),
    visibility=_participant,
    fields=[
        _field("type", sort=True),
        _field("subject", sort=True, search=True),
        _field("body", search=True),
        _field("body_format"),
        _field("priority", sort=True),
        _field("status", sort=True),
        _field("is_draft", bool),
        _field("visibility"),
        _field("thread_id", uuid.UUID),
        _field("parent_message_id", uuid.UUID),
        _field("case_id", uuid.UUID),
        _field("sender_user_id", uuid.UUID),
        _field("source_entity_type"),
        _field("source_entity_id", uuid.UUID),
        _field("external_email"),
        _field("external_name"),
        _field("action_data", dict, description="Actions offered by the sender: {actions, primaryActionId}."),
        _field("action_taken"),
        _field("action_taken_by_user_id", uuid.UUID),
        _field("action_taken_at", datetime),
        _field("action_result", dict),
        _field("send_via_email", bool),
        _field("sent_at", datetime, sort=True),
        _field("organization_id", uuid.UUID),
        _field("tenant_id", uuid.UUID),
        _field("created_at", datetime, sort=True),
        _field("updated_at", datetime, sort=True),
    ],
    filters=[
        eq("type", Message.type),
        eq("threadId", Message.thread_id, uuid.UUID),
        eq("caseId", Message.case_id, uuid.UUID),
        eq("senderUserId", Message.sender_user_id, uuid.UUID),
        eq("isDraft", Message.is_draft, bool),
        eq("priority", Message.priority),
        eq("visibility", Message.visibility),
        eq("sourceEntityType", Message.source_entity_type),
        eq("sourceEntityId", Message.source_entity_id, uuid.UUID),
    ],
    relations=[
        Relation("sender", "user", "one", source_fk="sender_user_id"),
        Relation("recipients", "message_recipient", "many", target_fk="message_id"),
        Relation(
            "parent", "message", "one", source_fk="parent_message_id", description="The message replied to."
        ),
        Relation("replies", "message", "many", target_fk="parent_message_id"),
        Relation(
            "thread", "message", "one", source_fk="thread_id", description="The conversation's first message."
        ),
        Relation(
            "conversation",
            "message",
            "many",
            target_fk="thread_id",
            description="On a conversation's first message: every message of it (use `thread { conversation }`).",
        ),
        Relation("attachments", "message_attachment", "many", target_fk="message_id"),
        Relation("objects", "message_object", "many", target_fk="message_id"),
        Relation("case", "case", "one", source_fk="case_id"),
    ],
    default_sort="created_at",
    description="An internal message (or the caller's draft); replies share the conversation's thread.",
)

MESSAGE_RECIPIENT = Entity(
    name="message_recipient",
    module=MODULE,
    model=MessageRecipient,
    graphql_name="MessageRecipient",
    plural="message_recipients",
    visibility=_visible_recipient,
    fields=[
        _field("message_id", uuid.UUID),
        _field("recipient_user_id", uuid.UUID),
        _field("recipient_type"),
        _field("status", sort=True),
        _field("read_at", datetime),
        _field("archived_at", datetime),
        _field("deleted_at", datetime),
        _field("tenant_id", uuid.UUID),
        _field("created_at", datetime, sort=True),
    ],
    filters=[eq("messageId", MessageRecipient.message_id, uuid.UUID), eq("status", MessageRecipient.status)],
    relations=[
        Relation("message", "message", "one", source_fk="message_id"),
        Relation("user", "user", "one", source_fk="recipient_user_id"),
    ],
    default_sort="created_at",
    description="A recipient of a message and the state of their copy (unread, read, archived).",
    **INTERNAL,
)

MESSAGE_ATTACHMENT = Entity(
    name="message_attachment",
    module=MODULE,
    model=MessageAttachment,
    graphql_name="MessageAttachment",
    plural="message_attachments",
    visibility=_part_of_visible_message,
    fields=[
        _field("message_id", uuid.UUID),
        _field("file_name", sort=True),
        _field("content_type"),
        _field("file_size", int, sort=True),
        _field("sha256"),
        _field("uploaded_by_user_id", uuid.UUID),
        _field("tenant_id", uuid.UUID),
        _field("created_at", datetime, sort=True),
    ],
    filters=[eq("messageId", MessageAttachment.message_id, uuid.UUID)],
    relations=[Relation("message", "message", "one", source_fk="message_id")],
    default_sort="created_at",
    description="A file attached to a message.",
    **INTERNAL,
)

MESSAGE_OBJECT = Entity(
    name="message_object",
    module=MODULE,
    model=MessageObject,
    graphql_name="MessageObject",
    plural="message_objects",
    visibility=_part_of_visible_message,
    fields=[
        _field("message_id", uuid.UUID),
        _field("entity_module"),
        _field("entity_type"),
        _field("entity_id", uuid.UUID),
        _field("action_required", bool),
        _field("action_type"),
        _field("action_label"),
        _field("entity_snapshot", dict),
        _field("tenant_id", uuid.UUID),
        _field("created_at", datetime, sort=True),
    ],
    filters=[eq("messageId", MessageObject.message_id, uuid.UUID)],
    relations=[Relation("message", "message", "one", source_fk="message_id")],
    default_sort="created_at",
    description="A record a message is about (a customer, a case...), with the snapshot taken when sent.",
    **INTERNAL,
)
