"""Products with categories and tags, variants (one default), offers, unit conversions, service lines
and option schemas; product media and dictionaries; bulk delete (all or nothing); features; isolation
across tenants on REST and GraphQL."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from aiohttp import FormData
from PIL import Image

from tests.catalog.conftest import API, make, one, price_kind
from tests.dictionaries.conftest import ACTIONS, written

PRODUCTS = f"{API}/products"
MISSING = "00000000-0000-4000-8000-000000000000"
UNDO = f"{ACTIONS}/undo"


@pytest.fixture(scope="module")
async def catalog(boss):
    """A service line, an option schema, two categories, a tagged product with a variant, an offer,
    a price and a unit conversion."""
    ids = {
        "line": await make(boss, "service-lines", code="service", title="Servicing"),
        "schema": await make(
            boss,
            "option-schemas",
            name="Pads",
            schema={
                "options": [{"code": "axle", "label": "Axle", "inputType": "select", "choices": ["front"]}]
            },
        ),
        "parts": await make(boss, "categories", name="Parts"),
        "brakes": await make(boss, "categories", name="Brakes"),
        "kind": await price_kind(boss),
    }
    ids["product"] = await make(
        boss,
        "products",
        title="Brake pads",
        sku="BP-9",
        serviceLineId=ids["line"],
        optionSchemaId=ids["schema"],
        categoryIds=[ids["brakes"], ids["parts"]],
        tags=["Brakes", "OEM", "brakes"],
        weightValue="0.35",
        taxRate="23",
    )
    ids["variant"] = await make(boss, "variants", productId=ids["product"], name="Front", isDefault=True)
    ids["channel"] = str(uuid.uuid4())
    ids["offer"] = await make(boss, "offers", productId=ids["product"], channelId=ids["channel"])
    ids["price"] = await make(
        boss,
        "prices",
        productId=ids["product"],
        priceKindId=ids["kind"],
        currencyCode="PLN",
        unitPriceNet="80",
        channelId=ids["channel"],
    )
    ids["conversion"] = await make(
        boss, "product-unit-conversions", productId=ids["product"], unitCode="set", toBaseFactor="4"
    )
    return ids


async def test_product_shape_links_and_filters(boss, catalog):
    product = await one(boss, "products", catalog["product"])
    assert product["title"] == "Brake pads" and product["category_id"] == catalog["brakes"]
    assert product["weight_value"] == "0.3500" and product["product_type"] == "simple"
    assert product["pricing"]["unitPriceGross"] == "98.4000" and product["pricing"]["currencyCode"] == "PLN"
    status, page = await boss.get(PRODUCTS, params={"categoryIds": catalog["parts"]})
    assert [p["id"] for p in page["items"]] == [catalog["product"]]
    status, tags = await boss.get(f"{API}/tags", params={"pageSize": 100})
    assert sorted(t["label"] for t in tags["items"]) == ["Brakes", "OEM"]  # one per slug
    brakes = next(t["id"] for t in tags["items"] if t["label"] == "Brakes")
    for params in ({"tagIds": brakes}, {"channelId": catalog["channel"]}, {"serviceLineId": catalog["line"]}):
        status, page = await boss.get(PRODUCTS, params=params)
        assert status == 200 and [p["id"] for p in page["items"]] == [catalog["product"]], params
    status, page = await boss.get(PRODUCTS, params={"channelId": str(uuid.uuid4())})
    assert page["items"] == []
    status, page = await boss.get(PRODUCTS, params={"search": "brake"})
    assert catalog["product"] in {p["id"] for p in page["items"]}

    offer = await one(boss, "offers", catalog["offer"])
    assert offer["title"] == "Brake pads" and offer["product"]["id"] == catalog["product"]
    assert offer["productChannelPrice"]["id"] == catalog["price"]

    reply = await boss.gql(
        "query($id: UUID!) { product(id: $id) { title taxRate category { name } categories { name }"
        " tags { label } variants { name isDefault } prices { unitPriceGross } offers { channelId }"
        " unitConversions { unitCode toBaseFactor } serviceLine { code } optionSchema { name } } }",
        {"id": catalog["product"]},
    )
    got = reply["data"]["product"]
    assert got["category"] == {"name": "Brakes"} and sorted(c["name"] for c in got["categories"]) == [
        "Brakes",
        "Parts",
    ]
    assert sorted(t["label"] for t in got["tags"]) == ["Brakes", "OEM"] and got["taxRate"] == "23.0000"
    assert got["variants"] == [{"name": "Front", "isDefault": True}]
    assert got["prices"] == [{"unitPriceGross": "98.4000"}] and got["offers"] == [
        {"channelId": catalog["channel"]}
    ]
    assert got["unitConversions"] == [{"unitCode": "set", "toBaseFactor": "4.000000"}]
    assert got["serviceLine"] == {"code": "service"} and got["optionSchema"] == {"name": "Pads"}


async def test_product_rules(boss, catalog):
    status, reply = await boss.post(PRODUCTS, {"title": "Copy", "sku": "BP-9"})
    assert status == 409, reply
    for body in (
        {"title": "x", "productType": "spaceship"},
        {"title": "x", "taxRate": "-1"},
        {"title": "x", "categoryIds": [MISSING]},
        {"title": "x", "categoryIds": "nope"},
        {"title": "x", "tags": [1, 2]},
        {"title": "x", "serviceLineId": MISSING},
        {"title": ""},
    ):
        status, reply = await boss.post(PRODUCTS, body)
        assert status == 400 and reply["error"] == "Validation failed", (body, reply)
    # Replacing categories and tags.
    status, _ = await boss.put(
        PRODUCTS, {"id": catalog["product"], "tags": ["OEM"], "categoryIds": [catalog["brakes"]]}
    )
    assert status == 200
    reply = await boss.gql(
        "query($id: UUID!) { product(id: $id) { categories { name } tags { label } } }",
        {"id": catalog["product"]},
    )
    assert reply["data"]["product"] == {"categories": [{"name": "Brakes"}], "tags": [{"label": "OEM"}]}
    # Referenced settings stay while products use them.
    assert (await boss.delete(f"{API}/service-lines", json={"id": catalog["line"]}))[0] == 409
    assert (await boss.delete(f"{API}/option-schemas", json={"id": catalog["schema"]}))[0] == 409
    status, reply = await boss.post(
        f"{API}/option-schemas", {"name": "Bad", "schema": {"options": [{"label": "x"}]}}
    )
    assert status == 400, reply
    status, reply = await boss.post(f"{API}/service-lines", {"code": "Not A Code!", "title": "x"})
    assert status == 400, reply


async def test_variants_conversions_and_offers(boss, catalog):
    second = await make(
        boss, "variants", productId=catalog["product"], name="Rear", isDefault=True, sku="BP-9-R"
    )
    _, page = await boss.get(f"{API}/variants", params={"productId": catalog["product"], "isDefault": "true"})
    assert [v["id"] for v in page["items"]] == [second]  # the flag moved
    assert (await boss.post(f"{API}/variants", {"productId": catalog["product"], "sku": "BP-9-R"}))[0] == 409
    assert (await boss.post(f"{API}/variants", {"productId": MISSING}))[0] == 400
    conversions = f"{API}/product-unit-conversions"
    assert (
        await boss.post(
            conversions, {"productId": catalog["product"], "unitCode": "set", "toBaseFactor": "2"}
        )
    )[0] == 409
    assert (
        await boss.post(
            conversions, {"productId": catalog["product"], "unitCode": "box", "toBaseFactor": "0"}
        )
    )[0] == 400
    assert (await boss.put(conversions, {"id": catalog["conversion"], "toBaseFactor": "2.5"}))[0] == 200
    assert (await one(boss, "product-unit-conversions", catalog["conversion"]))[
        "to_base_factor"
    ] == "2.500000"
    assert (await boss.put(f"{API}/offers", {"id": catalog["offer"], "title": "Shop pads"}))[0] == 200
    assert (await one(boss, "offers", catalog["offer"]))["title"] == "Shop pads"


async def test_features_are_checked(clerk, reader, catalog):
    status, reply = await reader.post(PRODUCTS, {"title": "No"})
    assert status == 403 and reply["requiredFeatures"] == ["catalog.products.manage"]
    assert (await reader.get(PRODUCTS))[0] == 200
    status, reply = await clerk.post(
        f"{API}/prices", {"productId": catalog["product"], "currencyCode": "PLN"}
    )
    assert status == 403 and reply["requiredFeatures"] == ["catalog.pricing.manage"]
    status, reply = await clerk.get(f"{API}/offers")
    assert status == 403 and reply["requiredFeatures"] == ["sales.channels.manage"]
    assert (await clerk.get(f"{API}/price-kinds"))[0] == 403
    assert (await clerk.post(f"{API}/variants", {"productId": catalog["product"]}))[0] == 403
    reply = await reader.gql('mutation { createProduct(input: {title: "No"}) { id } }')
    assert reply["errors"] and not reply.get("data"), reply


async def test_isolation_across_tenants(stranger, catalog):
    for kind, key in (
        ("products", "product"),
        ("variants", "variant"),
        ("offers", "offer"),
        ("prices", "price"),
        ("categories", "parts"),
        ("price-kinds", "kind"),
        ("service-lines", "line"),
        ("option-schemas", "schema"),
        ("product-unit-conversions", "conversion"),
    ):
        status, page = await stranger.get(f"{API}/{kind}", params={"ids": catalog[key]})
        assert status == 200 and page["items"] == [], kind
        status, page = await stranger.get(f"{API}/{kind}", params={"pageSize": 100})
        assert catalog[key] not in {i["id"] for i in page["items"]}, kind
        assert (await stranger.put(f"{API}/{kind}", {"id": catalog[key]}))[0] == 404, kind
        assert (await stranger.delete(f"{API}/{kind}", json={"id": catalog[key]}))[0] == 404, kind
    assert (await stranger.get(f"{API}/tags"))[1]["items"] == []
    assert (await stranger.get(f"{API}/product-media", params={"productId": catalog["product"]}))[0] == 404
    status, reply = await stranger.post(f"{API}/bulk-delete", {"ids": [catalog["product"]]})
    assert status == 404, reply
    status, reply = await stranger.post(f"{API}/variants", {"productId": catalog["product"]})
    assert status == 400, reply  # another tenant's product is no reference
    reply = await stranger.gql(
        "query($id: UUID!) { product(id: $id) { id } products(pageSize: 100) { items { id } }"
        " variants { items { id } } prices { items { id } } categories { items { id } } }",
        {"id": catalog["product"]},
    )
    data = reply["data"]
    assert data["product"] is None and all(
        data[k]["items"] == [] for k in ("products", "variants", "prices", "categories")
    )
    reply = await stranger.gql("mutation($id: UUID!) { deleteProduct(id: $id) }", {"id": catalog["product"]})
    assert reply["errors"], reply


async def test_media_and_dictionaries(boss, catalog):
    form = FormData()
    form.add_field("entityId", "catalog:catalog_product")
    form.add_field("recordId", catalog["product"])
    form.add_field("partitionCode", "productsMedia")
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, "PNG")
    form.add_field("file", image.getvalue(), filename="pads.png", content_type="image/png")
    status, reply = await boss.post("/api/attachments", data=form)
    assert status == 201, reply
    status, media = await boss.get(f"{API}/product-media", params={"productId": catalog["product"]})
    assert status == 200 and [m["fileName"] for m in media["items"]] == ["pads.png"]
    assert media["items"][0]["url"].startswith("/api/attachments/file/") and media["items"][0]["thumbnailUrl"]
    assert (await boss.get(f"{API}/product-media", params={"productId": MISSING}))[0] == 404
    assert (await boss.get(f"{API}/product-media"))[0] == 400

    status, created = await boss.post("/api/dictionaries", {"key": "unit", "name": "Units"})
    assert status == 201, created
    for value in ("pcs", "set"):
        assert (await boss.post(f"/api/dictionaries/{created['id']}/entries", {"value": value}))[0] == 201
    status, units = await boss.get(f"{API}/dictionaries/unit")
    assert status == 200 and units["id"] == created["id"]
    assert sorted(e["value"] for e in units["entries"]) == ["pcs", "set"]
    assert (await boss.get(f"{API}/dictionaries/nothing-here"))[0] == 404
    reply = await boss.gql('{ catalogDictionary(key: "unit") { entries { value } } }')
    assert sorted(e["value"] for e in reply["data"]["catalogDictionary"]["entries"]) == ["pcs", "set"]


async def test_bulk_delete_is_all_or_nothing(boss, catalog):
    first = await make(boss, "products", title="Winter storage")
    second = await make(boss, "products", title="Major service")
    variant = await make(boss, "variants", productId=second, name="Big bike")
    kind = catalog["kind"]
    price = await make(
        boss, "prices", variantId=variant, priceKindId=kind, currencyCode="EUR", unitPriceNet="10"
    )

    for ids in ([first, second, MISSING], [first, "not-a-uuid"], []):
        status, reply = await boss.post(f"{API}/bulk-delete", {"ids": ids})
        assert status in (400, 404) and reply["error"], reply
    status, page = await boss.get(PRODUCTS, params={"ids": f"{first},{second}"})
    assert len(page["items"]) == 2  # nothing deleted
    assert (await boss.get(f"{API}/prices", params={"ids": price}))[1]["items"]

    status, reply = await boss.post(f"{API}/bulk-delete", {"ids": [first, second, first]})
    assert status == 200 and reply == {"ok": True, "deleted": 2}, reply
    assert (await boss.get(PRODUCTS, params={"ids": f"{first},{second}"}))[1]["items"] == []
    for kind_path, ident in (("variants", variant), ("prices", price)):  # children went with it
        assert (await boss.get(f"{API}/{kind_path}", params={"ids": ident}))[1]["items"] == []
    reply = await boss.gql(
        "mutation($ids: [UUID!]!) { catalogBulkDelete(input: {ids: $ids}) { ok deleted } }",
        {"ids": [MISSING]},
    )
    assert reply["errors"], reply
    assert Decimal((await one(boss, "prices", catalog["price"]))["unit_price_net"]) == 80  # untouched


async def test_graphql_mutations_take_typed_links(boss, catalog):
    reply = await boss.gql(
        'mutation($c: [UUID!]) { createProduct(input: {title: "Chain lube", categoryIds: $c, tags: ["Care"],'
        ' taxRate: "23"}) { id taxRate category { name } categories { name } tags { label } } }',
        {"c": [catalog["parts"]]},
    )
    created = reply["data"]["createProduct"]
    assert created["category"] == {"name": "Parts"} and created["categories"] == [{"name": "Parts"}]
    assert created["tags"] == [{"label": "Care"}] and created["taxRate"] == "23.0000"
    reply = await boss.gql('mutation { createProduct(input: {title: "x", categoryIds: ["nope"]}) { id } }')
    assert reply["errors"] and not reply.get("data"), reply
    reply = await boss.gql(
        "mutation($id: UUID!, $kind: UUID!) { createPrice(input: {productId: $id, priceKindId: $kind,"
        ' currencyCode: "EUR", unitPriceGross: "12.30"}) { unitPriceNet taxRate } }',
        {"id": created["id"], "kind": catalog["kind"]},
    )
    assert reply["data"]["createPrice"] == {"unitPriceNet": "10.0000", "taxRate": "23.0000"}, reply


async def test_a_product_delete_undoes_as_one_command(boss, catalog):
    product = await make(boss, "products", title="Chain kit")
    variant = await make(boss, "variants", productId=product, name="520")
    price = await make(
        boss, "prices", variantId=variant, priceKindId=catalog["kind"], currencyCode="PLN", unitPriceNet="5"
    )
    status, reply, op = await written(boss, "DELETE", PRODUCTS, {"id": product})
    assert status == 200 and op["undoToken"], reply
    assert (await boss.get(f"{API}/prices", params={"ids": price}))[1]["items"] == []
    assert (await boss.post(UNDO, {"undoToken": op["undoToken"]}))[0] == 200
    for kind, ident in (("products", product), ("variants", variant), ("prices", price)):
        assert (await one(boss, kind, ident))["id"] == ident  # revived together
