"""The caller's own copies: read/unread, archived, deleted — of one message or of a whole
conversation. Nothing here changes anyone else's copy (the sender's deletion only hides the message
from their own folders)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound
from models.messages import Message, MessageRecipient
from resolvers.entity import serialize
from resolvers.messages.common import VIEW, MessageRef, load_message, me, my_copy, record, require_copy
from resolvers.messages.entities import MESSAGE, MESSAGE_RECIPIENT, MODULE, participant
from resolvers.operations import Rest, operation, reloaded

CopyChange = Callable[[MessageRecipient, datetime], str | None]


def mark_read(copy: MessageRecipient, now: datetime) -> str | None:
    if copy.read_at is not None and copy.status != "unread":
        return None
    copy.read_at = copy.read_at or now
    copy.status = "read" if copy.status == "unread" else copy.status
    return "read"


def mark_unread(copy: MessageRecipient, now: datetime) -> str | None:
    if copy.read_at is None and copy.status != "read":
        return None
    copy.read_at = None
    copy.status = "unread" if copy.status == "read" else copy.status
    return "unread"


def archive(copy: MessageRecipient, now: datetime) -> str | None:
    if copy.archived_at is not None:
        return None
    copy.archived_at, copy.status = now, "archived"
    return "archived"


def unarchive(copy: MessageRecipient, now: datetime) -> str | None:
    if copy.archived_at is None:
        return None
    copy.archived_at = None
    copy.status = "read" if copy.read_at else "unread"
    return "unarchived"


def delete_copy(copy: MessageRecipient, now: datetime) -> str | None:
    copy.deleted_at, copy.status = now, "deleted"
    return "deleted"


def copy_payload(copy: MessageRecipient) -> dict[str, Any]:
    """A copy's events name its owner (the live stream brings them to that user)."""
    return {"messageId": str(copy.message_id), "recipientUserId": str(copy.recipient_user_id)}


async def change_copy(
    ctx: RequestContext, uow: UnitOfWork, copy: MessageRecipient, change: CopyChange
) -> bool:
    """Apply ``change`` to one of the caller's copies; record it when something changed."""
    before = serialize(MESSAGE_RECIPIENT, copy)
    event = change(copy, datetime.now(UTC))
    if event is None:
        return False
    await uow.session.flush()
    await record(ctx, uow, MESSAGE_RECIPIENT, copy, event, event, before, copy_payload(copy))
    return True


def copy_operation(name: str, method: str, path: str, change: CopyChange, doc: str) -> None:
    """Declare a command changing the caller's copy of one message (404 when they have none)."""

    async def handler(ctx: RequestContext, data: MessageRef) -> dict[str, Any]:
        async with ctx.unit_of_work() as uow:
            message = await load_message(ctx, uow.session, data.id)
            await change_copy(ctx, uow, await require_copy(ctx, uow.session, message, lock=True), change)
        return {"ok": True, "id": str(message.id)}

    handler.__doc__ = doc
    operation(
        name,
        MODULE,
        input=MessageRef,
        output=MESSAGE,
        features=VIEW,
        rest=Rest(method, path, reply=lambda r: {"ok": True}),
        graphql_result=reloaded(MESSAGE, lambda r: r["id"]),
    )(handler)


copy_operation("mark_message_read", "PUT", "/messages/{id}/read", mark_read, "Mark the caller's copy read.")
copy_operation(
    "mark_message_unread", "DELETE", "/messages/{id}/read", mark_unread, "Mark the caller's copy unread."
)
copy_operation(
    "archive_message", "PUT", "/messages/{id}/archive", archive, "Move the caller's copy to the archive."
)
copy_operation(
    "unarchive_message",
    "DELETE",
    "/messages/{id}/archive",
    unarchive,
    "Bring the caller's copy back to the inbox.",
)


class MessageDeleted(BaseModel):
    ok: bool


async def remove_for_caller(ctx: RequestContext, uow: UnitOfWork, message: Message) -> bool:
    """The message leaves the caller's folders: their copy is deleted; as its sender, a draft is
    deleted and a sent message hidden from their sent folder (recipients keep theirs)."""
    changed = False
    copy = await my_copy(uow.session, message, me(ctx), lock=True)
    if copy is not None:
        changed = await change_copy(ctx, uow, copy, delete_copy)
    if message.sender_user_id == me(ctx):
        before = serialize(MESSAGE, message)
        if message.is_draft:
            message.deleted_at = datetime.now(UTC)
            await uow.session.flush()
            await record(ctx, uow, MESSAGE, message, "delete", "deleted", before, deleted=True)
        elif message.sender_deleted_at is None:
            message.sender_deleted_at = datetime.now(UTC)
            await uow.session.flush()
            await record(ctx, uow, MESSAGE, message, "remove", "removed_by_sender", before)
        changed = True
    return changed


@operation(
    "delete_message",
    MODULE,
    input=MessageRef,
    output=MessageDeleted,
    features=VIEW,
    rest=Rest("DELETE", "/messages/{id}"),
)
async def delete_message(ctx: RequestContext, data: MessageRef) -> dict[str, Any]:
    """Remove the message from the caller's folders (nobody else's)."""
    async with ctx.unit_of_work() as uow:
        message = await load_message(ctx, uow.session, data.id, lock=True)
        await remove_for_caller(ctx, uow, message)
    return {"ok": True}


# --- conversations ---------------------------------------------------------------------------


class MessagesAffected(BaseModel):
    ok: bool
    affectedCount: int


async def conversation(ctx: RequestContext, uow: UnitOfWork, anchor_id: uuid.UUID) -> list[Message]:
    """The sent messages of the anchor's conversation the caller takes part in (404 for an anchor
    they do not)."""
    anchor = await load_message(ctx, uow.session, anchor_id)
    query = (
        select(Message)
        .where(
            Message.thread_id == anchor.thread_id,
            Message.tenant_id == anchor.tenant_id,
            Message.deleted_at.is_(None),
            Message.is_draft.is_(False),
            participant(Message, me(ctx)),
        )
        .order_by(Message.sent_at, Message.id)
        .with_for_update(of=Message)
    )
    found = list((await uow.session.execute(query)).scalars())
    if not found:
        raise NotFound("Message not found")
    return found


async def for_each_copy(ctx: RequestContext, anchor_id: uuid.UUID, change: CopyChange) -> dict[str, Any]:
    affected = 0
    async with ctx.unit_of_work() as uow:
        for message in await conversation(ctx, uow, anchor_id):
            copy = await my_copy(uow.session, message, me(ctx), lock=True)
            if copy is not None and await change_copy(ctx, uow, copy, change):
                affected += 1
    return {"ok": True, "affectedCount": affected}


ConversationChange = Callable[[RequestContext, uuid.UUID], Awaitable[dict[str, Any]]]


def conversation_operation(name: str, method: str, path: str, run: ConversationChange, doc: str) -> None:
    async def handler(ctx: RequestContext, data: MessageRef) -> dict[str, Any]:
        return await run(ctx, data.id)

    handler.__doc__ = doc
    operation(
        name, MODULE, input=MessageRef, output=MessagesAffected, features=VIEW, rest=Rest(method, path)
    )(handler)


async def _delete_conversation(ctx: RequestContext, anchor_id: uuid.UUID) -> dict[str, Any]:
    affected = 0
    async with ctx.unit_of_work() as uow:
        for message in await conversation(ctx, uow, anchor_id):
            affected += await remove_for_caller(ctx, uow, message)
    return {"ok": True, "affectedCount": affected}


conversation_operation(
    "delete_message_conversation",
    "DELETE",
    "/messages/{id}/conversation",
    _delete_conversation,
    "Remove the whole conversation from the caller's folders; ``affectedCount`` messages changed.",
)
conversation_operation(
    "archive_message_conversation",
    "PUT",
    "/messages/{id}/conversation/archive",
    lambda ctx, anchor: for_each_copy(ctx, anchor, archive),
    "Archive the caller's copies of the whole conversation.",
)
conversation_operation(
    "mark_message_conversation_unread",
    "DELETE",
    "/messages/{id}/conversation/read",
    lambda ctx, anchor: for_each_copy(ctx, anchor, mark_unread),
    "Mark the caller's copies of the whole conversation unread.",
)
