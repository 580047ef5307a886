"""The catalog's operations beyond CRUD: a product's media (files of the attachments module in its
``productsMedia`` partition or any other), a dictionary by key (the dictionaries module's, e.g.
units or currencies) and bulk delete (one command: every id deleted, or none)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound
from models.attachments import Attachment
from models.dictionaries import Dictionary, DictionaryEntry
from resolvers.attachments.common import IMAGE_TYPES, file_url, image_url
from resolvers.catalog.common import MODULE, PRODUCTS_MANAGE, PRODUCTS_VIEW
from resolvers.catalog.pricing import PRICE
from resolvers.catalog.products import OFFER, PRODUCT, UNIT_CONVERSION, VARIANT
from resolvers.crud import service
from resolvers.dictionaries.entities import DICTIONARY
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.validation import text

PRODUCT_ENTITY_ID = f"{MODULE}:{PRODUCT.name}"  # how attachments name a product's files


# --- product media --------------------------------------------------------------------------------


class MediaInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    productId: uuid.UUID


class MediaItem(BaseModel):
    id: uuid.UUID
    fileName: str
    url: str
    thumbnailUrl: str | None = None
    mimeType: str | None = None
    partitionCode: str | None = None


class MediaList(BaseModel):
    items: list[MediaItem]


@operation(
    "catalog_product_media",
    MODULE,
    input=MediaInput,
    output=MediaList,
    kind="query",
    features=(PRODUCTS_VIEW,),
    rest=Rest("GET", "/catalog/product-media"),
)
async def product_media(ctx: RequestContext, data: MediaInput) -> dict[str, list[dict[str, object]]]:
    """The files attached to a product (upload them through ``POST /api/attachments`` with
    ``entityId=catalog:catalog_product``), oldest first; images have a thumbnail."""
    product = await service(PRODUCT).get(ctx, data.productId, check=False)
    query = (
        select(Attachment)
        .where(
            Attachment.tenant_id == product.tenant_id,
            Attachment.entity_id == PRODUCT_ENTITY_ID,
            Attachment.record_id == str(product.id),
        )
        .order_by(Attachment.created_at, Attachment.id)
    )
    async with ctx.read_session() as session:
        files = list((await session.execute(query)).scalars())
    return {
        "items": [
            {
                "id": f.id,
                "fileName": f.file_name,
                "url": file_url(f),
                "thumbnailUrl": image_url(f) if f.mime_type in IMAGE_TYPES else None,
                "mimeType": f.mime_type,
                "partitionCode": f.partition_code,
            }
            for f in files
        ]
    }


# --- dictionaries ---------------------------------------------------------------------------------


class DictionaryKey(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: text(100)


class DictionaryEntryItem(BaseModel):
    id: uuid.UUID
    value: str
    label: str
    color: str | None = None
    icon: str | None = None


class CatalogDictionary(BaseModel):
    id: uuid.UUID
    entries: list[DictionaryEntryItem]


@operation(
    "catalog_dictionary",
    MODULE,
    input=DictionaryKey,
    output=CatalogDictionary,
    kind="query",
    features=(PRODUCTS_MANAGE,),
    rest=Rest("GET", "/catalog/dictionaries/{key}"),
)
async def dictionary(ctx: RequestContext, data: DictionaryKey) -> dict[str, object]:
    """The live dictionary ``key`` the caller reads (its organization's first, else an inherited
    one) with its entries in order; 404 when there is none."""
    query = (
        select(Dictionary)
        .where(Dictionary.key == data.key.strip().lower(), *await entity_conditions(ctx, DICTIONARY))
        .order_by(Dictionary.created_at, Dictionary.id)
    )
    async with ctx.read_session() as session:
        found = list((await session.execute(query)).scalars())
        if not found:
            raise NotFound("Dictionary not found")
        org = ctx.require_auth().org_id
        chosen = next((d for d in found if d.organization_id == org), found[0])
        entries = (
            await session.execute(
                select(DictionaryEntry)
                .where(DictionaryEntry.dictionary_id == chosen.id)
                .order_by(DictionaryEntry.position, DictionaryEntry.label, DictionaryEntry.id)
            )
        ).scalars()
        return {
            "id": chosen.id,
            "entries": [
                {"id": e.id, "value": e.value, "label": e.label, "color": e.color, "icon": e.icon}
                for e in entries
            ],
        }


# --- bulk delete ----------------------------------------------------------------------------------

BULK_ENTITIES = {
    "products": PRODUCT,
    "variants": VARIANT,
    "offers": OFFER,
    "prices": PRICE,
    "unitConversions": UNIT_CONVERSION,
}
MAX_BULK = 200


class BulkDeleteInput(BaseModel):
    """Ids to delete (1-200) of one kind of record (products unless ``entityType`` says otherwise)."""

    model_config = ConfigDict(extra="ignore")
    ids: Annotated[list[uuid.UUID], PydanticField(min_length=1, max_length=MAX_BULK)]
    entityType: Literal["products", "variants", "offers", "prices", "unitConversions"] = "products"


class BulkDeleteResult(BaseModel):
    ok: bool
    deleted: int


@operation(
    "catalog_bulk_delete",
    MODULE,
    input=BulkDeleteInput,
    output=BulkDeleteResult,
    features=(PRODUCTS_MANAGE,),
    rest=Rest("POST", "/catalog/bulk-delete"),
)
async def bulk_delete(ctx: RequestContext, data: BulkDeleteInput) -> dict[str, object]:
    """Delete every listed record in one command: an unknown id (or another tenant's) is a 404 and
    nothing is deleted. Deleting a product takes its variants, offers, prices and conversions."""
    svc = service(BULK_ENTITIES[data.entityType])
    ids = list(dict.fromkeys(data.ids))
    for ident in ids:
        await svc.delete(ctx, ident)  # joins the operation's unit of work
    return {"ok": True, "deleted": len(ids)}
