"""A resource's image gallery: multipart uploads checked with Pillow (JPEG, PNG, GIF, WebP), a
thumbnail per image, caption/order/primary edits and deletion (the files go after the commit)."""

from __future__ import annotations

import asyncio
import io
import uuid
import warnings
from collections.abc import AsyncIterator
from typing import Any

from PIL import Image
from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, ValidationFailed, issue
from crmgraph.storage import LocalStorage, StoredFile
from models.resources import GalleryImage
from resolvers.crud import guarded, service
from resolvers.entity import Entity, Field, eq, serialize
from resolvers.operations import Rest, UploadedFile, operation
from resolvers.resources.common import (
    FEATURES,
    MANAGE,
    VIEW,
    bound_to_resource,
    load_resource,
    resource_field,
    resource_relation,
    scope_fields,
)
from resolvers.undo import NOT_AVAILABLE, Direction, undo_handler
from resolvers.validation import text

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # larger images are refused (decompression bombs)
THUMBNAIL = (320, 320)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def storage(ctx: RequestContext) -> LocalStorage:
    return LocalStorage(ctx.settings.storage_dir)


async def _one_primary(
    ctx: RequestContext, uow: UnitOfWork, image: GalleryImage, data: dict[str, Any]
) -> None:
    """One primary image per resource: marking one primary clears the flag on the others."""
    if data.get("is_primary"):
        await uow.session.execute(
            update(GalleryImage)
            .where(GalleryImage.resource_id == image.resource_id, GalleryImage.id != image.id)
            .values(is_primary=False)
        )


async def _drop_files(ctx: RequestContext, uow: UnitOfWork, image: GalleryImage) -> None:
    keys = [k for k in (image.storage_key, image.thumbnail_key) if k]

    async def remove() -> None:
        for key in keys:
            await storage(ctx).delete(key)

    uow.after_commit(remove)


FILE_FIELDS = {"create": True, "update": False}

GALLERY_IMAGE = Entity(
    name="resource_gallery_image",
    module="resources",
    model=GalleryImage,
    path=None,
    graphql_name="ResourceGalleryImage",
    plural="resource_gallery_images",
    features=FEATURES,
    soft_delete=False,
    fields=[
        resource_field(),
        Field("storage_key", str, read=False, update=False, max_length=64),
        Field("thumbnail_key", str, read=False, update=False, max_length=64),
        Field("filename", str, sort=True, update=False, max_length=255),
        Field("content_type", str, update=False, max_length=100),
        Field("size", int, sort=True, update=False),
        Field("sha256", str, update=False, max_length=64),
        Field("width", int, update=False),
        Field("height", int, update=False),
        Field("caption", str, search=True, max_length=500),
        Field("sort_order", int, sort=True),
        Field("is_primary", bool, sort=True),
        *scope_fields(),
    ],
    filters=[eq("resourceId", GalleryImage.resource_id, uuid.UUID)],
    relations=[resource_relation()],
    default_sort="sort_order",
    mutations=("update", "delete"),
    hooks=guarded(
        GalleryImage,
        bound_to_resource(after_create=_one_primary, after_update=_one_primary, before_delete=_drop_files),
    ),
    description="An image in a resource's gallery.",
)


@undo_handler("resources.resource_gallery_image.delete")
async def _undo_delete(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    raise BadRequest(NOT_AVAILABLE, reason="a deleted image's files are gone")


@undo_handler("resources.resource_gallery_image.create")
async def _undo_upload(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Undoing an upload removes the image and its files (so it cannot be redone)."""
    image = await uow.session.get(GalleryImage, uuid.UUID(step["resourceId"]), with_for_update=True)
    if direction == "redo" or image is None:
        raise BadRequest(NOT_AVAILABLE, reason="the image's files are gone")
    await _drop_files(ctx, uow, image)
    await uow.session.delete(image)
    await uow.session.flush()


def _inspect_image(data: bytes) -> tuple[str, int, int, bytes]:
    """(format, width, height, thumbnail bytes) of a supported image; ValueError otherwise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in FORMATS:
                raise ValueError(f"Unsupported image format {kind}")
            if width * height > MAX_PIXELS:
                raise ValueError("Image is too large")
            image.thumbnail(THUMBNAIL)
            out = io.BytesIO()
            thumb = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            thumb.save(out, format="PNG")
    return kind, width, height, out.getvalue()


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


class GalleryListInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    resource_id: uuid.UUID = PydanticField(validation_alias=AliasChoices("resourceId", "resource_id"))


class GalleryUploadInput(BaseModel):
    """A multipart form: the image in ``file``, the resource in ``resourceId``."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    file: UploadedFile | None = None
    resource_id: str | None = PydanticField(
        default=None, validation_alias=AliasChoices("resourceId", "resource_id")
    )
    caption: text(500) | None = None
    sort_order: str | None = PydanticField(
        default=None, validation_alias=AliasChoices("sortOrder", "sort_order")
    )
    is_primary: str | None = PydanticField(
        default=None, validation_alias=AliasChoices("isPrimary", "is_primary")
    )


class GalleryUpdateInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")
    id: uuid.UUID


class GalleryDeleteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


def _item(image: GalleryImage) -> dict[str, Any]:
    return serialize(GALLERY_IMAGE, image)


@operation(
    "list_resource_gallery",
    "resources",
    kind="query",
    input=GalleryListInput,
    features=(VIEW,),
    rest=Rest("GET", "/resources/resource-gallery"),
    graphql=False,  # GraphQL: ``Resource.gallery`` and ``resourceGalleryImages(filter: {resourceId})``
)
async def list_gallery(ctx: RequestContext, data: GalleryListInput) -> dict[str, Any]:
    """The images of a resource, primary first, then by sort order (404 for a resource out of scope)."""
    async with ctx.read_session() as session:
        await load_resource(ctx, session, data.resource_id)
        rows = await session.execute(
            select(GalleryImage)
            .where(GalleryImage.resource_id == data.resource_id)
            .order_by(GalleryImage.is_primary.desc(), GalleryImage.sort_order, GalleryImage.created_at)
        )
        return {"items": [_item(image) for image in rows.scalars()]}


def _form_value(name: str, raw: str | None, kind: type) -> Any:
    if raw in (None, ""):
        return None
    if kind is bool:
        return raw.strip().lower() in ("true", "1", "yes", "on")
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed([issue(name, "Expected an integer", "invalid_type")]) from None


async def _store_image(ctx: RequestContext, data: GalleryUploadInput, upload: UploadedFile) -> dict[str, Any]:
    """Check the uploaded file is a supported image, store its thumbnail; the create payload."""
    original = await storage(ctx).read(upload.key)
    try:
        kind, width, height, thumbnail = await asyncio.to_thread(_inspect_image, original)
    except Exception:  # Pillow raises many kinds for malformed or hostile files
        raise ValidationFailed(
            [issue("file", "Not a supported image (JPEG, PNG, GIF, WebP)", "invalid_file")]
        ) from None
    thumb: StoredFile = await storage(ctx).save(
        _single(thumbnail), filename="thumbnail", content_type="image/png", max_bytes=MAX_IMAGE_BYTES
    )
    payload = {
        "resourceId": data.resource_id,
        "storageKey": upload.key,
        "thumbnailKey": thumb.key,
        "filename": (upload.filename or "image")[-255:],
        "contentType": FORMATS[kind],
        "size": upload.size,
        "sha256": upload.sha256,
        "width": width,
        "height": height,
        "caption": data.caption,
        "sortOrder": _form_value("sortOrder", data.sort_order, int),
        "isPrimary": _form_value("isPrimary", data.is_primary, bool) or False,
    }
    return {k: v for k, v in payload.items() if v is not None}


@operation(
    "upload_resource_gallery_image",
    "resources",
    input=GalleryUploadInput,
    features=(MANAGE,),
    rest=Rest("POST", "/resources/resource-gallery", status=201, upload=MAX_IMAGE_BYTES),
    transaction=False,
    graphql=False,  # a multipart upload; GraphQL edits and deletes images
)
async def upload_image(ctx: RequestContext, data: GalleryUploadInput) -> dict[str, Any]:
    """Add an image (multipart ``file`` + ``resourceId``, optional ``caption``, ``sortOrder``,
    ``isPrimary``) to a resource's gallery; the created image. Nothing is kept when it fails."""
    if data.file is None:
        raise ValidationFailed([issue("file", "An image file is required", "invalid_type")])
    keys = [data.file.key]
    try:
        if not data.resource_id:
            raise ValidationFailed([issue("resourceId", "Required", "invalid_type")])
        async with ctx.read_session() as session:
            await load_resource(ctx, session, data.resource_id)
        payload = await _store_image(ctx, data, data.file)
        keys.append(payload["thumbnailKey"])
        image, _ = await service(GALLERY_IMAGE).create(ctx, payload)
    except BaseException:
        for key in keys:
            await storage(ctx).delete(key)
        raise
    return _item(image)


@operation(
    "update_resource_gallery_image",
    "resources",
    input=GalleryUpdateInput,
    features=(MANAGE,),
    rest=Rest("PATCH", "/resources/resource-gallery"),
    transaction=False,
    graphql=False,  # GraphQL: ``updateResourceGalleryImage``
)
async def update_image(ctx: RequestContext, data: GalleryUpdateInput) -> dict[str, Any]:
    """Change an image's ``caption``, ``sortOrder`` or ``isPrimary`` (only the keys sent)."""
    changes = {k: v for k, v in (data.model_extra or {}).items() if k != "id"}
    image = await service(GALLERY_IMAGE).update(ctx, changes, id_=data.id)
    return _item(image)


@operation(
    "delete_resource_gallery_image",
    "resources",
    input=GalleryDeleteInput,
    features=(MANAGE,),
    rest=Rest("DELETE", "/resources/resource-gallery", status=204, reply=lambda _: None),
    transaction=False,
    graphql=False,  # GraphQL: ``deleteResourceGalleryImage``
)
async def delete_image(ctx: RequestContext, data: GalleryDeleteInput) -> None:
    """Remove an image (``id`` in the query or body) and its files."""
    await service(GALLERY_IMAGE).delete(ctx, data.id)
