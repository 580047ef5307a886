"""Resized images (``GET /attachments/image/{id}/{slug}``), made with Pillow and cached on local disk
under ``STORAGE_DIR/renditions/<attachment id>/`` (one file per size and crop), removed with the
attachment."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps

from crmgraph.config import Settings

Crop = Literal["cover", "contain"]
MAX_SIDE = 4000
SAVE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def _folder(settings: Settings, attachment_id: uuid.UUID) -> Path:
    return Path(settings.storage_dir) / "renditions" / str(attachment_id)


def cache_path(
    settings: Settings, attachment_id: uuid.UUID, width: int | None, height: int | None, crop: Crop
) -> Path:
    return _folder(settings, attachment_id) / f"{width or 0}x{height or 0}-{crop}"


def _size(image: Image.Image, width: int | None, height: int | None) -> tuple[int, int]:
    """The requested box; a missing side keeps the aspect ratio."""
    if width and height:
        return width, height
    ratio = image.width / image.height
    if width:
        return width, max(1, round(width / ratio))
    return max(1, round(height * ratio)), height  # type: ignore[operator]


def render(data: bytes, width: int | None, height: int | None, crop: Crop) -> tuple[bytes, str]:
    """The image resized to ``width`` x ``height`` (``cover`` crops to fill the box, ``contain``
    fits it and pads the rest, transparent where the format allows); the original size when
    neither side is given. Returns (bytes, content type)."""
    with Image.open(io.BytesIO(data)) as source:
        fmt = source.format if source.format in SAVE_FORMATS else "PNG"
        image = ImageOps.exif_transpose(source)
        if width or height:
            box = _size(image, width, height)
            if width and height and crop == "contain":
                alpha = fmt != "JPEG"
                if alpha and image.mode != "RGBA":
                    image = image.convert("RGBA")
                image = ImageOps.pad(image, box, color=(0, 0, 0, 0) if alpha else (255, 255, 255))
            elif width and height:
                image = ImageOps.fit(image, box)
            else:
                image = image.resize(box)
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format=fmt)
    return out.getvalue(), SAVE_FORMATS[fmt]


async def rendition(
    settings: Settings,
    attachment_id: uuid.UUID,
    data_source,
    width: int | None,
    height: int | None,
    crop: Crop,
) -> tuple[bytes, str, bool]:
    """(bytes, content type, served from the cache). ``data_source`` reads the original."""
    path = cache_path(settings, attachment_id, width, height, crop)
    meta = path.with_suffix(".type")
    if path.exists() and meta.exists():
        body, content_type = await asyncio.to_thread(path.read_bytes), await asyncio.to_thread(meta.read_text)
        return body, content_type, True
    body, content_type = await asyncio.to_thread(render, await data_source(), width, height, crop)
    await asyncio.to_thread(_write, path, body, content_type)
    return body, content_type, False


def _write(path: Path, body: bytes, content_type: str) -> None:
    """Write atomically (a concurrent reader sees the whole file or none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, payload in ((path, body), (path.with_suffix(".type"), content_type.encode())):
        handle, temporary = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, target)


async def purge_renditions(settings: Settings, attachment_id: uuid.UUID) -> None:
    await asyncio.to_thread(shutil.rmtree, _folder(settings, attachment_id), True)
