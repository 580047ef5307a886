"""Serving stored files: ``GET /attachments/file/{id}`` (raw, ``?download=1`` forces a download) and
``GET /attachments/image/{id}/{slug}`` (resized). Neither needs credentials, as documented; access
follows the partition: a signed-in caller reads files of its own tenant and organizations (another
tenant's id: 404), an anonymous one only files of public partitions (401 for a private one). Files
of insurance leads (``insurance_lead_attachments``) are served at the same address, to signed-in
callers who may see the lead.

Content types come from the bytes (detected on upload); only safe types are shown inline, every
other file is a download, and responses carry ``nosniff`` and a sandboxing CSP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp.helpers import content_disposition_header
from PIL import Image
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, NotFound, Unauthorized
from models.attachments import Attachment, AttachmentPartition
from models.insurance import LeadAttachment
from resolvers.attachments.attachments import ATTACHMENT
from resolvers.attachments.common import INLINE_TYPES, detect_type, file_storage
from resolvers.attachments.renditions import rendition
from resolvers.scope import entity_conditions, live_in_scope, parse_uuid
from resolvers.validation import text

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


@dataclass
class StoredRef:
    """Where a servable file is and what it is."""

    id: uuid.UUID
    file_name: str
    mime_type: str | None
    driver: str
    bucket: str | None
    key: str
    public: bool


@dataclass
class Served:
    body: bytes
    content_type: str
    headers: dict[str, str]


async def _attachment(ctx: RequestContext, ident: uuid.UUID) -> StoredRef | None:
    """The attachment as the caller may see it (signed in: in its scope; anonymous: public only)."""
    query = select(Attachment, AttachmentPartition.is_public).join(
        AttachmentPartition, AttachmentPartition.id == Attachment.partition_id
    )
    query = query.where(Attachment.id == ident)
    signed_in = ctx.principal is not None
    if signed_in:
        query = query.where(*await entity_conditions(ctx, ATTACHMENT))
    async with ctx.read_session(system=not signed_in) as session:
        found = (await session.execute(query)).first()
    if found is None:
        return None
    row, public = found
    if not signed_in and not public:
        raise Unauthorized()
    return StoredRef(
        row.id, row.file_name, row.mime_type, row.storage_driver, row.storage_bucket, row.storage_key, public
    )


async def _lead_file(ctx: RequestContext, ident: uuid.UUID) -> StoredRef | None:
    """A file of an insurance lead in the caller's scope (signed-in callers only)."""
    if ctx.principal is None:
        return None
    query = await live_in_scope(ctx, LeadAttachment, select(LeadAttachment).where(LeadAttachment.id == ident))
    async with ctx.read_session() as session:
        row = (await session.execute(query)).scalar_one_or_none()
    if row is None or not row.storage_key:
        return None
    return StoredRef(row.id, row.file_name, None, "local", None, row.storage_key, False)


async def find(ctx: RequestContext, raw_id: Any) -> StoredRef:
    ident = parse_uuid(raw_id)
    if ident is None:
        raise NotFound()
    found = await _attachment(ctx, ident) or await _lead_file(ctx, ident)
    if found is None:
        raise NotFound()
    return found


async def _read(ctx: RequestContext, ref: StoredRef) -> bytes:
    try:
        return await file_storage(ctx.settings, ref.driver, ref.bucket).read(ref.key)
    except FileNotFoundError:
        raise NotFound("File not available") from None


def _cache_control(ref: StoredRef, seconds: int) -> str:
    return f"public, max-age={seconds}" if ref.public else "private, max-age=60"


async def file_response(ctx: RequestContext, raw_id: Any, download: bool) -> Served:
    ref = await find(ctx, raw_id)
    body = await _read(ctx, ref)
    mime_type = ref.mime_type or await detect_type(body)
    inline = not download and mime_type in INLINE_TYPES
    disposition = content_disposition_header("inline" if inline else "attachment", filename=ref.file_name)
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": disposition,
        "Cache-Control": _cache_control(ref, 86400),
    }
    return Served(body, mime_type if inline else "application/octet-stream", headers)


Side = PydanticField(default=None, ge=1, le=4000)


class ImageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    width: int | None = Side
    height: int | None = Side
    cropType: Literal["cover", "contain"] | None = None
    slug: text(300) | None = None


async def image_response(ctx: RequestContext, raw_id: Any, query: ImageQuery) -> Served:
    ref = await find(ctx, raw_id)
    mime_type = ref.mime_type or await detect_type(await _read(ctx, ref))
    if not mime_type.startswith("image/") or mime_type == "image/svg+xml":
        raise BadRequest("Unsupported media type")

    async def original() -> bytes:
        return await _read(ctx, ref)

    try:
        body, content_type, _ = await rendition(
            ctx.settings, ref.id, original, query.width, query.height, query.cropType or "cover"
        )
    except (OSError, ValueError, Image.DecompressionBombError) as exc:  # not an image Pillow reads
        raise BadRequest("Unsupported media type") from exc
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": _cache_control(ref, 3600)}
    return Served(body, content_type, headers)
