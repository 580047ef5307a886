"""The catalog's reference data: service lines, option schemas, price kinds and product tags."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from models.catalog import (
    CatalogOptionSchema,
    CatalogPrice,
    CatalogPriceKind,
    CatalogProduct,
    CatalogProductTag,
    CatalogServiceLine,
    CatalogTag,
)
from resolvers.catalog.common import (
    MODULE,
    PRODUCTS_VIEW,
    SERVICE_LINES_VIEW,
    SETTINGS_MANAGE,
    code_value,
    currency_value,
    defaults,
    drop_nulls,
    fail,
    required_text,
    secondary_writes,
    stamps,
    unique,
    unused,
)
from resolvers.crud import guarded
from resolvers.entity import ENTITIES, Entity, Features, Field, Hooks, Relation, eq

# --- service lines --------------------------------------------------------------------------------


async def _line_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    code_value(data)
    required_text(data, "title", "title")
    defaults(data, is_active=True, sort_order=0)
    await unique(
        uow,
        CatalogServiceLine,
        "A service line with this code already exists",
        tenant_id=data["tenant_id"],
        organization_id=data["organization_id"],
        code=data["code"],
    )


async def _line_update(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogServiceLine, data: dict[str, Any]
) -> None:
    code_value(data)
    required_text(data, "title", "title")
    drop_nulls(data, "code", "title", "is_active", "sort_order")
    if data.get("code") not in (None, obj.code):
        await unique(
            uow,
            CatalogServiceLine,
            "A service line with this code already exists",
            other_than=obj.id,
            tenant_id=obj.tenant_id,
            organization_id=obj.organization_id,
            code=data["code"],
        )


async def _line_delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogServiceLine) -> None:
    await unused(
        uow,
        CatalogProduct,
        CatalogProduct.service_line_id,
        obj.id,
        "Products still belong to this service line",
    )


SERVICE_LINE = Entity(
    name="catalog_service_line",
    module=MODULE,
    model=CatalogServiceLine,
    path="/catalog/service-lines",
    graphql_name="ServiceLine",
    plural="serviceLines",
    key_case="snake",
    features=Features(
        view=[SERVICE_LINES_VIEW],
        create=[SETTINGS_MANAGE],
        update=[SETTINGS_MANAGE],
        delete=[SETTINGS_MANAGE],
    ),
    fields=[
        Field("code", str, required=True, sort=True, search=True, max_length=100),
        Field("title", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, max_length=4000),
        Field("sort_order", int, sort=True),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[eq("isActive", CatalogServiceLine.is_active, bool), eq("code", CatalogServiceLine.code)],
    relations=[Relation("products", "catalog_product", "many", target_fk="service_line_id")],
    default_sort="sort_order",
    hooks=guarded(
        CatalogServiceLine,
        Hooks(before_create=_line_create, before_update=_line_update, before_delete=_line_delete),
    ),
    description="A line of business catalog products belong to (e.g. storage, servicing, financing).",
)


# --- option schemas -------------------------------------------------------------------------------

INPUT_TYPES = ("select", "multiselect", "text", "number", "boolean", "color")


def _schema(data: dict[str, Any]) -> None:
    """``{"options": [{code, label, inputType, choices?}]}``: codes unique, known input types."""
    schema = data.get("schema_")
    if schema is None:
        return
    options = schema.get("options", [])
    if not isinstance(options, list):
        raise fail("schema", "schema.options must be a list", "invalid_type")
    seen: set[str] = set()
    for index, option in enumerate(options):
        path = f"schema.options.{index}"
        if (
            not isinstance(option, dict)
            or not isinstance(option.get("code"), str)
            or not option["code"].strip()
        ):
            raise fail(path, "Each option needs a code", "invalid_type")
        if option["code"] in seen:
            raise fail(path, f"Duplicate option code {option['code']}", "duplicate")
        seen.add(option["code"])
        if option.get("inputType", "select") not in INPUT_TYPES:
            raise fail(path, f"inputType: one of {', '.join(INPUT_TYPES)}", "invalid_enum_value")
        choices = option.get("choices")
        if choices is not None and not isinstance(choices, list):
            raise fail(path, "choices must be a list", "invalid_type")


async def _schema_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    required_text(data, "name", "name")
    code_value(data)
    _schema(data)
    defaults(data, is_active=True, schema_={"options": []})


async def _schema_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    required_text(data, "name", "name")
    code_value(data)
    _schema(data)
    drop_nulls(data, "name", "is_active", "schema_")


async def _schema_delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogOptionSchema) -> None:
    await unused(
        uow, CatalogProduct, CatalogProduct.option_schema_id, obj.id, "Products still use this option schema"
    )


OPTION_SCHEMA = Entity(
    name="catalog_option_schema",
    module=MODULE,
    model=CatalogOptionSchema,
    path="/catalog/option-schemas",
    graphql_name="OptionSchema",
    plural="optionSchemas",
    key_case="snake",
    features=Features(
        view=[PRODUCTS_VIEW], create=[SETTINGS_MANAGE], update=[SETTINGS_MANAGE], delete=[SETTINGS_MANAGE]
    ),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("code", str, sort=True, search=True, max_length=100),
        Field("description", str, max_length=4000),
        Field("schema_", dict, description='{"options": [{code, label, inputType, choices}]}'),
        Field("metadata_", dict),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[eq("isActive", CatalogOptionSchema.is_active, bool)],
    relations=[Relation("products", "catalog_product", "many", target_fk="option_schema_id")],
    default_sort="name",
    hooks=guarded(
        CatalogOptionSchema,
        Hooks(before_create=_schema_create, before_update=_schema_update, before_delete=_schema_delete),
    ),
    description="A template of configurable options for products (and their variants' option values).",
)


# --- price kinds ----------------------------------------------------------------------------------

DISPLAY_MODES = ("excluding-tax", "including-tax")


def _kind_values(data: dict[str, Any]) -> None:
    code_value(data)
    required_text(data, "title", "title")
    currency_value(data, "currency_code", "currencyCode")
    if data.get("display_mode") is not None and data["display_mode"] not in DISPLAY_MODES:
        raise fail("displayMode", f"One of {', '.join(DISPLAY_MODES)}", "invalid_enum_value")


async def _kind_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _kind_values(data)
    defaults(data, is_active=True, is_promotion=False, display_mode="excluding-tax")
    await unique(
        uow,
        CatalogPriceKind,
        "A price kind with this code already exists",
        tenant_id=data["tenant_id"],
        code=data["code"],
    )


async def _kind_update(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogPriceKind, data: dict[str, Any]
) -> None:
    _kind_values(data)
    drop_nulls(data, "code", "title", "display_mode", "is_active", "is_promotion")
    if data.get("code") not in (None, obj.code):
        await unique(
            uow,
            CatalogPriceKind,
            "A price kind with this code already exists",
            other_than=obj.id,
            tenant_id=obj.tenant_id,
            code=data["code"],
        )


async def _kind_after_update(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogPriceKind, data: dict[str, Any]
) -> None:
    """Prices carry their kind's code (``kind``): a new code reaches them in the same command."""
    if "code" in data:

        def recode(price: CatalogPrice) -> None:
            price.kind = obj.code

        conditions = [CatalogPrice.price_kind_id == obj.id, CatalogPrice.kind != obj.code]
        await secondary_writes(ctx, uow, ENTITIES["catalog_price"], conditions, recode)


async def _kind_delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogPriceKind) -> None:
    await unused(uow, CatalogPrice, CatalogPrice.price_kind_id, obj.id, "Prices still use this price kind")


PRICE_KIND = Entity(
    name="catalog_price_kind",
    module=MODULE,
    model=CatalogPriceKind,
    path="/catalog/price-kinds",
    graphql_name="PriceKind",
    plural="priceKinds",
    key_case="snake",
    features=Features.view_manage(SETTINGS_MANAGE, SETTINGS_MANAGE),
    fields=[
        Field("code", str, required=True, sort=True, search=True, max_length=100),
        Field("title", str, required=True, sort=True, search=True, max_length=200),
        Field("display_mode", str, max_length=20, description="excluding-tax or including-tax"),
        Field("currency_code", str, max_length=3),
        Field("is_promotion", bool, sort=True),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("isPromotion", CatalogPriceKind.is_promotion, bool),
        eq("isActive", CatalogPriceKind.is_active, bool),
    ],
    relations=[Relation("prices", "catalog_price", "many", target_fk="price_kind_id")],
    default_sort="code",
    hooks=guarded(
        CatalogPriceKind,
        Hooks(
            before_create=_kind_create,
            before_update=_kind_update,
            after_update=_kind_after_update,
            before_delete=_kind_delete,
        ),
    ),
    description="A kind of price (regular, promotion...), shown with or without tax.",
)


# --- tags -----------------------------------------------------------------------------------------

TAG = Entity(
    name="catalog_tag",
    module=MODULE,
    model=CatalogTag,
    path="/catalog/tags",
    graphql_name="CatalogTag",
    plural="catalogTags",
    soft_delete=False,
    features=Features(view=[PRODUCTS_VIEW]),
    fields=[
        Field("label", str, sort=True, search=True, max_length=150, create=False, update=False),
        Field("slug", str, sort=True, search=True, max_length=150, create=False, update=False),
        Field("organization_id", uuid.UUID, create=False, update=False),
        Field("tenant_id", uuid.UUID, create=False, update=False),
        Field("created_at", datetime, sort=True, create=False, update=False),
        Field("updated_at", datetime, sort=True, create=False, update=False),
    ],
    relations=[
        Relation(
            "products",
            "catalog_product",
            "through",
            through=CatalogProductTag,
            through_source="tag_id",
            through_target="product_id",
        )
    ],
    rest_verbs=("GET",),
    mutations=(),
    default_sort="label",
    description="A product tag; products are tagged through their ``tags`` (labels).",
)
