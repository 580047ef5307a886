"""The caller's folders (inbox, sent, drafts, archived, all) and the unread count."""

from __future__ import annotations

import math
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext
from models.auth import User
from models.messages import Message, MessageAttachment, MessageObject, MessageRecipient
from resolvers.entity import search_clause, to_jsonable
from resolvers.listing import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE
from resolvers.messages.common import VIEW, me
from resolvers.messages.entities import MODULE, participant
from resolvers.messages.types import MESSAGE_TYPES
from resolvers.operations import Rest, operation
from resolvers.validation import SafeDatetime, text

Folder = Literal["inbox", "sent", "drafts", "archived", "all"]


class MessageListQuery(BaseModel):
    """A folder of the caller's messages, filtered; newest first."""

    model_config = ConfigDict(extra="ignore")
    folder: Folder = "inbox"
    status: Literal["unread", "read", "archived"] | None = None
    type: text(100) | None = None
    caseId: uuid.UUID | None = None
    visibility: Literal["public", "internal"] | None = None
    sourceEntityType: text(100) | None = None
    sourceEntityId: uuid.UUID | None = None
    externalEmail: text(320) | None = None
    hasObjects: bool | None = None
    hasAttachments: bool | None = None
    hasActions: bool | None = None
    senderId: uuid.UUID | None = None
    search: text(200) | None = None
    since: SafeDatetime | None = None
    page: int = 1
    pageSize: int = DEFAULT_PAGE_SIZE


class MessageListItem(BaseModel):
    id: uuid.UUID
    type: str
    visibility: str | None = None
    sourceEntityType: str | None = None
    sourceEntityId: uuid.UUID | None = None
    externalEmail: str | None = None
    externalName: str | None = None
    subject: str
    bodyPreview: str
    senderUserId: uuid.UUID
    senderName: str | None = None
    senderEmail: str | None = None
    priority: str
    status: str
    hasObjects: bool
    objectCount: int
    hasAttachments: bool
    attachmentCount: int
    recipientCount: int
    hasActions: bool
    actionTaken: str | None = None
    sentAt: str | None = None
    readAt: str | None = None
    threadId: uuid.UUID | None = None
    caseId: uuid.UUID | None = None


class MessageListPage(BaseModel):
    items: list[MessageListItem]
    page: int
    pageSize: int
    total: int
    totalPages: int


def _count(model: Any, *where: Any) -> Any:
    return select(func.count()).select_from(model).where(*where).correlate(Message).scalar_subquery()


def _folder(query: Any, folder: Folder, copy: Any, user_id: uuid.UUID | None) -> Any:
    mine = (Message.sender_user_id == user_id) & Message.sender_deleted_at.is_(None)
    received = copy.id.is_not(None) & Message.is_draft.is_(False)
    return query.where(
        {
            "inbox": received & copy.archived_at.is_(None),
            "archived": received & copy.archived_at.is_not(None),
            "sent": mine & Message.is_draft.is_(False),
            "drafts": mine & Message.is_draft.is_(True),
            "all": participant(Message, user_id) if user_id else false(),
        }[folder]
    )


def _filters(query: Any, data: MessageListQuery, copy: Any) -> Any:
    objects = exists().where(MessageObject.message_id == Message.id)
    files = exists().where(MessageAttachment.message_id == Message.id)
    typed = [t.type for t in MESSAGE_TYPES.values() if t.default_actions]
    actions = or_(
        Message.action_data.is_not(None),
        Message.type.in_(typed),
        exists().where(MessageObject.message_id == Message.id, MessageObject.action_required.is_(True)),
    )
    wanted = {
        "status": lambda v: copy.status == v,
        "type": lambda v: Message.type == v,
        "caseId": lambda v: Message.case_id == v,
        "visibility": lambda v: Message.visibility == v,
        "sourceEntityType": lambda v: Message.source_entity_type == v,
        "sourceEntityId": lambda v: Message.source_entity_id == v,
        "externalEmail": lambda v: func.lower(Message.external_email) == v.lower(),
        "senderId": lambda v: Message.sender_user_id == v,
        "since": lambda v: Message.sent_at > v,
        "search": lambda v: search_clause([Message.subject, Message.body], v),
        "hasObjects": lambda v: objects if v else ~objects,
        "hasAttachments": lambda v: files if v else ~files,
        "hasActions": lambda v: actions if v else ~actions,
    }
    for name, condition in wanted.items():
        value = getattr(data, name)
        if value is not None:
            query = query.where(condition(value))
    return query


def _item(row: Any) -> dict[str, Any]:
    message: Message = row.Message
    body = message.body or ""
    return {
        "id": str(message.id),
        "type": message.type,
        "visibility": message.visibility,
        "sourceEntityType": message.source_entity_type,
        "sourceEntityId": str(message.source_entity_id) if message.source_entity_id else None,
        "externalEmail": message.external_email,
        "externalName": message.external_name,
        "subject": message.subject,
        "bodyPreview": body[:150] + ("..." if len(body) > 150 else ""),
        "senderUserId": str(message.sender_user_id),
        "senderName": row.sender_name,
        "senderEmail": row.sender_email,
        "priority": message.priority,
        "status": row.copy_status or ("draft" if message.is_draft else "sent"),
        "hasObjects": row.objects > 0,
        "objectCount": row.objects,
        "hasAttachments": row.files > 0,
        "attachmentCount": row.files,
        "recipientCount": row.recipients,
        "hasActions": bool(message.action_data) or row.object_actions > 0 or bool(_type_actions(message)),
        "actionTaken": message.action_taken,
        "sentAt": to_jsonable(message.sent_at),
        "readAt": to_jsonable(row.read_at),
        "threadId": str(message.thread_id) if message.thread_id else None,
        "caseId": str(message.case_id) if message.case_id else None,
    }


def _type_actions(message: Message) -> tuple:
    found = MESSAGE_TYPES.get(message.type)
    return found.default_actions if found else ()


@operation(
    "message_inbox",
    MODULE,
    input=MessageListQuery,
    output=MessageListPage,
    kind="query",
    features=VIEW,
    rest=Rest("GET", "/messages"),
)
async def message_inbox(ctx: RequestContext, data: MessageListQuery) -> dict[str, Any]:
    """A folder of the caller's messages (``inbox`` by default), newest first, with counts of their
    records, files and recipients."""
    user_id = me(ctx)
    page = min(MAX_PAGE, max(1, data.page))
    size = min(MAX_PAGE_SIZE, max(1, data.pageSize))
    copy = aliased(MessageRecipient, name="my_copy")
    mine = and_(copy.message_id == Message.id, copy.recipient_user_id == user_id, copy.deleted_at.is_(None))
    base = (
        select(Message.id)
        .select_from(Message)
        .outerjoin(copy, mine)
        .where(Message.tenant_id == ctx.tenant_id(), Message.deleted_at.is_(None))
    )
    query = _filters(_folder(base, data.folder, copy, user_id), data, copy)
    ordered = query.with_only_columns(
        Message,
        copy.status.label("copy_status"),
        copy.read_at.label("read_at"),
        User.name.label("sender_name"),
        User.email.label("sender_email"),
        _count(MessageObject, MessageObject.message_id == Message.id).label("objects"),
        _count(
            MessageObject, MessageObject.message_id == Message.id, MessageObject.action_required.is_(True)
        ).label("object_actions"),
        _count(MessageAttachment, MessageAttachment.message_id == Message.id).label("files"),
        _count(
            MessageRecipient, MessageRecipient.message_id == Message.id, MessageRecipient.deleted_at.is_(None)
        ).label("recipients"),
    ).outerjoin(User, User.id == Message.sender_user_id)
    ordered = ordered.order_by(func.coalesce(Message.sent_at, Message.created_at).desc(), Message.id.desc())
    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await session.execute(ordered.limit(size).offset((page - 1) * size))).all()
    return {
        "items": [_item(row) for row in rows],
        "page": page,
        "pageSize": size,
        "total": total or 0,
        "totalPages": math.ceil((total or 0) / size),
    }


class MessageUnreadCount(BaseModel):
    unreadCount: int


@operation(
    "message_unread_count",
    MODULE,
    output=MessageUnreadCount,
    kind="query",
    features=VIEW,
    rest=Rest("GET", "/messages/unread-count"),
)
async def unread_count(ctx: RequestContext) -> dict[str, Any]:
    """How many messages in the caller's inbox are unread."""
    async with ctx.read_session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(MessageRecipient)
            .join(Message, Message.id == MessageRecipient.message_id)
            .where(
                MessageRecipient.tenant_id == ctx.tenant_id(),
                MessageRecipient.recipient_user_id == me(ctx),
                MessageRecipient.status == "unread",
                MessageRecipient.deleted_at.is_(None),
                Message.deleted_at.is_(None),
                Message.is_draft.is_(False),
            )
        )
    return {"unreadCount": count or 0}
