"""Files of insurance leads: uploaded (multipart ``file``) or imported from a remote ``sourceUrl``.

Files go to the platform storage (``crmgraph.storage``), a row per file in
``insurance_lead_attachments``. Remote imports only reach public addresses: the resolver drops
loopback, private, link-local and reserved addresses for every connection (redirects included), so
a URL cannot make the server fetch from inside its network. ``ATTACHMENT_IMPORT_ALLOW_PRIVATE=1``
lifts that for development and tests.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from pydantic import AliasChoices, BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField

from crmgraph.context import RequestContext
from crmgraph.errors import DomainError, ValidationFailed, issue
from crmgraph.storage import LocalStorage, StoredFile
from models.insurance import Lead, LeadAttachment
from resolvers.events import record_command
from resolvers.operations import operation
from resolvers.scope import load_in_scope

MODULE = "insurance"
FEATURES = ("insurance.leads.manage", "attachments.manage")
MAX_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 20.0
ALLOW_PRIVATE_ENV = "ATTACHMENT_IMPORT_ALLOW_PRIVATE"


class ImportFailed(DomainError):
    status = 422
    code = "attachment_import_failed"


def file_url(attachment_id: uuid.UUID) -> str:
    """Where the attachments module serves the file."""
    return f"/api/attachments/file/{attachment_id}"


def item(row: LeadAttachment) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "url": file_url(row.id),
        "fileName": row.file_name,
        "fileSize": row.file_size,
        "content": None,
    }


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class PublicResolver(AbstractResolver):
    """DNS resolution that keeps public addresses only (the connection uses what it returns)."""

    def __init__(self) -> None:
        self.inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        allowed = [entry for entry in found if _public(entry["host"])]
        if not allowed:
            raise OSError(f"{host} does not resolve to a public address")
        return allowed

    async def close(self) -> None:
        await self.inner.close()


def _allow_private() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes")


def _name_from_url(url: str) -> str:
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).strip()
    return last[:255] or "attachment"


REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 3


def _literal_ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _checked(url: str) -> str:
    """``url`` when it is http(s) with a host; an IP literal must be public (names are checked
    by ``PublicResolver`` when connecting)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed([issue("sourceUrl", "An http(s) URL is required", "invalid_url")])
    literal = _literal_ip(parts.hostname)
    if literal is not None and not _allow_private() and not _public(literal):
        raise ImportFailed("Remote file could not be fetched")
    return url


async def fetch_remote(storage: LocalStorage, url: str, file_name: str | None) -> StoredFile:
    """Stream ``url`` (http/https, public hosts, at most ``MAX_BYTES``, redirects checked hop by
    hop) into storage."""
    _checked(url)
    connector = aiohttp.TCPConnector(resolver=None if _allow_private() else PublicResolver())
    timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            for _ in range(MAX_REDIRECTS + 1):
                async with http.get(url, allow_redirects=False) as response:
                    if response.status in REDIRECTS and response.headers.get("Location"):
                        url = _checked(urljoin(url, response.headers["Location"]))
                        continue
                    return await _save(storage, response, url, file_name)
            raise ImportFailed("Too many redirects")
    except (aiohttp.ClientError, OSError, TimeoutError):
        raise ImportFailed("Remote file could not be fetched") from None


async def _save(
    storage: LocalStorage, response: aiohttp.ClientResponse, url: str, file_name: str | None
) -> StoredFile:
    if response.status != 200:
        raise ImportFailed(f"Remote file answered {response.status}")
    if response.content_length is not None and response.content_length > MAX_BYTES:
        raise ImportFailed("Remote file too large", maxBytes=MAX_BYTES)

    async def chunks() -> AsyncIterator[bytes]:
        async for chunk in response.content.iter_chunked(64 * 1024):
            yield chunk

    return await storage.save(
        chunks(),
        filename=file_name or _name_from_url(url),
        content_type=response.content_type or "application/octet-stream",
        max_bytes=MAX_BYTES,
    )


def printable(value: str | None) -> str:
    """Client-given names without control characters (NUL never reaches the database)."""
    return re.sub(r"[\x00-\x1f\x7f]", "", value or "").strip()


def parse_tags(raw: Any) -> list[str] | None:
    """``tags``: a JSON array of strings (multipart sends it as a JSON string)."""
    if raw in (None, ""):
        return None
    try:
        tags = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        tags = None
    if not isinstance(tags, list) or not all(
        isinstance(t, str) and 0 < len(t) <= 100 and "\x00" not in t for t in tags
    ):
        raise ValidationFailed([issue("tags", "A JSON array of strings", "invalid_type")])
    return tags[:50]


async def attach(
    ctx: RequestContext, lead_id: Any, stored: StoredFile, *, source_url: str | None = None, tags: Any = None
) -> LeadAttachment:
    """Record a stored file as an attachment of a lead in scope (404 otherwise: the file is removed)."""
    storage = LocalStorage(ctx.settings.storage_dir)
    try:
        async with ctx.unit_of_work(command="insurance.leads.attach", about="insurance.lead") as uow:
            lead = await load_in_scope(ctx, uow.session, Lead, lead_id, "Lead")
            row = LeadAttachment(
                id=uuid.uuid4(),
                tenant_id=lead.tenant_id,
                organization_id=lead.organization_id,
                lead_id=lead.id,
                file_name=printable(stored.filename)[:255] or "attachment",
                content_type=printable(stored.content_type)[:255] or "application/octet-stream",
                file_size=stored.size,
                storage_key=stored.key,
                sha256=stored.sha256,
                source_url=source_url,
                tags=parse_tags(tags),
            )
            uow.session.add(row)
            await uow.session.flush()
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity="lead_attachment",
                verb="create",
                event="created",
                resource_id=row.id,
                tenant_id=row.tenant_id,
                organization_id=row.organization_id,
                before=None,
                after={**item(row), "leadId": str(lead.id)},
            )
    except BaseException:
        await storage.delete(stored.key)
        raise
    return row


async def import_remote(
    ctx: RequestContext, lead_id: Any, url: str, file_name: str | None = None, tags: Any = None
) -> LeadAttachment:
    async with ctx.read_session() as session:
        await load_in_scope(ctx, session, Lead, lead_id, "Lead")  # 404 before any fetch
    stored = await fetch_remote(LocalStorage(ctx.settings.storage_dir), url, file_name)
    return await attach(ctx, lead_id, stored, source_url=url, tags=tags)


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]


class InsuranceAttachmentImportInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    sourceUrl: HttpUrl = PydanticField(validation_alias=AliasChoices("sourceUrl", "url"))
    fileName: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)] | None
    ) = None
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = None


class InsuranceAttachmentItem(BaseModel):
    id: uuid.UUID
    url: str
    fileName: str
    fileSize: int
    content: str | None = None


class InsuranceAttachmentReply(BaseModel):
    ok: bool
    item: InsuranceAttachmentItem


@operation(
    "import_insurance_lead_attachment",
    MODULE,
    input=InsuranceAttachmentImportInput,
    output=InsuranceAttachmentReply,
    features=FEATURES,
    transaction=False,  # the fetch runs outside any transaction
)
async def import_attachment(ctx: RequestContext, data: InsuranceAttachmentImportInput) -> dict[str, Any]:
    """Import a remote file (``sourceUrl``) as an attachment of a lead. REST: ``POST
    /insurance/leads/{id}/attachments`` with a JSON body (or multipart ``file`` to upload)."""
    row = await import_remote(ctx, data.id, data.sourceUrl, data.fileName, data.tags)
    return {"ok": True, "item": item(row)}
