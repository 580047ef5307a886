"""Prices: exact amounts of a product, a variant or an offer in one currency and price kind.

The net price and the tax rate (percent) give the gross price, ``net × (1 + rate / 100)`` rounded
half-up to the currency's minor units (its ``decimal_places`` in the currencies module, else ISO
4217's); a price given gross only gets its net the same way (``gross / (1 + rate / 100)``). The tax
amount is ``gross − net``. The rate is the one sent, else the variant's, else the product's, else 0.
Never a float: ``Decimal`` in Python, ``NUMERIC`` in PostgreSQL, strings on the wire.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from models.catalog import CatalogPrice
from models.currencies import Currency
from resolvers.catalog.common import (
    MODULE,
    PRICING_MANAGE,
    PRODUCTS_VIEW,
    READONLY,
    currency_value,
    defaults,
    drop_nulls,
    fail,
    referenced,
)
from resolvers.catalog.products import OFFER, PRODUCT, VARIANT, tax_rate_value
from resolvers.catalog.settings import PRICE_KIND
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq
from resolvers.money import iso_minor_units, round_half_up

ONE, HUNDRED = Decimal(1), Decimal(100)
# ISO 4217 minor units that are not 2 (the currencies module's own setting wins).
MAX_SCALE = 4  # the price columns keep four places


def gross_of(net: Decimal, rate: Decimal, places: int) -> Decimal:
    """``net × (1 + rate/100)`` rounded half-up to ``places`` decimals."""
    return round_half_up(net * (ONE + rate / HUNDRED), places)


def net_of(gross: Decimal, rate: Decimal, places: int) -> Decimal:
    """``gross / (1 + rate/100)`` rounded half-up to ``places`` decimals."""
    return round_half_up(gross / (ONE + rate / HUNDRED), places)


async def minor_units(uow: UnitOfWork, tenant: Any, org: Any, code: str) -> int:
    """Decimal places of ``code``: the organization's currency (else any of the tenant's), else ISO."""
    rows = await uow.session.execute(
        select(Currency.organization_id, Currency.decimal_places).where(
            Currency.tenant_id == tenant, Currency.code == code, Currency.deleted_at.is_(None)
        )
    )
    found = {organization: places for organization, places in rows}
    places = found.get(org, next(iter(found.values()), None))
    return min(MAX_SCALE, places if places is not None else iso_minor_units(code))


def _check_amount(value: Decimal | None, path: str) -> None:
    if value is not None and value < 0:
        raise fail(path, "Must not be negative", "too_small")


async def _targets(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> Any:
    """The product the price belongs to (through its variant or offer when given, which must be of
    that product), and the variant, if any."""
    variant = offer = None
    if data.get("variant_id") is not None:
        variant = await referenced(ctx, uow, VARIANT, data["variant_id"], "variantId")
    if data.get("offer_id") is not None:
        offer = await referenced(ctx, uow, OFFER, data["offer_id"], "offerId")
    owners = {x.product_id for x in (variant, offer) if x is not None}
    if data.get("product_id") is not None:
        owners.add((await referenced(ctx, uow, PRODUCT, data["product_id"], "productId")).id)
    if not owners:
        raise fail("productId", "A price belongs to a product, a variant or an offer", "invalid_type")
    if len(owners) > 1:
        raise fail("variantId", "The variant and the offer must be of the price's product", "invalid")
    data["product_id"] = owners.pop()
    product = await referenced(ctx, uow, PRODUCT, data["product_id"], "productId")
    if offer is not None and data.get("channel_id") is None:
        data["channel_id"] = offer.channel_id
    return product, variant


async def _amounts(uow: UnitOfWork, price: dict[str, Any], data: dict[str, Any], sent: set[str]) -> None:
    """Net, gross and tax amount of the (final) ``price`` into ``data``; ``sent``: what the write gave."""
    places = await minor_units(uow, price["tenant_id"], price["organization_id"], price["currency_code"])
    rate = price["tax_rate"]
    if "unit_price_net" in sent or "unit_price_gross" not in sent:
        net = price["unit_price_net"]
        gross = gross_of(net, rate, places)
    else:
        gross = round_half_up(price["unit_price_gross"], places)
        net = net_of(gross, rate, places)
    data["unit_price_net"], data["unit_price_gross"], data["tax_amount"] = net, gross, gross - net


def _values(data: dict[str, Any]) -> None:
    currency_value(data, "currency_code", "currencyCode")
    tax_rate_value(data)
    _check_amount(data.get("unit_price_net"), "unitPriceNet")
    _check_amount(data.get("unit_price_gross"), "unitPriceGross")
    low = data.get("min_quantity")
    if low is not None and low < 1:
        raise fail("minQuantity", "At least 1", "too_small")
    high = data.get("max_quantity")
    if high is not None and high < 1:
        raise fail("maxQuantity", "At least 1", "too_small")
    if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
        raise fail("endsAt", "Ends before it starts", "invalid")


def _range(low: int, high: int | None) -> None:
    if high is not None and high < low:
        raise fail("maxQuantity", "At least the minimum quantity", "too_small")


async def _create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _values(data)
    product, variant = await _targets(ctx, uow, data)
    data["organization_id"] = product.organization_id
    kind = await referenced(ctx, uow, PRICE_KIND, data["price_kind_id"], "priceKindId")
    data["kind"] = kind.code
    if data.get("unit_price_net") is None and data.get("unit_price_gross") is None:
        raise fail("unitPriceNet", "Give the net or the gross unit price", "invalid_type")
    if data.get("tax_rate") is None:
        own = variant.tax_rate if variant is not None else None
        data["tax_rate"] = own if own is not None else (product.tax_rate or Decimal(0))
    defaults(data, min_quantity=1)
    _range(data["min_quantity"], data.get("max_quantity"))
    sent = {k for k in ("unit_price_net", "unit_price_gross") if data.get(k) is not None}
    await _amounts(uow, data, data, sent)


FINAL = ("tenant_id", "organization_id", "currency_code", "tax_rate", "unit_price_net", "unit_price_gross")


async def _update(ctx: RequestContext, uow: UnitOfWork, obj: CatalogPrice, data: dict[str, Any]) -> None:
    _values(data)
    drop_nulls(data, "currency_code", "price_kind_id", "min_quantity", "unit_price_net", "unit_price_gross")
    if "tax_rate" in data and data["tax_rate"] is None:
        data["tax_rate"] = Decimal(0)
    if data.get("price_kind_id") not in (None, obj.price_kind_id):
        data["kind"] = (await referenced(ctx, uow, PRICE_KIND, data["price_kind_id"], "priceKindId")).code
    _range(data.get("min_quantity", obj.min_quantity), data.get("max_quantity", obj.max_quantity))
    sent = {k for k in ("unit_price_net", "unit_price_gross") if k in data}
    if sent or {"currency_code", "tax_rate"} & data.keys():
        final = {k: data[k] if k in data else getattr(obj, k) for k in FINAL}
        await _amounts(uow, final, data, sent)


PRICE = Entity(
    name="catalog_price",
    module=MODULE,
    model=CatalogPrice,
    path="/catalog/prices",
    graphql_name="Price",
    plural="prices",
    key_case="snake",
    features=Features(
        view=[PRODUCTS_VIEW], create=[PRICING_MANAGE], update=[PRICING_MANAGE], delete=[PRICING_MANAGE]
    ),
    fields=[
        Field(
            "product_id",
            uuid.UUID,
            update=False,
            sort=True,
            description="Its variant's or offer's when omitted.",
        ),
        Field("variant_id", uuid.UUID, update=False),
        Field("offer_id", uuid.UUID, update=False),
        Field("currency_code", str, required=True, sort=True, max_length=3),
        Field("price_kind_id", uuid.UUID, required=True),
        Field("kind", str, sort=True, **READONLY, description="Its price kind's code."),
        Field("min_quantity", int, sort=True),
        Field("max_quantity", int),
        Field("unit_price_net", Decimal, sort=True, description="Exact, as a string."),
        Field("unit_price_gross", Decimal, sort=True, description="Net × (1 + rate/100), half-up."),
        Field("tax_rate", Decimal, description="Percent (23 = 23 %)."),
        Field("tax_amount", Decimal, **READONLY),
        Field("tax_rate_id", uuid.UUID),
        Field("channel_id", uuid.UUID),
        Field("user_id", uuid.UUID),
        Field("user_group_id", uuid.UUID),
        Field("customer_id", uuid.UUID),
        Field("customer_group_id", uuid.UUID),
        Field("metadata_", dict),
        Field("starts_at", datetime, sort=True),
        Field("ends_at", datetime, sort=True),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("productId", CatalogPrice.product_id, uuid.UUID),
        eq("variantId", CatalogPrice.variant_id, uuid.UUID),
        eq("offerId", CatalogPrice.offer_id, uuid.UUID),
        eq("channelId", CatalogPrice.channel_id, uuid.UUID),
        eq("currencyCode", CatalogPrice.currency_code),
        eq("priceKindId", CatalogPrice.price_kind_id, uuid.UUID),
        eq("kind", CatalogPrice.kind),
        eq("userId", CatalogPrice.user_id, uuid.UUID),
        eq("userGroupId", CatalogPrice.user_group_id, uuid.UUID),
        eq("customerId", CatalogPrice.customer_id, uuid.UUID),
        eq("customerGroupId", CatalogPrice.customer_group_id, uuid.UUID),
    ],
    relations=[
        Relation("product", "catalog_product", "one", source_fk="product_id"),
        Relation("variant", "catalog_variant", "one", source_fk="variant_id"),
        Relation("offer", "catalog_offer", "one", source_fk="offer_id"),
        Relation("price_kind", "catalog_price_kind", "one", source_fk="price_kind_id"),
    ],
    default_sort="min_quantity",
    hooks=guarded(CatalogPrice, Hooks(before_create=_create, before_update=_update)),
    description="An exact price of a product, variant or offer: net, tax rate, gross (rounded half-up).",
)
