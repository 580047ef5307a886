"""Exact prices: gross = net × (1 + rate/100) rounded half-up to the currency's minor units (the
currencies module's setting first, ISO 4217 otherwise), net from gross the same way, tax = gross −
net; rates inherited from the variant, else the product; never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.catalog.conftest import API, make, one, price_kind

PRICES = f"{API}/prices"

# currency, tax rate %, net sent, gross sent -> net, gross, tax (hand-computed)
TABLE = [
    ("PLN", "23", "100", None, "100", "123.00", "23.00"),
    ("PLN", "23", "10.01", None, "10.01", "12.31", "2.30"),  # 12.3123
    ("PLN", "23", "0.05", None, "0.05", "0.06", "0.01"),  # 0.0615
    ("PLN", "5", "0.5", None, "0.5", "0.53", "0.03"),  # 0.525: half-up, not half-even (0.52)
    ("EUR", "10", "1.15", None, "1.15", "1.27", "0.12"),  # 1.265: half-up
    ("EUR", "8", "19.99", None, "19.99", "21.59", "1.60"),  # 21.5892
    ("EUR", "0", "7.1234", None, "7.1234", "7.12", "-0.0034"),  # no tax: gross to minor units
    ("JPY", "8", "999", None, "999", "1079", "80"),  # 1078.92, no minor units
    ("KWD", "5", "1.2345", None, "1.2345", "1.296", "0.0615"),  # 1.296225, three places
    ("PLN", "23", None, "123", "100.00", "123.00", "23.00"),  # from gross
    ("PLN", "23", None, "10", "8.13", "10.00", "1.87"),  # 8.1300813
]


@pytest.fixture(scope="module")
async def setup(boss):
    product = await make(boss, "products", title="Brake pads", taxRate="23")
    return product, await price_kind(boss, "regular")


@pytest.mark.parametrize(("currency", "rate", "net", "gross", "want_net", "want_gross", "want_tax"), TABLE)
async def test_rounding_table(boss, setup, currency, rate, net, gross, want_net, want_gross, want_tax):
    product, kind = setup
    body = {"productId": product, "priceKindId": kind, "currencyCode": currency, "taxRate": rate}
    body.update({k: v for k, v in (("unitPriceNet", net), ("unitPriceGross", gross)) if v is not None})
    price = await one(boss, "prices", await make(boss, "prices", **body))
    assert all(isinstance(price[k], str) for k in ("unit_price_net", "unit_price_gross", "tax_amount"))
    got = (Decimal(price["unit_price_net"]), Decimal(price["unit_price_gross"]), Decimal(price["tax_amount"]))
    assert got == (Decimal(want_net), Decimal(want_gross), Decimal(want_tax)), price
    assert price["kind"] == "regular" and price["currency_code"] == currency


async def test_currency_module_minor_units_win(boss, setup):
    product, kind = setup
    status, _ = await boss.post(
        "/api/currencies/currencies", {"code": "CZK", "name": "Koruna", "decimalPlaces": 0}
    )
    assert status == 201
    ident = await make(
        boss, "prices", productId=product, priceKindId=kind, currencyCode="czk", unitPriceNet="10.40"
    )
    price = await one(boss, "prices", ident)  # the product's 23 %: 12.792 -> 13
    assert Decimal(price["unit_price_gross"]) == 13 and Decimal(price["tax_rate"]) == 23


async def test_rates_inherit_and_updates_recompute(boss, setup):
    product, kind = setup
    variant = await make(boss, "variants", productId=product, name="Rear", taxRate="8")
    ident = await make(
        boss, "prices", variantId=variant, priceKindId=kind, currencyCode="PLN", unitPriceNet="50"
    )
    price = await one(boss, "prices", ident)
    assert price["product_id"] == product and price["variant_id"] == variant
    assert Decimal(price["tax_rate"]) == 8 and Decimal(price["unit_price_gross"]) == Decimal("54.00")

    assert (await boss.put(PRICES, {"id": ident, "taxRate": "23"}))[0] == 200
    price = await one(boss, "prices", ident)
    assert Decimal(price["unit_price_gross"]) == Decimal("61.50") and Decimal(price["tax_amount"]) == Decimal(
        "11.50"
    )
    assert (await boss.put(PRICES, {"id": ident, "unitPriceGross": "24.6"}))[0] == 200
    price = await one(boss, "prices", ident)
    assert Decimal(price["unit_price_net"]) == 20 and Decimal(price["unit_price_gross"]) == Decimal("24.60")

    # GraphQL reads the same exact strings and walks price -> variant -> product.
    reply = await boss.gql(
        "query($id: UUID!) { price(id: $id) { unitPriceNet unitPriceGross taxAmount"
        " variant { name product { title } } } }",
        {"id": ident},
    )
    assert reply["data"]["price"] == {
        "unitPriceNet": "20.0000",
        "unitPriceGross": "24.6000",
        "taxAmount": "4.6000",
        "variant": {"name": "Rear", "product": {"title": "Brake pads"}},
    }


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"unitPriceNet": "-1"}, "unitPriceNet"),
        ({"unitPriceNet": "1.23456"}, "unitPriceNet"),  # more places than the column keeps
        ({"unitPriceNet": "1e400"}, "unitPriceNet"),
        ({"unitPriceNet": "NaN"}, None),
        ({"unitPriceNet": "1", "taxRate": "101"}, "taxRate"),
        ({"unitPriceNet": "1", "currencyCode": "zł"}, "currencyCode"),
        ({}, "unitPriceNet"),  # neither net nor gross
        ({"unitPriceNet": "1", "minQuantity": 5, "maxQuantity": 2}, "maxQuantity"),
        ({"unitPriceNet": "1", "productId": None}, "productId"),  # belongs to nothing
    ],
)
async def test_bad_prices_are_400(boss, setup, body, path):
    product, kind = setup
    status, reply = await boss.post(
        PRICES, {"productId": product, "priceKindId": kind, "currencyCode": "PLN", **body}
    )
    assert status == 400 and reply["error"], reply
    if path:
        assert any(path in d["path"] for d in reply["details"]), reply


async def test_variant_and_offer_must_belong_to_the_product(boss, setup):
    product, kind = setup
    other = await make(boss, "products", title="Chain")
    variant = await make(boss, "variants", productId=other)
    status, reply = await boss.post(
        PRICES,
        {
            "productId": product,
            "variantId": variant,
            "priceKindId": kind,
            "currencyCode": "PLN",
            "unitPriceNet": "1",
        },
    )
    assert status == 400, reply


async def test_price_kind_code_reaches_its_prices_and_guards_deletion(boss, setup):
    product, _ = setup
    kind = await price_kind(boss, "promo", isPromotion=True, displayMode="including-tax")
    ident = await make(
        boss, "prices", productId=product, priceKindId=kind, currencyCode="PLN", unitPriceNet="1"
    )
    assert (await boss.put(f"{API}/price-kinds", {"id": kind, "code": "sale"}))[0] == 200
    assert (await one(boss, "prices", ident))["kind"] == "sale"
    assert (await boss.delete(f"{API}/price-kinds", json={"id": kind}))[0] == 409
    status, reply = await boss.put(f"{API}/price-kinds", {"id": kind, "displayMode": "sideways"})
    assert status == 400, reply
    assert (await boss.delete(PRICES, json={"id": ident}))[0] == 200
    assert (await boss.delete(f"{API}/price-kinds", json={"id": kind}))[0] == 200
