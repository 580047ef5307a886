"""The catalog's demo data: a small motorcycle-concierge catalog in the demo organization — service
lines, a category tree (Services › Storage/Maintenance, Parts › Brakes/Tyres), services such as
"Winter storage" and "Major service", parts such as "Brake pads" with variants, unit conversions,
an offer, and exact prices in PLN and EUR (23 % VAT)."""

from __future__ import annotations

import uuid

from crmgraph.demo import DemoSeeder
from resolvers.catalog.categories import CATEGORY
from resolvers.catalog.pricing import PRICE
from resolvers.catalog.products import OFFER, PRODUCT, UNIT_CONVERSION, VARIANT
from resolvers.catalog.settings import OPTION_SCHEMA, PRICE_KIND, SERVICE_LINE

SERVICE_LINES = [("storage", "Storage"), ("servicing", "Servicing"), ("parts", "Parts & accessories")]
# name, parent name
CATEGORIES = [
    ("Services", None),
    ("Storage", "Services"),
    ("Maintenance", "Services"),
    ("Parts", None),
    ("Brakes", "Parts"),
    ("Tyres", "Parts"),
]
# sku, title, type, service line, category, unit, tags, net PLN, net EUR
PRODUCTS = [
    ("SRV-WS", "Winter storage", "service", "storage", "Storage", "month", ["Seasonal"], "150.00", "35.00"),
    (
        "SRV-MAJ",
        "Major service",
        "service",
        "servicing",
        "Maintenance",
        "job",
        ["Workshop"],
        "890.00",
        "209.00",
    ),
    (
        "SRV-MIN",
        "Minor service",
        "service",
        "servicing",
        "Maintenance",
        "job",
        ["Workshop"],
        "420.00",
        "99.00",
    ),
    ("PRT-BP", "Brake pads", "configurable", "parts", "Brakes", "pcs", ["OEM", "Brakes"], "189.99", "44.50"),
    ("PRT-TY", "Sport tyre 180/55 ZR17", "simple", "parts", "Tyres", "pcs", ["Tyres"], "749.00", "176.00"),
]
DEMO_CHANNEL = uuid.UUID("6f1e1c3a-0c7e-4d0b-9a53-6d6f746f7273")  # the concierge's web shop (sales)


async def seed(self: DemoSeeder) -> None:
    """Service lines, the category tree, price kinds, products with variants, conversions, an offer
    and PLN/EUR prices; idempotent (rows are looked up by their keys first)."""
    for code, title in SERVICE_LINES:
        self.ids[f"catalog.line:{code}"] = await self.ensure(
            SERVICE_LINE, {"code": code}, {"code": code, "title": title}
        )
    for name, parent in CATEGORIES:
        body = {"name": name, "parentId": str(self.ids[f"catalog.category:{parent}"]) if parent else None}
        self.ids[f"catalog.category:{name}"] = await self.ensure(CATEGORY, {"name": name}, body)
    schema = {
        "options": [{"code": "axle", "label": "Axle", "inputType": "select", "choices": ["front", "rear"]}]
    }
    options = await self.ensure(
        OPTION_SCHEMA, {"name": "Brake pad axle"}, {"name": "Brake pad axle", "schema": schema}
    )
    regular = await self.ensure(PRICE_KIND, {"code": "regular"}, {"code": "regular", "title": "Regular"})
    await self.ensure(
        PRICE_KIND, {"code": "promo"}, {"code": "promo", "title": "Promotion", "isPromotion": True}
    )
    for sku, title, kind, line, category, unit, tags, pln, eur in PRODUCTS:
        body = {
            "sku": sku,
            "title": title,
            "productType": kind,
            "serviceLineId": str(self.ids[f"catalog.line:{line}"]),
            "categoryIds": [str(self.ids[f"catalog.category:{category}"])],
            "defaultUnit": unit,
            "taxRate": "23",
            "tags": tags,
            "optionSchemaId": str(options) if kind == "configurable" else None,
        }
        product = await self.ensure(PRODUCT, {"sku": sku}, body)
        self.ids[f"catalog.product:{sku}"] = product
        for currency, net in (("PLN", pln), ("EUR", eur)):
            await self.ensure(
                PRICE,
                {"product_id": product, "currency_code": currency, "variant_id": None},
                {
                    "productId": str(product),
                    "priceKindId": str(regular),
                    "currencyCode": currency,
                    "unitPriceNet": net,
                },
            )
    pads = self.ids["catalog.product:PRT-BP"]
    for axle in ("front", "rear"):
        await self.ensure(
            VARIANT,
            {"sku": f"PRT-BP-{axle[0].upper()}"},
            {
                "productId": str(pads),
                "sku": f"PRT-BP-{axle[0].upper()}",
                "name": f"Brake pads ({axle})",
                "optionValues": {"axle": axle},
                "isDefault": axle == "front",
            },
        )
    await self.ensure(
        UNIT_CONVERSION,
        {"product_id": pads, "unit_code": "set"},
        {"productId": str(pads), "unitCode": "set", "toBaseFactor": "2"},
    )
    storage = self.ids["catalog.product:SRV-WS"]
    await self.ensure(
        UNIT_CONVERSION,
        {"product_id": storage, "unit_code": "season"},
        {"productId": str(storage), "unitCode": "season", "toBaseFactor": "5"},
    )
    await self.ensure(
        OFFER,
        {"product_id": storage, "channel_id": DEMO_CHANNEL},
        {"productId": str(storage), "channelId": str(DEMO_CHANNEL), "title": "Winter storage (web shop)"},
    )
