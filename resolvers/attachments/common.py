"""What the attachments module shares: features, limits, default partitions, where a partition's
files are stored, what a file is (detected from its bytes) and the records files may belong to."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from typing import Any

import magic
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from crmgraph.config import Settings
from crmgraph.context import RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from crmgraph.storage import LocalStorage, S3Storage, storage_from_spec
from models.attachments import Attachment, AttachmentPartition
from resolvers.crud import service
from resolvers.entities.common import checked_entity_id, code_entity, context_org, custom_entity
from resolvers.entities.records import RECORD
from resolvers.events import record_command
from resolvers.scope import parse_uuid

MODULE = "attachments"
VIEW = "attachments.view"
MANAGE = "attachments.manage"
MAX_BYTES = 20 * 1024 * 1024
LIBRARY_ENTITY = "attachments:library"  # files of the library itself (no record)
DEFAULT_PARTITION = "privateAttachments"
DEFAULT_PARTITIONS = (
    ("productsMedia", "Products media", "Public media, e.g. of catalog products.", True),
    (DEFAULT_PARTITION, "Private attachments", "Internal attachments of the tenant's records.", False),
)
DEFAULT_CODES = frozenset(code for code, *_ in DEFAULT_PARTITIONS)
SNIFF_BYTES = 8192
# Never stored: programs and content a browser would run.
ACTIVE_TYPES = frozenset(
    {
        "application/x-dosexec",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-mach-binary",
        "application/x-msdownload",
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
    }
)
EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "bat", "cmd", "com", "scr", "msi", "ps1", "vbs", "js", "jar", "sh", "dll"}
)
# Shown in the browser (everything else is a download).
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"})


def env_key(code: str) -> str:
    """The environment variable that may give a partition its own storage."""
    return "ATTACHMENTS_STORAGE_" + re.sub(r"(?<!^)(?=[A-Z])", "_", re.sub(r"\W", "_", code)).upper()


def partition_storage(settings: Settings, code: str) -> Any:
    """Where new files of partition ``code`` go (``ATTACHMENTS_STORAGE_<CODE>``, else
    ``ATTACHMENTS_STORAGE``)."""
    spec = os.environ.get(env_key(code)) or settings.attachments_storage
    return storage_from_spec(
        spec,
        local_root=settings.storage_dir,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
    )


def file_storage(settings: Settings, driver: str, bucket: str | None) -> Any:
    """The storage a stored file lives in (as recorded on its row)."""
    if driver == "s3" and bucket:
        return S3Storage(bucket, endpoint_url=settings.s3_endpoint_url or None, region=settings.s3_region)
    return LocalStorage(settings.storage_dir)


def staging(settings: Settings) -> LocalStorage:
    """Where uploads land while they are checked (``Rest(upload=...)`` streams them here)."""
    return LocalStorage(settings.storage_dir)


async def detect_type(data: bytes) -> str:
    """The content type of ``data``, from its bytes (libmagic); the client's claim is ignored."""
    return await asyncio.to_thread(magic.from_buffer, data[:SNIFF_BYTES], True) or "application/octet-stream"


def refuse_active(file_name: str, mime_type: str) -> None:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if mime_type in ACTIVE_TYPES or extension in EXECUTABLE_EXTENSIONS:
        raise ValidationFailed(
            [issue("file", "Executable or active content is not accepted", "unsupported_type")]
        )


def printable(value: str | None, limit: int = 255) -> str:
    """A client-given name without control characters or path parts."""
    cleaned = re.sub(r"[\x00-\x1f\x7f]", "", value or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return cleaned[-limit:] or "file"


async def ensure_default_partitions(ctx: RequestContext) -> None:
    """The tenant's default partitions exist (created on first use, each recorded)."""
    tenant_id = ctx.tenant_id()
    cache_key = f"attachments:defaults:{tenant_id}"
    if ctx.cache.get(cache_key):
        return
    async with ctx.read_session() as session:
        present = set(
            (
                await session.execute(
                    select(AttachmentPartition.code).where(AttachmentPartition.tenant_id == tenant_id)
                )
            ).scalars()
        )
    missing = [p for p in DEFAULT_PARTITIONS if p[0] not in present]
    if missing:
        async with ctx.unit_of_work(command="attachments.partition.defaults") as uow:
            for code, title, description, public in missing:
                values = {"code": code, "title": title, "description": description, "is_public": public}
                inserted = await uow.session.execute(
                    insert(AttachmentPartition)
                    .values(id=uuid.uuid4(), tenant_id=tenant_id, **values)
                    .on_conflict_do_nothing()
                    .returning(AttachmentPartition.id)
                )
                created = inserted.scalar_one_or_none()
                if created is not None:
                    record_command(
                        ctx,
                        uow,
                        module=MODULE,
                        entity="partition",
                        verb="create",
                        event="created",
                        resource_id=created,
                        tenant_id=tenant_id,
                        after={"id": str(created), "code": code, "title": title, "isPublic": public},
                    )
    ctx.cache[cache_key] = True


async def partition_by_code(ctx: RequestContext, session: Any, code: str) -> AttachmentPartition | None:
    query = select(AttachmentPartition).where(
        AttachmentPartition.tenant_id == ctx.tenant_id(), AttachmentPartition.code == code
    )
    return (await session.execute(query)).scalar_one_or_none()


async def target_record(
    ctx: RequestContext, entity_id: Any, record_id: Any
) -> tuple[str, str, uuid.UUID | None, Any]:
    """``(entity id, record id, record uuid, organization id)`` of a record the caller may see
    (404 otherwise, also for another tenant's): a row of a code entity (with its view features), a
    record of a custom entity, or the library itself (``attachments:library``, any record id)."""
    entity_id = checked_entity_id(entity_id)
    record = str(record_id or "").strip()
    if not record or len(record) > 200 or "\x00" in record:
        raise ValidationFailed([issue("recordId", "A record id is required", "invalid_string")])
    if entity_id == LIBRARY_ENTITY:
        return entity_id, record, parse_uuid(record), None
    code = code_entity(entity_id)
    if code is not None and code.scope != "global":
        row = await service(code).get(ctx, record)
        return entity_id, str(row.id), row.id, getattr(row, "organization_id", None)
    if code is None and await custom_entity(ctx, entity_id, await context_org(ctx)) is not None:
        row = await service(RECORD).get(ctx, record, check=False)
        if row.entity_id != entity_id:
            raise NotFound()
        return entity_id, str(row.id), row.id, row.organization_id
    raise ValidationFailed([issue("entityId", "Unknown entity", "not_found")])


def assignment(entity_id: str, record_id: str) -> dict[str, Any]:
    return {"type": entity_id, "id": record_id, "href": None, "label": None}


def file_url(attachment: Attachment) -> str:
    return f"/api/attachments/file/{attachment.id}"


def image_url(attachment: Attachment, width: int = 320, height: int = 320) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", attachment.file_name.lower()).strip("-") or "image"
    return f"/api/attachments/image/{attachment.id}/{slug}?width={width}&height={height}"
