"""What sales documents refer to: channels, the status and adjustment-kind dictionaries, payment
and shipping methods, delivery windows, tax rates, price kinds and tags."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict
from models import sales as m
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, eq, starts_with
from resolvers.sales.common import (
    CHANNELS_MANAGE,
    MODULE,
    ORDERS_MANAGE,
    ORDERS_VIEW,
    READONLY,
    SETTINGS_MANAGE,
    fail,
    stamps,
)

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CUTOFF = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def unique(model: Any, attr: str, message: str, path: str) -> Hooks:
    """Hooks keeping ``attr`` unique among an organization's live rows (trimmed, non-empty)."""

    async def check(uow: UnitOfWork, tenant: Any, org: Any, value: Any, other: Any = None) -> None:
        column = getattr(model, attr)
        query = select(model.id).where(
            model.tenant_id == tenant,
            model.organization_id.is_not_distinct_from(org),
            column == value,
            model.deleted_at.is_(None),
        )
        if other is not None:
            query = query.where(model.id != other)
        if await uow.session.scalar(query) is not None:
            raise Conflict(message)

    def clean(data: dict[str, Any]) -> None:
        for key, value in list(data.items()):
            if isinstance(value, str) and key not in ("description", "terms"):
                data[key] = value.strip()
        if attr in data and not data[attr]:
            raise fail(path, "Required", "too_small")
        if data.get("code") and not CODE.match(data["code"]):
            raise fail("code", "Letters, digits, '_', '.', ':' or '-'", "invalid_string")
        if data.get("cutoff_time") and not CUTOFF.match(data["cutoff_time"]):
            raise fail("cutoffTime", "Use HH:MM", "invalid_string")
        if data.get("currency_code"):
            data["currency_code"] = data["currency_code"].upper()
            if not re.fullmatch(r"[A-Z]{3}", data["currency_code"]):
                raise fail("currencyCode", "A three-letter ISO code", "invalid_string")
        for key in ("rate", "base_rate_net", "base_rate_gross", "lead_time_days", "estimated_transit_days"):
            if isinstance(data.get(key), (int, Decimal)) and data[key] < 0:
                raise fail(key, "Must not be negative", "too_small")
        for key in ("is_active", "is_compound", "is_default", "base_rate_net", "base_rate_gross"):
            if key in data and data[key] is None:
                data.pop(key)

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        clean(data)
        await check(uow, data["tenant_id"], data.get("organization_id"), data.get(attr))

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        clean(data)
        if data.get(attr) not in (None, getattr(obj, attr)):
            await check(uow, obj.tenant_id, obj.organization_id, data[attr], obj.id)

    return guarded(model, Hooks(before_create=before_create, before_update=before_update))


def active_filters(model: Any) -> list[Any]:
    return [eq("isActive", model.is_active, bool)]


# --- channels -------------------------------------------------------------------------------------

CHANNEL = Entity(
    name="sales_channel",
    module=MODULE,
    model=m.SalesChannel,
    path="/sales/channels",
    graphql_name="SalesChannel",
    plural="salesChannels",
    features=Features.view_manage(CHANNELS_MANAGE, CHANNELS_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True),
        Field("code", str, sort=True, search=True),
        Field("description", str, max_length=4000),
        Field("status_entry_id", uuid.UUID),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=active_filters(m.SalesChannel),
    relations=[],
    default_sort="name",
    hooks=unique(m.SalesChannel, "name", "A channel with this name already exists", "name"),
    description="A sales channel (store, marketplace) orders and quotes are placed through.",
)


# --- dictionaries ---------------------------------------------------------------------------------


def dictionary(name: str, model: Any, path: str, graphql: str, plural: str, view: str, what: str) -> Entity:
    return Entity(
        name=name,
        module=MODULE,
        model=model,
        path=path,
        graphql_name=graphql,
        plural=plural,
        features=Features(
            view=[view], create=[SETTINGS_MANAGE], update=[SETTINGS_MANAGE], delete=[SETTINGS_MANAGE]
        ),
        fields=[
            Field("value", str, required=True, sort=True, search=True),
            Field("label", str, sort=True, search=True),
            Field("color", str),
            Field("icon", str),
            *stamps(),
        ],
        filters=[eq("value", model.value)],
        default_sort="value",
        hooks=unique(model, "value", f"This {what} already exists", "value"),
        description=f"A {what} organizations define for their sales documents.",
    )


ORDER_STATUS = dictionary(
    "sales_order_status", m.SalesOrderStatus, "/sales/order-statuses", "SalesOrderStatus",
    "salesOrderStatuses", SETTINGS_MANAGE, "order status",
)  # fmt: skip
ORDER_LINE_STATUS = dictionary(
    "sales_order_line_status", m.SalesOrderLineStatus, "/sales/order-line-statuses",
    "SalesOrderLineStatus", "salesOrderLineStatuses", SETTINGS_MANAGE, "order line status",
)  # fmt: skip
PAYMENT_STATUS = dictionary(
    "sales_payment_status", m.SalesPaymentStatus, "/sales/payment-statuses", "SalesPaymentStatus",
    "salesPaymentStatuses", SETTINGS_MANAGE, "payment status",
)  # fmt: skip
SHIPMENT_STATUS = dictionary(
    "sales_shipment_status", m.SalesShipmentStatus, "/sales/shipment-statuses", "SalesShipmentStatus",
    "salesShipmentStatuses", SETTINGS_MANAGE, "shipment status",
)  # fmt: skip
ADJUSTMENT_KIND = dictionary(
    "sales_adjustment_kind", m.SalesAdjustmentKind, "/sales/adjustment-kinds", "SalesAdjustmentKind",
    "salesAdjustmentKinds", ORDERS_VIEW, "adjustment kind",
)  # fmt: skip


# --- methods, windows, tax rates ------------------------------------------------------------------

PAYMENT_METHOD = Entity(
    name="sales_payment_method",
    module=MODULE,
    model=m.SalesPaymentMethod,
    path="/sales/payment-methods",
    graphql_name="SalesPaymentMethod",
    plural="salesPaymentMethods",
    features=Features.view_manage(SETTINGS_MANAGE, SETTINGS_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True),
        Field("code", str, required=True, sort=True, search=True),
        Field("description", str, max_length=4000),
        Field("provider_key", str),
        Field("terms", str, max_length=4000),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        Field("provider_settings", dict),
        *stamps(),
    ],
    filters=active_filters(m.SalesPaymentMethod),
    default_sort="name",
    hooks=unique(m.SalesPaymentMethod, "code", "A payment method with this code already exists", "code"),
    description="A way customers pay for orders (bank transfer, card, cash on pickup).",
)

SHIPPING_METHOD = Entity(
    name="sales_shipping_method",
    module=MODULE,
    model=m.SalesShippingMethod,
    path="/sales/shipping-methods",
    graphql_name="SalesShippingMethod",
    plural="salesShippingMethods",
    features=Features.view_manage(SETTINGS_MANAGE, SETTINGS_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True),
        Field("code", str, required=True, sort=True, search=True),
        Field("description", str, max_length=4000),
        Field("carrier_code", str),
        Field("provider_key", str),
        Field("service_level", str),
        Field("estimated_transit_days", int),
        Field("base_rate_net", Decimal),
        Field("base_rate_gross", Decimal),
        Field("currency_code", str, sort=True),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        Field("provider_settings", dict),
        *stamps(),
    ],
    filters=[*active_filters(m.SalesShippingMethod), eq("currency", m.SalesShippingMethod.currency_code)],
    default_sort="name",
    hooks=unique(m.SalesShippingMethod, "code", "A shipping method with this code already exists", "code"),
    description="A way orders reach customers (workshop pickup, courier), with its base rate.",
)

DELIVERY_WINDOW = Entity(
    name="sales_delivery_window",
    module=MODULE,
    model=m.SalesDeliveryWindow,
    path="/sales/delivery-windows",
    graphql_name="SalesDeliveryWindow",
    plural="salesDeliveryWindows",
    features=Features.view_manage(SETTINGS_MANAGE, SETTINGS_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True),
        Field("code", str, sort=True),
        Field("description", str, max_length=4000),
        Field("lead_time_days", int, sort=True),
        Field("cutoff_time", str),
        Field("timezone", str),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        *stamps(),
    ],
    filters=active_filters(m.SalesDeliveryWindow),
    default_sort="name",
    hooks=unique(m.SalesDeliveryWindow, "name", "A delivery window with this name already exists", "name"),
    description="Lead time and cut-off time promised for orders.",
)

TAX_RATE = Entity(
    name="sales_tax_rate",
    module=MODULE,
    model=m.SalesTaxRate,
    path="/sales/tax-rates",
    graphql_name="SalesTaxRate",
    plural="salesTaxRates",
    features=Features.view_manage(SETTINGS_MANAGE, SETTINGS_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True),
        Field("code", str, sort=True, search=True),
        Field("rate", Decimal, required=True, sort=True, description="Percent, exact, as a string."),
        Field("country_code", str, sort=True),
        Field("region_code", str),
        Field("postal_code", str),
        Field("city", str),
        Field("customer_group_id", uuid.UUID),
        Field("product_category_id", uuid.UUID),
        Field("channel_id", uuid.UUID),
        Field("priority", int, sort=True),
        Field("is_compound", bool),
        Field("is_default", bool),
        Field("metadata_", dict),
        Field("starts_at", datetime),
        Field("ends_at", datetime),
        *stamps(),
    ],
    filters=[
        eq("country", m.SalesTaxRate.country_code),
        eq("region", m.SalesTaxRate.region_code),
        eq("channelId", m.SalesTaxRate.channel_id, uuid.UUID),
        eq("isCompound", m.SalesTaxRate.is_compound, bool),
    ],
    default_sort="name",
    hooks=unique(m.SalesTaxRate, "name", "A tax rate with this name already exists", "name"),
    description="A tax rate (percent) applied to lines, by country, region or channel.",
)

PRICE_KIND = Entity(
    name="sales_price_kind",
    module=MODULE,
    model=m.SalesPriceKind,
    path="/sales/price-kinds",
    graphql_name="SalesPriceKind",
    plural="salesPriceKinds",
    key_case="snake",
    scope="global",
    soft_delete=False,
    features=Features(view=[CHANNELS_MANAGE]),
    fields=[
        Field("code", str, sort=True, search=True, **READONLY),
        Field("title", str, sort=True, search=True, **READONLY),
        Field("currency_code", str, **READONLY),
        Field("display_mode", str, **READONLY),
        Field("is_active", bool, sort=True, **READONLY),
        Field("created_at", datetime, **READONLY),
        Field("updated_at", datetime, **READONLY),
    ],
    filters=active_filters(m.SalesPriceKind),
    default_sort="code",
    rest_verbs=("GET",),
    mutations=(),
    description="A kind of price (regular, sale, tax-included retail) channels and offers are priced with.",
)

TAG = Entity(
    name="sales_tag",
    module=MODULE,
    model=m.SalesTag,
    path="/sales/tags",
    graphql_name="SalesTag",
    plural="salesTags",
    key_case="snake",
    features=Features.view_manage(ORDERS_VIEW, ORDERS_MANAGE),
    fields=[
        Field("slug", str, required=True, sort=True, search=True),
        Field("label", str, sort=True, search=True),
        Field("color", str),
        Field("description", str, max_length=4000),
        *stamps(),
    ],
    filters=[starts_with("slug", m.SalesTag.slug)],
    default_sort="slug",
    hooks=unique(m.SalesTag, "slug", "A tag with this slug already exists", "slug"),
    description="A tag for quotes and orders.",
)


def _check_slug(data: dict[str, Any]) -> None:
    if data.get("slug") is not None:
        data["slug"] = data["slug"].strip().lower()
        if not SLUG.match(data["slug"]):
            raise fail("slug", "Lowercase letters, digits and hyphens", "invalid_string")


_tag_hooks = TAG.hooks


async def _tag_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check_slug(data)
    await _tag_hooks.before_create(ctx, uow, data)


async def _tag_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    _check_slug(data)
    await _tag_hooks.before_update(ctx, uow, obj, data)


TAG.hooks = Hooks(before_create=_tag_create, before_update=_tag_update)
