"""Attachments of records: upload (multipart, content type detected from the bytes, stored in the
partition's storage), list per record, the library (search, partition and tag filters), detail,
metadata edits (tags, assignments, custom fields), deletion (the stored file goes after the commit)
and transfer between records of one entity. Every write goes through the generic entity commands:
scoped to the caller, evented, in the action log."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import array

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.attachments import Attachment, AttachmentPartition
from resolvers.attachments.common import (
    DEFAULT_PARTITION,
    IMAGE_TYPES,
    MANAGE,
    MAX_BYTES,
    MODULE,
    VIEW,
    assignment,
    detect_type,
    ensure_default_partitions,
    file_storage,
    file_url,
    image_url,
    partition_by_code,
    partition_storage,
    printable,
    refuse_active,
    staging,
    target_record,
)
from resolvers.attachments.renditions import purge_renditions
from resolvers.crud import flush_or_conflict, guarded, service
from resolvers.entity import (
    Entity,
    Features,
    Field,
    Filter,
    Hooks,
    Relation,
    custom_field_policy,
    eq,
    serialize,
)
from resolvers.events import record_command
from resolvers.listing import list_params
from resolvers.operations import Rest, UploadedFile, operation
from resolvers.scope import entity_conditions
from resolvers.validation import SafeDict, text

READONLY = {"create": False, "update": False}
FIXED = {"update": False}
MAX_PIXELS = 40_000_000
MAX_TAGS = 50
RECORD_LIST_SIZE = 100


async def _drop_file(ctx: RequestContext, uow: UnitOfWork, attachment: Attachment) -> None:
    """The stored file and its cached renditions go once the deletion is committed."""
    storage = file_storage(ctx.settings, attachment.storage_driver, attachment.storage_bucket)
    key, ident = attachment.storage_key, attachment.id

    async def remove() -> None:
        await storage.delete(key)
        await purge_renditions(ctx.settings, ident)

    uow.after_commit(remove)


def _tags_filter(query: Any, tags: list[str]) -> Any:
    return query.where(Attachment.tags.has_any(array(tags)))


ATTACHMENT = Entity(
    name="attachment",
    module=MODULE,
    model=Attachment,
    path=None,
    graphql_name="Attachment",
    plural="attachments",
    soft_delete=False,
    features=Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE]),
    fields=[
        Field("entity_id", str, **FIXED, max_length=200),
        Field("record_id", str, **FIXED, max_length=200),
        Field("record_uuid", uuid.UUID, read=False, **FIXED),
        Field("partition_id", uuid.UUID, **FIXED),
        Field("partition_code", str, **FIXED, max_length=60),
        Field("file_name", str, sort=True, search=True, **FIXED, max_length=255),
        Field("mime_type", str, **FIXED, max_length=255),
        Field("file_size", int, sort=True, **FIXED),
        Field("sha256", str, **FIXED, max_length=64),
        Field("storage_driver", str, read=False, **FIXED),
        Field("storage_bucket", str, read=False, **FIXED),
        Field("storage_key", str, read=False, **FIXED),
        Field("width", int, **FIXED),
        Field("height", int, **FIXED),
        Field("tags", list),
        Field("assignments", list),
        Field("content", str, **READONLY),
        Field("url", str, **READONLY, description="Where the file is served."),
        Field("organization_id", uuid.UUID, **FIXED),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("entityId", Attachment.entity_id),
        eq("recordId", Attachment.record_id),
        eq("partition", Attachment.partition_code),
        Filter("tags", str, _tags_filter, many=True, description="Any of these tags."),
    ],
    relations=[
        Relation(
            "partition", "attachment_partition", "one", source_fk="partition_id", description="Its partition."
        ),
        Relation(
            "record", "entity_record", "one", source_fk="record_uuid", description="Its custom entity record."
        ),
    ],
    custom_fields="custom_fields",
    mutations=(),
    default_sort="created_at",
    hooks=guarded(Attachment, Hooks(before_delete=_drop_file)),
    description="A stored file of a record (or of the library).",
)


# --- shapes --------------------------------------------------------------------------------------


class Assignment(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: text(200)
    id: text(200)
    href: text(2000) | None = None
    label: text(500) | None = None


Tag = Annotated[str, PydanticField(min_length=1, max_length=100)]


class AttachmentItem(BaseModel):
    id: uuid.UUID
    url: str
    fileName: str
    fileSize: int
    createdAt: str | None = None
    mimeType: str | None = None
    content: str | None = None
    thumbnailUrl: str | None = None
    partitionCode: str | None = None
    partitionTitle: str | None = None
    tags: list[str] = []
    assignments: list[Assignment] = []
    customFields: SafeDict | None = None


class AttachmentItems(BaseModel):
    items: list[AttachmentItem]


class UploadReply(BaseModel):
    ok: bool
    item: AttachmentItem


class Ok(BaseModel):
    ok: bool


def item(
    attachment: Attachment, partition_title: str | None = None, *, custom: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "url": file_url(attachment),
        "fileName": attachment.file_name,
        "fileSize": attachment.file_size,
        "createdAt": format_datetime(attachment.created_at) if attachment.created_at else None,
        "mimeType": attachment.mime_type,
        "content": attachment.content,
        "thumbnailUrl": image_url(attachment) if attachment.mime_type in IMAGE_TYPES else None,
        "partitionCode": attachment.partition_code,
        "partitionTitle": partition_title,
        "tags": list(attachment.tags or []),
        "assignments": list(attachment.assignments or []),
        "customFields": custom,
    }


def parse_tags(raw: Any) -> list[str] | None:
    """Tags as a list, a JSON array text or comma-separated text (deduplicated, at most 50)."""
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.lstrip().startswith("[") else raw.split(",")
        except ValueError:
            raw = None
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise ValidationFailed([issue("tags", "A list of texts", "invalid_type")])
    tags = list(dict.fromkeys(t.strip() for t in raw if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > 100 for t in tags):
        raise ValidationFailed([issue("tags", f"At most {MAX_TAGS} tags of 100 characters", "too_big")])
    return tags


def _json_object(raw: str | None, path: str) -> dict[str, Any] | None:
    if raw in (None, ""):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed([issue(path, "A JSON object", "invalid_type")])
    return value


def _dimensions(data: bytes) -> tuple[int | None, int | None]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None, None
    if width * height > MAX_PIXELS:
        raise ValidationFailed([issue("file", "Image too large", "too_big")])
    return width, height


# --- upload --------------------------------------------------------------------------------------


class UploadInput(BaseModel):
    """A multipart upload: ``file`` with ``entityId`` and ``recordId`` of the record it belongs to;
    optional ``partitionCode``, ``tags`` (JSON array or comma-separated) and ``customFields`` (JSON)."""

    model_config = ConfigDict(extra="allow")
    entityId: text(200) | None = None
    recordId: text(200) | None = None
    file: UploadedFile | None = None
    partitionCode: text(60) | None = None
    tags: text(10_000) | None = None
    customFields: text(100_000) | None = None


@operation(
    "upload_attachment",
    MODULE,
    input=UploadInput,
    output=UploadReply,
    features=(MANAGE,),
    rest=Rest("POST", "/attachments", status=201, upload=MAX_BYTES),
    transaction=False,
    graphql=False,  # a multipart upload; GraphQL reads, edits, moves and deletes attachments
)
async def upload(ctx: RequestContext, data: UploadInput) -> dict[str, Any]:
    """Upload a file for a record the caller may see; nothing is kept when anything fails."""
    if data.file is None:
        raise ValidationFailed(
            [issue("file", "A file is required", "required")], "entityId, recordId and file are required"
        )
    staged, moved = staging(ctx.settings), None
    try:
        entity_id, record_id, record_uuid, org_id = await target_record(ctx, data.entityId, data.recordId)
        await ensure_default_partitions(ctx)
        async with ctx.read_session() as session:
            partition = await partition_by_code(ctx, session, data.partitionCode or DEFAULT_PARTITION)
        if partition is None:
            raise ValidationFailed([issue("partitionCode", "Unknown partition", "not_found")])
        body = await staged.read(data.file.key)
        mime_type = await detect_type(body)
        file_name = printable(data.file.filename)
        refuse_active(file_name, mime_type)
        width, height = (
            await asyncio.to_thread(_dimensions, body) if mime_type in IMAGE_TYPES else (None, None)
        )
        target = partition_storage(ctx.settings, partition.code)
        location = {"storageDriver": "local", "storageKey": data.file.key}
        if target.driver != "local":
            await target.put(data.file.key, body, mime_type)
            moved = (target, data.file.key)
            location = {
                "storageDriver": target.driver,
                "storageBucket": target.bucket,
                "storageKey": target.object_key(data.file.key),
            }
        payload = {
            "entityId": entity_id,
            "recordId": record_id,
            "recordUuid": str(record_uuid) if record_uuid else None,
            "partitionId": str(partition.id),
            "partitionCode": partition.code,
            "fileName": file_name,
            "mimeType": mime_type,
            "fileSize": len(body),
            "sha256": data.file.sha256,
            "width": width,
            "height": height,
            "tags": parse_tags(data.tags) or [],
            "assignments": [assignment(entity_id, record_id)],
            **location,
            **({"organizationId": str(org_id)} if org_id else {}),
        }
        custom = _json_object(data.customFields, "customFields") or {}
        custom |= {k: v for k, v in (data.model_extra or {}).items() if k.startswith(("cf_", "cf:"))}
        obj, _ = await service(ATTACHMENT).create(ctx, {**payload, "customValues": custom})
        if moved is not None:
            await staged.delete(data.file.key)
    except BaseException:
        await staged.delete(data.file.key)
        if moved is not None:
            await moved[0].delete(moved[1])
        raise
    return {"ok": True, "item": item(obj, partition.title)}


# --- reads ---------------------------------------------------------------------------------------


class RecordQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    recordId: text(200)


@operation(
    "record_attachments",
    MODULE,
    input=RecordQuery,
    output=AttachmentItems,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/attachments"),
)
async def record_attachments(ctx: RequestContext, data: RecordQuery) -> dict[str, Any]:
    """The files of a record, newest first (at most 100)."""
    params = list_params(
        ATTACHMENT,
        page_size=RECORD_LIST_SIZE,
        sort_field="created_at",
        sort_dir="desc",
        filters={"entityId": data.entityId, "recordId": data.recordId},
    )
    page = await service(ATTACHMENT).list(ctx, params, count=False)
    return {"items": [item(a) for a in page.items]}


class LibraryQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    page: int = PydanticField(1, ge=1, le=1_000_000)
    pageSize: int = PydanticField(50, ge=1, le=100)
    search: text(200) | None = None
    partition: text(60) | None = None
    tags: text(5000) | None = None
    sortField: text(50) | None = None
    sortDir: text(10) | None = None


class LibraryPartition(BaseModel):
    code: str
    title: str
    description: str | None = None
    isPublic: bool


class LibraryPage(BaseModel):
    items: list[AttachmentItem]
    total: int
    page: int
    pageSize: int
    totalPages: int
    availableTags: list[str]
    partitions: list[LibraryPartition]


async def _partitions(ctx: RequestContext) -> list[AttachmentPartition]:
    await ensure_default_partitions(ctx)
    query = select(AttachmentPartition).where(AttachmentPartition.tenant_id == ctx.tenant_id())
    async with ctx.read_session() as session:
        return list((await session.execute(query.order_by(AttachmentPartition.code))).scalars())


@operation(
    "attachment_library",
    MODULE,
    input=LibraryQuery,
    output=LibraryPage,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/attachments/library"),
)
async def library(ctx: RequestContext, data: LibraryQuery) -> dict[str, Any]:
    """Every attachment the caller may see: search by file name, filter by partition and tags (any
    of them), with the tags in use and the partitions."""
    sort = {"fileName": "file_name", "fileSize": "file_size", "createdAt": "created_at"}.get(
        data.sortField or "", data.sortField
    )
    params = list_params(
        ATTACHMENT,
        page=data.page,
        page_size=data.pageSize,
        search=data.search,
        sort_field=sort or "created_at",
        sort_dir=data.sortDir or ("desc" if not data.sortField else "asc"),
        filters={"partition": data.partition, "tags": parse_tags(data.tags)},
    )
    page = await service(ATTACHMENT).list(ctx, params)
    partitions = await _partitions(ctx)
    titles = {p.code: p.title for p in partitions}
    tag = func.jsonb_array_elements_text(Attachment.tags).label("tag")
    tags_query = (
        select(tag).where(*await entity_conditions(ctx, ATTACHMENT)).distinct().order_by("tag").limit(500)
    )
    async with ctx.read_session() as session:
        available = list((await session.execute(tags_query)).scalars())
    return {
        **page.envelope([item(a, titles.get(a.partition_code)) for a in page.items]),
        "availableTags": available,
        "partitions": [
            {"code": p.code, "title": p.title, "description": p.description, "isPublic": p.is_public}
            for p in partitions
        ],
    }


class LibraryRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class LibraryItemReply(BaseModel):
    item: AttachmentItem


async def _title(ctx: RequestContext, partition_id: uuid.UUID) -> str | None:
    async with ctx.read_session() as session:
        return await session.scalar(
            select(AttachmentPartition.title).where(AttachmentPartition.id == partition_id)
        )


@operation(
    "attachment_library_item",
    MODULE,
    input=LibraryRef,
    output=LibraryItemReply,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/attachments/library/{id}"),
)
async def library_item(ctx: RequestContext, data: LibraryRef) -> dict[str, Any]:
    """One attachment with its tags, assignments and custom fields (decrypted)."""
    attachment = await service(ATTACHMENT).get(ctx, data.id)
    custom = custom_field_policy().readable(ctx, ATTACHMENT, attachment.custom_fields or {})
    return {"item": item(attachment, await _title(ctx, attachment.partition_id), custom=custom)}


class LibraryUpdate(BaseModel):
    """Tags, assignments and custom fields (``customFields`` or ``cf_<key>``) to change."""

    model_config = ConfigDict(extra="allow")
    id: uuid.UUID
    tags: Annotated[list[Tag], PydanticField(max_length=MAX_TAGS)] | None = None
    assignments: Annotated[list[Assignment], PydanticField(max_length=100)] | None = None
    customFields: SafeDict | None = None


@operation(
    "update_attachment",
    MODULE,
    input=LibraryUpdate,
    output=Ok,
    features=(MANAGE,),
    rest=Rest("PATCH", "/attachments/library/{id}"),
    transaction=False,
)
async def update_attachment(ctx: RequestContext, data: LibraryUpdate) -> dict[str, Any]:
    """Change an attachment's tags, assignments or custom fields (only what is sent)."""
    changes: dict[str, Any] = {}
    if data.tags is not None:
        changes["tags"] = parse_tags(data.tags) or []
    if data.assignments is not None:
        changes["assignments"] = [a.model_dump() for a in data.assignments]
    if data.customFields is not None:
        changes["customFields"] = data.customFields
    changes |= {k: v for k, v in (data.model_extra or {}).items() if k.startswith(("cf_", "cf:"))}
    await service(ATTACHMENT).update(ctx, changes, id_=data.id)
    return {"ok": True}


class DeleteQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


@operation(
    "delete_attachment",
    MODULE,
    input=DeleteQuery,
    output=Ok,
    features=(MANAGE,),
    rest=(Rest("DELETE", "/attachments"), Rest("DELETE", "/attachments/library/{id}")),
    transaction=False,
)
async def delete_attachment(ctx: RequestContext, data: DeleteQuery) -> dict[str, Any]:
    """Delete an attachment for good; its stored file goes after the commit."""
    await service(ATTACHMENT).delete(ctx, data.id)
    return {"ok": True}


class TransferInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    attachmentIds: Annotated[list[uuid.UUID], PydanticField(min_length=1, max_length=200)]
    toRecordId: text(200)
    fromRecordId: text(200) | None = None


class TransferReply(BaseModel):
    ok: bool
    updated: int


@operation(
    "transfer_attachments",
    MODULE,
    input=TransferInput,
    output=TransferReply,
    features=(MANAGE,),
    rest=Rest("POST", "/attachments/transfer"),
)
async def transfer(ctx: RequestContext, data: TransferInput) -> dict[str, Any]:
    """Move attachments to another record of the same entity (assignments follow); every id must be
    an attachment of that entity the caller may see (404 otherwise), all moved or none."""
    entity_id, record_id, record_uuid, _ = await target_record(ctx, data.entityId, data.toRecordId)
    ids = list(dict.fromkeys(data.attachmentIds))
    async with ctx.unit_of_work(
        command="attachments.attachment.transfer", about="attachments.attachment"
    ) as uow:
        query = select(Attachment).where(Attachment.id.in_(ids), *await entity_conditions(ctx, ATTACHMENT))
        rows = list((await uow.session.execute(query.with_for_update())).scalars())
        if len(rows) != len(ids):
            raise NotFound()
        wrong = [
            str(r.id)
            for r in rows
            if r.entity_id != entity_id or (data.fromRecordId and r.record_id != data.fromRecordId)
        ]
        if wrong:
            raise ValidationFailed(
                [
                    issue(
                        "attachmentIds",
                        f"Not attachments of this entity or record: {', '.join(wrong)}",
                        "invalid",
                    )
                ]
            )
        updated = 0
        for row in rows:
            if row.record_id == record_id:
                continue
            before = serialize(ATTACHMENT, row)
            previous = row.record_id
            row.record_id, row.record_uuid = record_id, record_uuid
            kept = [
                a
                for a in row.assignments or []
                if not (a.get("type") == entity_id and a.get("id") == previous)
            ]
            row.assignments = [*kept, assignment(entity_id, record_id)]
            await flush_or_conflict(uow)
            await uow.session.refresh(row)
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity="attachment",
                verb="transfer",
                event="updated",
                resource_id=row.id,
                tenant_id=row.tenant_id,
                organization_id=row.organization_id,
                before=before,
                after=serialize(ATTACHMENT, row),
                payload={"fromRecordId": previous, "toRecordId": record_id, "entityId": entity_id},
            )
            updated += 1
    return {"ok": True, "updated": updated}
