"""Partitions of a tenant's attachments: public or private, with OCR settings; where each stores its
files comes from the environment (``envKey``). Default partitions cannot be removed, nor a
partition that still holds files."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, Conflict, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.attachments import Attachment, AttachmentPartition
from resolvers.attachments.common import (
    DEFAULT_CODES,
    MANAGE,
    MODULE,
    VIEW,
    ensure_default_partitions,
    env_key,
    partition_by_code,
)
from resolvers.crud import flush_or_conflict
from resolvers.entity import Entity, Features, Field, Relation, eq
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.scope import load_in_scope
from resolvers.validation import text

READONLY = {"create": False, "update": False}

PARTITION = Entity(
    name="attachment_partition",
    module=MODULE,
    model=AttachmentPartition,
    path=None,
    graphql_name="AttachmentPartition",
    plural="attachment_partitions",
    scope="tenant",
    soft_delete=False,
    features=Features(view=[VIEW]),
    fields=[
        Field("code", str, sort=True, search=True, **READONLY),
        Field("title", str, sort=True, search=True, **READONLY),
        Field("description", str, **READONLY),
        Field("is_public", bool, **READONLY),
        Field("requires_ocr", bool, **READONLY),
        Field("ocr_model", str, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("code", AttachmentPartition.code), eq("isPublic", AttachmentPartition.is_public, bool)],
    relations=[
        Relation("attachments", "attachment", "many", target_fk="partition_id", description="Its files.")
    ],
    mutations=(),
    default_sort="code",
    description="A partition of attachments: public or private, stored where the environment says.",
)

Code = Annotated[str, PydanticField(min_length=1, max_length=60)]


class PartitionInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: Code
    title: Annotated[str, PydanticField(min_length=1, max_length=200)]
    description: text(2000) | None = None
    isPublic: bool | None = None
    requiresOcr: bool | None = None
    ocrModel: text(100) | None = None


class PartitionUpdate(PartitionInput):
    id: uuid.UUID


class PartitionRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class PartitionItem(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    description: str | None = None
    isPublic: bool
    requiresOcr: bool
    ocrModel: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    envKey: str


class PartitionReply(BaseModel):
    item: PartitionItem


class PartitionList(BaseModel):
    items: list[PartitionItem]


class Ok(BaseModel):
    ok: bool


def sanitized_code(raw: str) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]", "", raw.strip())
    if not code:
        raise ValidationFailed(
            [issue("code", "A code of letters, digits, _ or -", "invalid_string")],
            "Partition code is required.",
        )
    return code


def partition_item(row: AttachmentPartition) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "title": row.title,
        "description": row.description,
        "isPublic": row.is_public,
        "requiresOcr": row.requires_ocr,
        "ocrModel": row.ocr_model,
        "createdAt": format_datetime(row.created_at) if row.created_at else None,
        "updatedAt": format_datetime(row.updated_at) if row.updated_at else None,
        "envKey": env_key(row.code),
    }


def _record(ctx: RequestContext, uow: Any, verb: str, row: AttachmentPartition, before: Any) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="partition",
        verb=verb,
        resource_id=row.id,
        tenant_id=row.tenant_id,
        before=before,
        after={**partition_item(row), "id": str(row.id)} if verb != "delete" else None,
    )


@operation(
    "list_attachment_partitions",
    MODULE,
    output=PartitionList,
    kind="query",
    features=(MANAGE,),
    rest=Rest("GET", "/attachments/partitions"),
)
async def list_partitions(ctx: RequestContext) -> dict[str, Any]:
    """The tenant's partitions (the default ones are created on first use)."""
    await ensure_default_partitions(ctx)
    query = select(AttachmentPartition).where(AttachmentPartition.tenant_id == ctx.tenant_id())
    async with ctx.read_session() as session:
        rows = (
            await session.execute(query.order_by(AttachmentPartition.created_at, AttachmentPartition.code))
        ).scalars()
        return {"items": [partition_item(row) for row in rows]}


@operation(
    "create_attachment_partition",
    MODULE,
    input=PartitionInput,
    output=PartitionReply,
    features=(MANAGE,),
    rest=Rest("POST", "/attachments/partitions", status=201),
)
async def create_partition(ctx: RequestContext, data: PartitionInput) -> dict[str, Any]:
    """A new partition (its code is unique in the tenant: 409 otherwise)."""
    code = sanitized_code(data.code)
    await ensure_default_partitions(ctx)
    async with ctx.unit_of_work() as uow:
        if await partition_by_code(ctx, uow.session, code) is not None:
            raise Conflict("Partition code already exists.")
        row = AttachmentPartition(
            id=uuid.uuid4(),
            tenant_id=ctx.tenant_id(),
            code=code,
            title=data.title.strip() or code,
            description=data.description,
            is_public=bool(data.isPublic),
            requires_ocr=bool(data.requiresOcr),
            ocr_model=data.ocrModel or None,
        )
        uow.session.add(row)
        await flush_or_conflict(uow, "Partition code already exists.")
        await uow.session.refresh(row)
        _record(ctx, uow, "create", row, None)
    return {"item": partition_item(row)}


@operation(
    "update_attachment_partition",
    MODULE,
    input=PartitionUpdate,
    output=PartitionReply,
    features=(MANAGE,),
    rest=Rest("PUT", "/attachments/partitions"),
)
async def update_partition(ctx: RequestContext, data: PartitionUpdate) -> dict[str, Any]:
    """Change a partition's title, description, visibility or OCR settings (never its code)."""
    async with ctx.unit_of_work() as uow:
        row = await load_in_scope(ctx, uow.session, AttachmentPartition, data.id, "Partition", lock=True)
        if sanitized_code(data.code) != row.code:
            raise BadRequest("Partition code cannot be changed.")
        before = {**partition_item(row), "id": str(row.id)}
        row.title = data.title.strip() or row.code
        row.description = data.description
        row.is_public = bool(data.isPublic)
        if data.requiresOcr is not None:
            row.requires_ocr = data.requiresOcr
        if "ocrModel" in data.model_fields_set:
            row.ocr_model = data.ocrModel or None
        await flush_or_conflict(uow)
        await uow.session.refresh(row)
        _record(ctx, uow, "update", row, before)
    return {"item": partition_item(row)}


@operation(
    "delete_attachment_partition",
    MODULE,
    input=PartitionRef,
    output=Ok,
    features=(MANAGE,),
    rest=Rest("DELETE", "/attachments/partitions"),
)
async def delete_partition(ctx: RequestContext, data: PartitionRef) -> dict[str, Any]:
    """Remove a partition (``id`` in the query or body): not a default one (400), not one in use (409)."""
    async with ctx.unit_of_work() as uow:
        row = await load_in_scope(ctx, uow.session, AttachmentPartition, data.id, "Partition", lock=True)
        if row.code in DEFAULT_CODES:
            raise BadRequest("Default partitions cannot be removed.")
        used = await uow.session.scalar(select(func.count()).where(Attachment.partition_id == row.id))
        if used:
            raise Conflict("Partition is in use and cannot be removed.")
        before = {**partition_item(row), "id": str(row.id)}
        await uow.session.delete(row)
        await flush_or_conflict(uow)
        _record(ctx, uow, "delete", row, before)
    return {"ok": True}
