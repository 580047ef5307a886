"""The VAT arithmetic against hand-computed invoices: net, VAT and gross per line and per rate,
rounded half-up to 0.01, VAT per rate computed on the rate's net total."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crmgraph.errors import ValidationFailed
from resolvers.accounting.vat import compute, invoice_amounts, parse_lines


def line(qty: str, price: str, rate: str) -> dict[str, str]:
    return {"name": "x", "quantity": qty, "unitNetPrice": price, "vatRate": rate}


# lines -> (per line: net, vat, gross), (per rate: rate, net, vat, gross), totals (net, vat, gross)
CASES = [
    pytest.param(
        [line("3", "33.33", "23")],
        [("99.99", "23.00", "122.99")],  # 99.99 × 0.23 = 22.9977
        [("23", "99.99", "23.00", "122.99")],
        ("99.99", "23.00", "122.99"),
        id="one line",
    ),
    pytest.param(
        [line("1", "0.50", "5")],
        [("0.50", "0.03", "0.53")],  # 0.025 rounds half-up (half-even would give 0.02)
        [("5", "0.50", "0.03", "0.53")],
        ("0.50", "0.03", "0.53"),
        id="half up",
    ),
    pytest.param(
        [line("1", "0.10", "8")] * 3,
        [("0.10", "0.01", "0.11")] * 3,  # 0.008 -> 0.01 per line...
        [("8", "0.30", "0.02", "0.32")],  # ...but the rate's VAT is 0.30 × 0.08 = 0.024 -> 0.02
        ("0.30", "0.02", "0.32"),
        id="vat per rate not summed per line",
    ),
    pytest.param(
        [
            line("1.5", "10.01", "23"),
            line("2", "19.99", "8"),
            line("1", "100", "zw"),
            line("4.5", "42.99", "23"),
        ],
        [
            ("15.02", "3.45", "18.47"),  # 15.015 -> 15.02; 3.4546 -> 3.45
            ("39.98", "3.20", "43.18"),  # 3.1984 -> 3.20
            ("100.00", "0.00", "100.00"),
            ("193.46", "44.50", "237.96"),  # 193.455 -> 193.46; 44.4958 -> 44.50
        ],
        [
            ("23", "208.48", "47.95", "256.43"),  # 47.9504 -> 47.95
            ("8", "39.98", "3.20", "43.18"),
            ("zw", "100.00", "0.00", "100.00"),
        ],
        ("348.46", "51.15", "399.61"),
        id="three rates and an exemption",
    ),
    pytest.param(
        [line("1", "200", "23"), line("-1", "50", "23")],
        [("200.00", "46.00", "246.00"), ("-50.00", "-11.50", "-61.50")],
        [("23", "150.00", "34.50", "184.50")],
        ("150.00", "34.50", "184.50"),
        id="a correcting line",
    ),
]


@pytest.mark.parametrize(("lines", "per_line", "per_rate", "totals"), CASES)
def test_vat_breakdown(lines, per_line, per_rate, totals):
    result = compute(parse_lines(lines))
    got_lines = [(str(r["netAmount"]), str(r["vatAmount"]), str(r["grossAmount"])) for r in result["lines"]]
    assert got_lines == per_line
    rates = [
        (r["vatRate"], str(r["netAmount"]), str(r["vatAmount"]), str(r["grossAmount"]))
        for r in result["breakdown"]
    ]
    assert rates == per_rate
    t = result["totals"]
    assert (str(t["netAmount"]), str(t["vatAmount"]), str(t["grossAmount"])) == totals
    assert all(isinstance(v, Decimal) for r in result["breakdown"] for k, v in r.items() if k != "vatRate")


def test_stored_amounts_are_exact_strings():
    stored = invoice_amounts([line("3", "33.33", "23%")])
    assert stored["line_items"][0]["vatRate"] == "23"
    assert stored["vat_breakdown"] == [
        {"vatRate": "23", "netAmount": "99.99", "vatAmount": "23.00", "grossAmount": "122.99"}
    ]
    assert stored["total_amount"] == Decimal("122.99")


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        ({"unitNetPrice": "1", "vatRate": "24.999"}, ["lineItems", "0", "vatRate"]),
        ({"unitNetPrice": "1", "vatRate": "101"}, ["lineItems", "0", "vatRate"]),
        ({"unitNetPrice": "1", "vatRate": "xx"}, ["lineItems", "0", "vatRate"]),
        ({"unitNetPrice": "1", "quantity": "0"}, ["lineItems", "0", "quantity"]),
        ({"unitNetPrice": "NaN"}, ["lineItems", "0", "unitNetPrice"]),
        ({"unitNetPrice": "1.00001"}, ["lineItems", "0", "unitNetPrice"]),
        ({"vatRate": "23"}, ["lineItems", "0", "unitNetPrice"]),
    ],
)
def test_bad_lines_name_the_field(bad, path):
    with pytest.raises(ValidationFailed) as caught:
        parse_lines([bad])
    assert caught.value.extra["details"][0]["path"] == path


def test_amounts_beyond_the_columns_are_refused():
    with pytest.raises(ValidationFailed):
        invoice_amounts([line("9999999999", "9999999999", "23")])
