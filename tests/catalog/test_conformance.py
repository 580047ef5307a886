"""The catalog walk over the catalog module: every operation served, guarded (401 without
credentials) and in the documented shape (lists hold an item, so item keys are checked too)."""

from __future__ import annotations

import uuid

from aiohttp import FormData

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.catalog.conftest import make, price_kind
from tests.factories import PASSWORD

MODULES = {"catalog": 40}


async def test_every_operation_of_the_catalog_is_covered(client, cworld, boss):
    line = await make(boss, "service-lines", code="storage", title="Storage")
    schema = {"options": [{"code": "size", "label": "Size", "inputType": "select"}]}
    options = await make(boss, "option-schemas", name="Sizes", schema=schema)
    root = await make(boss, "categories", name="Parts")
    product = await make(
        boss,
        "products",
        title="Brake pads",
        sku="BP-1",
        serviceLineId=line,
        optionSchemaId=options,
        categoryIds=[root],
        tags=["Brakes"],
    )
    await make(boss, "variants", productId=product, name="Front", sku="BP-1-F")
    offer = await make(boss, "offers", productId=product, channelId=str(uuid.uuid4()), title="Shop")
    kind = await price_kind(boss)
    await make(
        boss,
        "prices",
        productId=product,
        offerId=offer,
        currencyCode="PLN",
        priceKindId=kind,
        unitPriceNet="100",
    )
    await make(boss, "product-unit-conversions", productId=product, unitCode="set", toBaseFactor="4")
    form = FormData()
    form.add_field("entityId", "catalog:catalog_product")
    form.add_field("recordId", product)
    form.add_field("file", b"pads", filename="pads.txt", content_type="text/plain")
    assert (await boss.post("/api/attachments", data=form))[0] == 201

    base = str(client.make_url("/"))
    results = await check_all(base, {"email": cworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
