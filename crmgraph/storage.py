"""File storage behind one interface: uploads are streamed in, never held whole in memory.

``LocalStorage`` (the default) keeps files under ``STORAGE_DIR``; ``S3Storage`` keeps them in a
bucket of any S3-compatible service (aiobotocore; credentials from the standard AWS environment
variables). ``storage_from_spec`` picks one from a spec: ``local`` or ``s3://bucket/prefix``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from crmgraph.errors import DomainError


class TooLarge(DomainError):
    status = 413
    code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__("File too large", maxBytes=limit)


@dataclass(frozen=True)
class StoredFile:
    key: str
    filename: str
    content_type: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "filename": self.filename,
            "contentType": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


class Storage(Protocol):
    async def save(
        self, chunks: AsyncIterator[bytes], *, filename: str, content_type: str, max_bytes: int
    ) -> StoredFile: ...

    async def read(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files on local disk, named by a random key (the client's filename is kept as metadata only)."""

    driver = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid storage key")
        return self.root / key[:2] / key

    async def save(
        self, chunks: AsyncIterator[bytes], *, filename: str, content_type: str, max_bytes: int
    ) -> StoredFile:
        key = uuid.uuid4().hex
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle = await asyncio.to_thread(open, path, "wb")
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
        except BaseException:
            handle.close()
            await asyncio.to_thread(path.unlink, missing_ok=True)
            raise
        handle.close()
        return StoredFile(key, filename, content_type, size, digest.hexdigest())

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


class StorageUnavailable(DomainError):
    """The configured file storage did not answer (or refused the request)."""

    status = 503
    code = "storage_unavailable"

    def __init__(self) -> None:
        super().__init__("File storage unavailable")


class S3Storage:
    """Files in an S3-compatible bucket under ``prefix``, named by a random key. Uploads are spooled
    (memory, then a temporary file past 1 MiB) to count and hash them before one PUT."""

    driver = "s3"

    def __init__(
        self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str = "us-east-1"
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.region = region

    def _client(self) -> Any:
        from aiobotocore.session import get_session

        return get_session().create_client("s3", endpoint_url=self.endpoint_url, region_name=self.region)

    def object_key(self, key: str) -> str:
        if not key or ".." in key or key.startswith("/"):
            raise ValueError("invalid storage key")
        return f"{self.prefix}/{key}" if self.prefix else key

    async def save(
        self, chunks: AsyncIterator[bytes], *, filename: str, content_type: str, max_bytes: int
    ) -> StoredFile:
        key = uuid.uuid4().hex
        digest, size = hashlib.sha256(), 0
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                spool.write(chunk)
            spool.seek(0)
            body = await asyncio.to_thread(spool.read)
        await self.put(key, body, content_type)
        return StoredFile(key, filename, content_type, size, digest.hexdigest())

    async def put(self, key: str, body: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            async with self._client() as client:
                await client.put_object(
                    Bucket=self.bucket, Key=self.object_key(key), Body=body, ContentType=content_type
                )
        except (BotoCoreError, ClientError, OSError):
            raise StorageUnavailable() from None

    async def read(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            async with self._client() as client:
                response = await client.get_object(Bucket=self.bucket, Key=self.object_key(key))
                async with response["Body"] as stream:
                    return await stream.read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from None
            raise StorageUnavailable() from None
        except (BotoCoreError, OSError):
            raise StorageUnavailable() from None

    async def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            async with self._client() as client:
                await client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except (BotoCoreError, ClientError, OSError):
            raise StorageUnavailable() from None


def storage_from_spec(
    spec: str, *, local_root: str, endpoint_url: str = "", region: str = "us-east-1"
) -> Any:
    """``local`` (files under ``local_root``) or ``s3://bucket[/prefix]``."""
    spec = (spec or "local").strip()
    if spec == "local":
        return LocalStorage(local_root)
    parts = urlsplit(spec)
    if parts.scheme == "s3" and parts.netloc:
        return S3Storage(parts.netloc, parts.path, endpoint_url=endpoint_url or None, region=region)
    raise ValueError(f"unknown storage spec {spec!r} (local or s3://bucket/prefix)")
