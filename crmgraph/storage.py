"""File storage behind one interface: uploads are streamed in, never held whole in memory.

``LocalStorage`` (the default) keeps files under ``STORAGE_DIR``; an S3-compatible backend can
implement the same three methods.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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
