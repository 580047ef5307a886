"""Files of messages: uploaded to a draft (multipart ``file``, streamed to the platform storage) or
copied from messages the caller sees (``attachmentIds``). A copy shares the stored file, so forwards
keep their files; a file is removed from storage once no message refers to it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, Conflict, NotFound, ValidationFailed, issue
from crmgraph.storage import LocalStorage
from models.messages import Message, MessageAttachment
from resolvers.messages.common import VIEW, MessageRef, add_row, load_message, me, remove_rows, require_sender
from resolvers.messages.entities import MESSAGE, MESSAGE_ATTACHMENT, MODULE
from resolvers.operations import Rest, UploadedFile, operation, reloaded
from resolvers.scope import entity_conditions, parse_uuid
from resolvers.undo import NOT_AVAILABLE, Direction, undo_handler

ATTACH = ("messages.attach_files",)
MAX_BYTES = 20 * 1024 * 1024
DRAFTS_ONLY = "Attachments can only be modified on drafts"


def storage(ctx: RequestContext) -> LocalStorage:
    return LocalStorage(ctx.settings.storage_dir)


def file_url(row: MessageAttachment) -> str:
    return f"/api/messages/{row.message_id}/attachments/{row.id}/file"


def item(row: MessageAttachment) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "fileName": row.file_name,
        "fileSize": row.file_size,
        "mimeType": row.content_type,
        "url": file_url(row),
    }


async def visible_attachments(
    ctx: RequestContext, session: Any, ids: Sequence[uuid.UUID]
) -> list[MessageAttachment]:
    """Attachments of messages the caller takes part in, in the order given (400 for any other id)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    query = select(MessageAttachment).where(
        MessageAttachment.id.in_(wanted), *await entity_conditions(ctx, MESSAGE_ATTACHMENT)
    )
    found = {row.id: row for row in (await session.execute(query)).scalars()}
    missing = [i for i, ident in enumerate(wanted) if ident not in found]
    if missing:
        raise ValidationFailed(
            [issue(["attachmentIds", i], "Attachment not found", "not_found") for i in missing]
        )
    return [found[ident] for ident in wanted]


async def copy_attachments(
    ctx: RequestContext, uow: UnitOfWork, message: Message, sources: Sequence[MessageAttachment]
) -> list[MessageAttachment]:
    """The files on ``message`` too (the stored files are shared)."""
    copies = []
    for source in sources:
        row = MessageAttachment(
            id=uuid.uuid4(),
            tenant_id=message.tenant_id,
            message_id=message.id,
            file_name=source.file_name,
            content_type=source.content_type,
            file_size=source.file_size,
            storage_key=source.storage_key,
            sha256=source.sha256,
            uploaded_by_user_id=source.uploaded_by_user_id,
        )
        copies.append(await add_row(ctx, uow, MESSAGE_ATTACHMENT, row))
    return copies


async def editable_draft(ctx: RequestContext, uow: UnitOfWork, message_id: uuid.UUID) -> Message:
    message = await load_message(ctx, uow.session, message_id, lock=True)
    require_sender(ctx, message)
    if not message.is_draft:
        raise Conflict(DRAFTS_ONLY)
    return message


class MessageAttachmentItem(BaseModel):
    id: uuid.UUID
    fileName: str
    fileSize: int
    mimeType: str
    url: str


class MessageAttachmentList(BaseModel):
    attachments: list[MessageAttachmentItem]


@operation(
    "message_attachments",
    MODULE,
    input=MessageRef,
    output=MessageAttachmentList,
    kind="query",
    features=VIEW,
    rest=Rest("GET", "/messages/{id}/attachments"),
    graphql=False,  # GraphQL: ``Message.attachments``
)
async def list_attachments(ctx: RequestContext, data: MessageRef) -> dict[str, Any]:
    """The files of a message the caller takes part in."""
    async with ctx.read_session() as session:
        message = await load_message(ctx, session, data.id)
        rows = await session.execute(
            select(MessageAttachment)
            .where(MessageAttachment.message_id == message.id)
            .order_by(MessageAttachment.created_at, MessageAttachment.id)
        )
        return {"attachments": [item(row) for row in rows.scalars()]}


def _id_list(value: Any) -> Any:
    """Multipart forms send ``attachmentIds`` as text: a JSON array or comma-separated ids."""
    if isinstance(value, str):
        text_value = value.strip()
        if text_value.startswith("["):
            try:
                return json.loads(text_value)
            except ValueError:
                return value
        return [part.strip() for part in text_value.split(",") if part.strip()]
    return value


class AttachmentsAdd(BaseModel):
    """A multipart ``file`` to upload, and/or ``attachmentIds`` of files to copy from other messages."""

    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    file: UploadedFile | None = None
    attachmentIds: list[uuid.UUID] | None = PydanticField(default=None, max_length=100)

    _ids = field_validator("attachmentIds", mode="before")(_id_list)


class AttachmentsAdded(BaseModel):
    ok: bool
    attachments: list[MessageAttachmentItem]


async def _add(
    ctx: RequestContext, message_id: uuid.UUID, upload: UploadedFile | None, ids: list[uuid.UUID]
) -> list:
    if upload is None and not ids:
        raise ValidationFailed([issue("file", "A file or attachmentIds is required", "invalid_type")])
    async with ctx.unit_of_work() as uow:
        message = await editable_draft(ctx, uow, message_id)
        rows = []
        if upload is not None:
            row = MessageAttachment(
                id=uuid.uuid4(),
                tenant_id=message.tenant_id,
                message_id=message.id,
                file_name=_printable(upload.filename)[:255] or "attachment",
                content_type=_printable(upload.contentType)[:255] or "application/octet-stream",
                file_size=upload.size,
                storage_key=upload.key,
                sha256=upload.sha256,
                uploaded_by_user_id=me(ctx),
            )
            rows.append(await add_row(ctx, uow, MESSAGE_ATTACHMENT, row))
        rows += await copy_attachments(ctx, uow, message, await visible_attachments(ctx, uow.session, ids))
    return rows


def _printable(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isprintable()).strip()


@operation(
    "add_message_attachments",
    MODULE,
    input=AttachmentsAdd,
    output=AttachmentsAdded,
    features=ATTACH,
    rest=Rest("POST", "/messages/{id}/attachments", upload=MAX_BYTES),
    graphql=False,  # GraphQL: ``linkMessageAttachments`` (files are uploaded over REST)
)
async def add_attachments(ctx: RequestContext, data: AttachmentsAdd) -> dict[str, Any]:
    """Attach files to the caller's draft: upload one (multipart ``file``) and/or copy files of
    messages the caller takes part in (``attachmentIds``). 409 once the message is sent; a failed
    upload is not kept."""
    rows = await _add(ctx, data.id, data.file, data.attachmentIds or [])
    return {"ok": True, "attachments": [item(row) for row in rows]}


class AttachmentsLink(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    attachmentIds: list[uuid.UUID] = PydanticField(min_length=1, max_length=100)


@operation(
    "link_message_attachments",
    MODULE,
    input=AttachmentsLink,
    output=MESSAGE,
    features=ATTACH,
    graphql_result=reloaded(MESSAGE, lambda r: r["id"]),
)
async def link_attachments(ctx: RequestContext, data: AttachmentsLink) -> dict[str, Any]:
    """Copy files of messages the caller takes part in onto the caller's draft."""
    await _add(ctx, data.id, None, data.attachmentIds)
    return {"id": str(data.id)}


class AttachmentsRemove(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    attachmentId: uuid.UUID | None = None
    attachmentIds: list[uuid.UUID] | None = PydanticField(default=None, max_length=100)


@operation(
    "remove_message_attachments",
    MODULE,
    input=AttachmentsRemove,
    output=MESSAGE,
    features=ATTACH,
    rest=Rest("DELETE", "/messages/{id}/attachments", reply=lambda r: {"ok": True}),
    graphql_result=reloaded(MESSAGE, lambda r: r["id"]),
)
async def remove_attachments(ctx: RequestContext, data: AttachmentsRemove) -> dict[str, Any]:
    """Remove files from the caller's draft (``attachmentId`` or ``attachmentIds``); a stored file
    goes once no message refers to it."""
    ids = list(
        dict.fromkeys([*([data.attachmentId] if data.attachmentId else []), *(data.attachmentIds or [])])
    )
    if not ids:
        raise ValidationFailed(
            [issue("attachmentIds", "attachmentId or attachmentIds is required", "invalid_type")]
        )
    async with ctx.unit_of_work() as uow:
        message = await editable_draft(ctx, uow, data.id)
        query = select(MessageAttachment).where(
            MessageAttachment.message_id == message.id, MessageAttachment.id.in_(ids)
        )
        found = set((await uow.session.execute(query.with_only_columns(MessageAttachment.id))).scalars())
        if len(found) != len(ids):
            raise NotFound("Attachment not found")
        rows = await remove_rows(ctx, uow, MESSAGE_ATTACHMENT, query)
        await _drop_unused_files(ctx, uow, {row.storage_key for row in rows})
    return {"id": str(message.id)}


async def _drop_unused_files(ctx: RequestContext, uow: UnitOfWork, keys: set[str]) -> None:
    """Files no attachment refers to any more are removed from storage after the commit."""
    still = set(
        (
            await uow.session.execute(
                select(MessageAttachment.storage_key)
                .where(MessageAttachment.storage_key.in_(keys))
                .distinct()
            )
        ).scalars()
    )
    unused = keys - still

    async def remove() -> None:
        for key in unused:
            await storage(ctx).delete(key)

    if unused:
        uow.after_commit(remove)


@undo_handler("messages.message_attachment.delete")
async def _undo_removal(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    raise BadRequest(NOT_AVAILABLE, reason="a removed file may be gone from storage")


async def attachment_file(
    ctx: RequestContext, message_id: Any, attachment_id: Any
) -> tuple[MessageAttachment, bytes]:
    """A file of a message the caller takes part in, with its content (404 otherwise)."""
    ctx.require_features(VIEW)
    async with ctx.read_session() as session:
        message = await load_message(ctx, session, message_id)
        row = await session.scalar(
            select(MessageAttachment).where(
                MessageAttachment.message_id == message.id, MessageAttachment.id == parse_uuid(attachment_id)
            )
        )
    if row is None:
        raise NotFound("Attachment not found")
    try:
        return row, await storage(ctx).read(row.storage_key)
    except (OSError, ValueError):
        raise NotFound("Attachment not found") from None
