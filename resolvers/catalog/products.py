"""Products (with their categories and tags), variants, unit conversions and offers.

A product's ``categoryIds`` (and ``categoryId``, its primary category) and ``tags`` (labels; new ones
are created in its organization) are replaced when sent. Deleting a product deletes its variants,
offers, prices and unit conversions in the same command. A product has at most one default variant
(taking the flag moves it)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from crmgraph.context import RequestContext, UnitOfWork
from models.catalog import (
    CatalogOffer,
    CatalogPrice,
    CatalogProduct,
    CatalogProductCategory,
    CatalogProductTag,
    CatalogTag,
    CatalogUnitConversion,
    CatalogVariant,
)
from resolvers.catalog.categories import CATEGORY
from resolvers.catalog.common import (
    CHANNELS_MANAGE,
    MODULE,
    PRODUCTS_MANAGE,
    PRODUCTS_VIEW,
    VARIANTS_MANAGE,
    currency_value,
    defaults,
    drop_nulls,
    fail,
    referenced,
    required_text,
    secondary_writes,
    slugify,
    soft_delete,
    stamps,
    status_filter,
    unique,
)
from resolvers.catalog.settings import OPTION_SCHEMA, SERVICE_LINE
from resolvers.crud import guarded
from resolvers.entity import ENTITIES, Computed, Entity, Features, Field, Filter, Hooks, Relation, eq, one_of
from resolvers.flags import take_flag

PRODUCT_TYPES = ("simple", "configurable", "virtual", "downloadable", "bundle", "grouped", "service")
ROUNDING_MODES = ("half_up", "half_even", "up", "down")
MAX_LINKS = 100
HUNDRED = Decimal(100)


def tax_rate_value(data: dict[str, Any]) -> None:
    rate = data.get("tax_rate")
    if rate is not None and not Decimal(0) <= rate <= HUNDRED:
        raise fail("taxRate", "A percentage between 0 and 100", "out_of_range")


def _not_negative(data: dict[str, Any], *attrs: str) -> None:
    for attr in attrs:
        if data.get(attr) is not None and data[attr] < 0:
            raise fail(attr, "Must not be negative", "too_small")


def _id_list(data: dict[str, Any], attr: str, path: str) -> list[uuid.UUID] | None:
    raw = data.get(attr)
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > MAX_LINKS:
        raise fail(path, f"A list of at most {MAX_LINKS} ids", "invalid_type")
    ids: list[uuid.UUID] = []
    for value in raw:
        try:
            ident = uuid.UUID(str(value))
        except ValueError:
            raise fail(path, "A list of ids", "invalid_string") from None
        if ident not in ids:
            ids.append(ident)
    return ids


def _labels(data: dict[str, Any]) -> list[str] | None:
    raw = data.get("tags")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > MAX_LINKS or not all(isinstance(t, str) for t in raw):
        raise fail("tags", f"A list of at most {MAX_LINKS} labels", "invalid_type")
    by_slug: dict[str, str] = {}
    for label in (t.strip() for t in raw):
        if label:
            by_slug.setdefault(slugify(label), label)  # one tag per slug: the first spelling
    labels = list(by_slug.values())
    if any(len(label) > 150 for label in labels):
        raise fail("tags", "Labels of at most 150 characters", "too_big")
    return labels


# --- products -------------------------------------------------------------------------------------


async def _product_values(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    required_text(data, "title", "title")
    currency_value(data, "primary_currency_code", "primaryCurrencyCode")
    tax_rate_value(data)
    _not_negative(data, "weight_value", "default_sales_unit_quantity", "unit_price_base_quantity")
    if data.get("product_type") is not None and data["product_type"] not in PRODUCT_TYPES:
        raise fail("productType", f"One of {', '.join(PRODUCT_TYPES)}", "invalid_enum_value")
    if data.get("uom_rounding_mode") is not None and data["uom_rounding_mode"] not in ROUNDING_MODES:
        raise fail("uomRoundingMode", f"One of {', '.join(ROUNDING_MODES)}", "invalid_enum_value")
    scale = data.get("uom_rounding_scale")
    if scale is not None and not 0 <= scale <= 6:
        raise fail("uomRoundingScale", "Between 0 and 6", "out_of_range")
    if data.get("sku") is not None:
        data["sku"] = data["sku"].strip() or None
    for attr, entity, path in (
        ("service_line_id", SERVICE_LINE, "serviceLineId"),
        ("option_schema_id", OPTION_SCHEMA, "optionSchemaId"),
        ("category_id", CATEGORY, "categoryId"),
    ):
        if data.get(attr) is not None:
            await referenced(ctx, uow, entity, data[attr], path)
    data["_category_ids"] = _id_list(data, "category_ids", "categoryIds")
    data["_labels"] = _labels(data)
    for ident in data["_category_ids"] or []:
        await referenced(ctx, uow, CATEGORY, ident, "categoryIds")


async def _sku_free(uow: UnitOfWork, tenant: Any, org: Any, sku: str | None, other_than: Any = None) -> None:
    if sku:
        await unique(
            uow,
            CatalogProduct,
            "A product with this SKU already exists",
            other_than=other_than,
            tenant_id=tenant,
            organization_id=org,
            sku=sku,
        )


async def _product_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await _product_values(ctx, uow, data)
    defaults(data, product_type="simple", is_active=True, unit_price_enabled=False)
    if data.get("is_configurable") is None:
        data["is_configurable"] = data["product_type"] == "configurable"
    if data.get("category_id") is None and data["_category_ids"]:
        data["category_id"] = data["_category_ids"][0]
    await _sku_free(uow, data["tenant_id"], data["organization_id"], data.get("sku"))


async def _product_update(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogProduct, data: dict[str, Any]
) -> None:
    await _product_values(ctx, uow, data)
    drop_nulls(data, "title", "product_type", "is_active", "is_configurable", "unit_price_enabled")
    if data.get("sku") not in (None, obj.sku):
        await _sku_free(uow, obj.tenant_id, obj.organization_id, data["sku"], obj.id)


async def _product_links(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogProduct, data: dict[str, Any]
) -> None:
    """Replace the product's categories and tags when the write sent them."""
    categories = data.get("_category_ids")
    if categories is not None or data.get("category_id") is not None:
        wanted = list(categories if categories is not None else await _category_ids(uow, obj.id))
        if obj.category_id is not None and obj.category_id not in wanted:
            wanted.insert(0, obj.category_id)
        await uow.session.execute(
            delete(CatalogProductCategory).where(CatalogProductCategory.product_id == obj.id)
        )
        for ident in wanted:
            uow.session.add(
                CatalogProductCategory(tenant_id=obj.tenant_id, product_id=obj.id, category_id=ident)
            )
    labels = data.get("_labels")
    if labels is not None:
        await uow.session.execute(delete(CatalogProductTag).where(CatalogProductTag.product_id == obj.id))
        for label in labels:
            tag_id = await _tag(uow, obj, label)
            uow.session.add(CatalogProductTag(tenant_id=obj.tenant_id, product_id=obj.id, tag_id=tag_id))


async def _category_ids(uow: UnitOfWork, product_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await uow.session.scalars(
        select(CatalogProductCategory.category_id).where(CatalogProductCategory.product_id == product_id)
    )
    return list(rows)


async def _tag(uow: UnitOfWork, product: CatalogProduct, label: str) -> uuid.UUID:
    """The organization's tag with this label's slug, created when missing (a concurrent creator
    wins and its tag is used)."""
    slug = slugify(label)
    await uow.session.execute(
        insert(CatalogTag)
        .values(
            id=uuid.uuid4(),
            tenant_id=product.tenant_id,
            organization_id=product.organization_id,
            label=label,
            slug=slug,
        )
        .on_conflict_do_nothing(constraint="uq_catalog_tags_slug")
    )
    return await uow.session.scalar(
        select(CatalogTag.id).where(
            CatalogTag.tenant_id == product.tenant_id,
            CatalogTag.organization_id == product.organization_id,
            CatalogTag.slug == slug,
        )
    )


async def _product_delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogProduct) -> None:
    """Its prices, offers, variants and unit conversions go with it (steps of the same command)."""
    for entity in (ENTITIES["catalog_price"], OFFER, VARIANT, UNIT_CONVERSION):
        await secondary_writes(ctx, uow, entity, [entity.model.product_id == obj.id], soft_delete)


def _price_json(*more: Any) -> Any:
    """A price row as ``{id, currencyCode, kind, unitPriceNet, unitPriceGross, <more>}`` (amounts as
    exact strings)."""
    p = CatalogPrice
    return func.json_build_object(
        "id", p.id, "currencyCode", p.currency_code, "kind", p.kind,
        "unitPriceNet", cast(p.unit_price_net, Text), "unitPriceGross", cast(p.unit_price_gross, Text),
        *more,
    )  # fmt: skip


def _pricing() -> Any:
    """The product's base price (its own, not a variant's or offer's; lowest minimum quantity first)."""
    p = CatalogPrice
    row = _price_json("taxRate", cast(p.tax_rate, Text))
    return (
        select(row)
        .where(
            p.product_id == CatalogProduct.id,
            p.variant_id.is_(None),
            p.offer_id.is_(None),
            p.deleted_at.is_(None),
        )
        .order_by(p.min_quantity, p.created_at, p.id)
        .limit(1)
        .scalar_subquery()
    )


def _linked(link: Any, column: Any) -> Any:
    def apply(query: Any, values: list[uuid.UUID]) -> Any:
        return query.where(CatalogProduct.id.in_(select(link.product_id).where(column.in_(values))))

    return apply


def _on_channels(query: Any, values: list[uuid.UUID]) -> Any:
    offered = select(CatalogOffer.product_id).where(
        CatalogOffer.channel_id.in_(values), CatalogOffer.deleted_at.is_(None)
    )
    return query.where(CatalogProduct.id.in_(offered))


def _with_offer(query: Any, value: uuid.UUID) -> Any:
    return query.where(CatalogProduct.id.in_(select(CatalogOffer.product_id).where(CatalogOffer.id == value)))


PRODUCT = Entity(
    name="catalog_product",
    module=MODULE,
    model=CatalogProduct,
    path="/catalog/products",
    graphql_name="Product",
    plural="products",
    key_case="snake",
    features=Features.view_manage(PRODUCTS_VIEW, PRODUCTS_MANAGE),
    fields=[
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("subtitle", str, max_length=300),
        Field("description", str, search=True, max_length=20000),
        Field("sku", str, sort=True, search=True, max_length=100),
        Field("handle", str, sort=True, max_length=150),
        Field("service_line_id", uuid.UUID),
        Field("service_line_attributes", dict),
        Field("category_id", uuid.UUID, description="Its primary category."),
        Field("option_schema_id", uuid.UUID),
        Field("product_type", str, sort=True, max_length=20, description=", ".join(PRODUCT_TYPES)),
        Field("status_entry_id", uuid.UUID),
        Field("primary_currency_code", str, max_length=3),
        Field("tax_rate_id", uuid.UUID),
        Field("tax_rate", Decimal, description="Percent, exact (23.0000 = 23 %)."),
        Field("default_unit", str, max_length=50),
        Field("default_sales_unit", str, max_length=50),
        Field("default_sales_unit_quantity", Decimal),
        Field("uom_rounding_scale", int),
        Field("uom_rounding_mode", str, max_length=20),
        Field("unit_price_enabled", bool),
        Field("unit_price_reference_unit", str, max_length=50),
        Field("unit_price_base_quantity", Decimal),
        Field("default_media_id", uuid.UUID),
        Field("default_media_url", str, max_length=2000),
        Field("weight_value", Decimal),
        Field("weight_unit", str, max_length=20),
        Field("dimensions", dict),
        Field("is_configurable", bool, sort=True),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        Field("custom_fieldset_code", str, max_length=100),
        Field(
            "category_ids",
            list[uuid.UUID],
            read=False,
            description="Every category it sits in (replaces them).",
        ),
        Field(
            "tags", list[str], read=False, description="Tag labels (replace its tags; new ones are created)."
        ),
        *stamps(),
    ],
    filters=[
        status_filter(CatalogProduct.is_active),
        eq("isActive", CatalogProduct.is_active, bool),
        eq("configurable", CatalogProduct.is_configurable, bool),
        eq("productType", CatalogProduct.product_type),
        eq("serviceLineId", CatalogProduct.service_line_id, uuid.UUID),
        eq("customFieldset", CatalogProduct.custom_fieldset_code),
        eq("sku", CatalogProduct.sku),
        Filter(
            "categoryIds",
            uuid.UUID,
            _linked(CatalogProductCategory, CatalogProductCategory.category_id),
            many=True,
        ),
        Filter("tagIds", uuid.UUID, _linked(CatalogProductTag, CatalogProductTag.tag_id), many=True),
        Filter("channelIds", uuid.UUID, _on_channels, many=True),
        Filter("channelId", uuid.UUID, lambda q, v: _on_channels(q, [v])),
        Filter("offerId", uuid.UUID, _with_offer),
    ],
    relations=[
        Relation("variants", "catalog_variant", "many", target_fk="product_id"),
        Relation("prices", "catalog_price", "many", target_fk="product_id"),
        Relation("offers", "catalog_offer", "many", target_fk="product_id"),
        Relation("unit_conversions", "catalog_unit_conversion", "many", target_fk="product_id"),
        Relation("category", "catalog_category", "one", source_fk="category_id"),
        Relation(
            "categories",
            "catalog_category",
            "through",
            through=CatalogProductCategory,
            through_source="product_id",
            through_target="category_id",
        ),
        Relation(
            "tags",
            "catalog_tag",
            "through",
            through=CatalogProductTag,
            through_source="product_id",
            through_target="tag_id",
        ),
        Relation("service_line", "catalog_service_line", "one", source_fk="service_line_id"),
        Relation("option_schema", "catalog_option_schema", "one", source_fk="option_schema_id"),
    ],
    computed=[Computed("pricing", _pricing)],
    default_sort="title",
    hooks=guarded(
        CatalogProduct,
        Hooks(
            before_create=_product_create,
            after_create=_product_links,
            before_update=_product_update,
            after_update=_product_links,
            before_delete=_product_delete,
        ),
    ),
    description="A product or service of the catalog.",
)


# --- variants -------------------------------------------------------------------------------------


def _variant_group(variant: Any) -> list[Any]:
    return [CatalogVariant.product_id == variant["product_id"]]


async def _variant_values(data: dict[str, Any]) -> None:
    tax_rate_value(data)
    _not_negative(data, "weight_value")
    if data.get("sku") is not None:
        data["sku"] = data["sku"].strip() or None


async def _variant_sku(
    uow: UnitOfWork, tenant: Any, org: Any, sku: str | None, other_than: Any = None
) -> None:
    if sku:
        await unique(
            uow,
            CatalogVariant,
            "A variant with this SKU already exists",
            other_than=other_than,
            tenant_id=tenant,
            organization_id=org,
            sku=sku,
        )


async def _variant_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await _variant_values(data)
    product = await referenced(ctx, uow, PRODUCT, data["product_id"], "productId")
    data["organization_id"] = product.organization_id
    defaults(data, is_active=True, is_default=False)
    await _variant_sku(uow, data["tenant_id"], data["organization_id"], data.get("sku"))
    if data["is_default"]:
        await take_flag(ctx, uow, VARIANT, "is_default", _variant_group(data))


async def _variant_update(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogVariant, data: dict[str, Any]
) -> None:
    await _variant_values(data)
    drop_nulls(data, "is_active", "is_default")
    if data.get("sku") not in (None, obj.sku):
        await _variant_sku(uow, obj.tenant_id, obj.organization_id, data["sku"], obj.id)
    if data.get("is_default") and not obj.is_default:
        await take_flag(
            ctx, uow, VARIANT, "is_default", _variant_group({"product_id": obj.product_id}), keep=obj.id
        )


async def _variant_delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogVariant) -> None:
    """Its own prices go with it."""
    await secondary_writes(
        ctx, uow, ENTITIES["catalog_price"], [CatalogPrice.variant_id == obj.id], soft_delete
    )


VARIANT = Entity(
    name="catalog_variant",
    module=MODULE,
    model=CatalogVariant,
    path="/catalog/variants",
    graphql_name="Variant",
    plural="variants",
    key_case="snake",
    features=Features(
        view=[PRODUCTS_VIEW], create=[VARIANTS_MANAGE], update=[VARIANTS_MANAGE], delete=[VARIANTS_MANAGE]
    ),
    fields=[
        Field("product_id", uuid.UUID, required=True, update=False, sort=True),
        Field("name", str, sort=True, search=True, max_length=300),
        Field("sku", str, sort=True, search=True, max_length=100),
        Field("barcode", str, search=True, max_length=100),
        Field("status_entry_id", uuid.UUID),
        Field("is_default", bool, sort=True),
        Field("is_active", bool, sort=True),
        Field("weight_value", Decimal),
        Field("weight_unit", str, max_length=20),
        Field("dimensions", dict),
        Field("metadata_", dict),
        Field("option_values", dict, description="Option code → chosen value (the product's option schema)."),
        Field("custom_fieldset_code", str, max_length=100),
        Field("default_media_id", uuid.UUID),
        Field("default_media_url", str, max_length=2000),
        Field("tax_rate_id", uuid.UUID),
        Field("tax_rate", Decimal, description="Percent, exact; the product's when null."),
        *stamps(),
    ],
    filters=[
        eq("productId", CatalogVariant.product_id, uuid.UUID),
        eq("sku", CatalogVariant.sku),
        eq("isActive", CatalogVariant.is_active, bool),
        eq("isDefault", CatalogVariant.is_default, bool),
    ],
    relations=[
        Relation("product", "catalog_product", "one", source_fk="product_id"),
        Relation("prices", "catalog_price", "many", target_fk="variant_id"),
    ],
    default_sort="name",
    hooks=guarded(
        CatalogVariant,
        Hooks(before_create=_variant_create, before_update=_variant_update, before_delete=_variant_delete),
    ),
    description="A sellable variant of a product (at most one default per product).",
)


# --- unit conversions -----------------------------------------------------------------------------


def _conversion_values(data: dict[str, Any]) -> None:
    required_text(data, "unit_code", "unitCode")
    factor = data.get("to_base_factor")
    if factor is not None and factor <= 0:
        raise fail("toBaseFactor", "Must be greater than zero", "too_small")


async def _conversion_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _conversion_values(data)
    product = await referenced(ctx, uow, PRODUCT, data["product_id"], "productId")
    data["organization_id"] = product.organization_id
    defaults(data, is_active=True, sort_order=0)
    await unique(
        uow,
        CatalogUnitConversion,
        "This product already converts this unit",
        product_id=product.id,
        unit_code=data["unit_code"],
    )


async def _conversion_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    _conversion_values(data)
    drop_nulls(data, "unit_code", "to_base_factor", "is_active", "sort_order")
    if data.get("unit_code") not in (None, obj.unit_code):
        await unique(
            uow,
            CatalogUnitConversion,
            "This product already converts this unit",
            other_than=obj.id,
            product_id=obj.product_id,
            unit_code=data["unit_code"],
        )


UNIT_CONVERSION = Entity(
    name="catalog_unit_conversion",
    module=MODULE,
    model=CatalogUnitConversion,
    path="/catalog/product-unit-conversions",
    graphql_name="UnitConversion",
    plural="unitConversions",
    key_case="snake",
    features=Features.view_manage(PRODUCTS_VIEW, PRODUCTS_MANAGE),
    fields=[
        Field("product_id", uuid.UUID, required=True, update=False, sort=True),
        Field("unit_code", str, required=True, sort=True, search=True, max_length=50),
        Field(
            "to_base_factor", Decimal, required=True, sort=True, description="1 unit = this many base units."
        ),
        Field("sort_order", int, sort=True),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        *stamps(),
    ],
    filters=[
        eq("productId", CatalogUnitConversion.product_id, uuid.UUID),
        eq("unitCode", CatalogUnitConversion.unit_code),
        eq("isActive", CatalogUnitConversion.is_active, bool),
    ],
    relations=[Relation("product", "catalog_product", "one", source_fk="product_id")],
    default_sort="sort_order",
    hooks=guarded(
        CatalogUnitConversion, Hooks(before_create=_conversion_create, before_update=_conversion_update)
    ),
    description="1 unit of a product in ``unit_code`` = ``to_base_factor`` of its base unit (exact).",
)


# --- offers ---------------------------------------------------------------------------------------


async def _offer_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    product = await referenced(ctx, uow, PRODUCT, data["product_id"], "productId")
    data["organization_id"] = product.organization_id
    if not (data.get("title") or "").strip():
        data["title"] = product.title
    required_text(data, "title", "title")
    defaults(data, is_active=True)


async def _offer_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    required_text(data, "title", "title")
    drop_nulls(data, "title", "is_active", "channel_id")


async def _offer_delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogOffer) -> None:
    """Its own prices go with it."""
    await secondary_writes(
        ctx, uow, ENTITIES["catalog_price"], [CatalogPrice.offer_id == obj.id], soft_delete
    )


def _offer_product() -> Any:
    p = CatalogProduct
    row = func.json_build_object("id", p.id, "title", p.title, "sku", p.sku, "productType", p.product_type)
    return select(row).where(p.id == CatalogOffer.product_id).scalar_subquery()


def _channel_price() -> Any:
    """The price of the offer itself, else the product's price on the offer's channel."""
    p = CatalogPrice
    row = _price_json()
    own = (p.offer_id == CatalogOffer.id) | (
        (p.product_id == CatalogOffer.product_id) & (p.channel_id == CatalogOffer.channel_id)
    )
    return (
        select(row)
        .where(own, p.deleted_at.is_(None))
        .order_by((p.offer_id == CatalogOffer.id).desc(), p.min_quantity, p.created_at, p.id)
        .limit(1)
        .scalar_subquery()
    )


OFFER = Entity(
    name="catalog_offer",
    module=MODULE,
    model=CatalogOffer,
    path="/catalog/offers",
    graphql_name="Offer",
    plural="offers",
    features=Features.view_manage(CHANNELS_MANAGE, CHANNELS_MANAGE),
    fields=[
        Field("product_id", uuid.UUID, required=True, update=False, sort=True),
        Field("channel_id", uuid.UUID, required=True, sort=True, description="A sales channel."),
        Field(
            "title", str, sort=True, search=True, max_length=300, description="The product's when omitted."
        ),
        Field("description", str, max_length=20000),
        Field("default_media_id", uuid.UUID),
        Field("default_media_url", str, max_length=2000),
        Field("metadata_", dict),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("productId", CatalogOffer.product_id, uuid.UUID),
        eq("channelId", CatalogOffer.channel_id, uuid.UUID),
        one_of("channelIds", CatalogOffer.channel_id, uuid.UUID),
        eq("isActive", CatalogOffer.is_active, bool),
    ],
    relations=[
        Relation("product", "catalog_product", "one", source_fk="product_id"),
        Relation("prices", "catalog_price", "many", target_fk="offer_id"),
    ],
    computed=[Computed("product", _offer_product), Computed("productChannelPrice", _channel_price)],
    default_sort="title",
    hooks=guarded(
        CatalogOffer,
        Hooks(before_create=_offer_create, before_update=_offer_update, before_delete=_offer_delete),
    ),
    description="A product offered on a sales channel.",
)
