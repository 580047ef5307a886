"""Totals against a hand-computed table (pure calculation), and the same numbers through the API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from resolvers.sales.totals import AdjustmentIn, LineIn, compute

# Each case: lines, adjustments, minor units, and the expected
# (subtotal net, subtotal gross, discount total, tax total, grand net, grand gross).
CASES = [
    pytest.param(
        [LineIn(D("2"), D("100.00"), tax_rate=D("23")), LineIn(D("1"), D("50.00"), tax_rate=D("8"))],
        [],
        2,
        ("250.00", "300.00", "0.00", "50.00", "250.00", "300.00"),
        id="mixed tax rates",
    ),
    pytest.param(
        [LineIn(D("3"), D("19.99"), tax_rate=D("23"), discount_percent=D("10"))],
        [],
        2,
        # base 59.97, discount 5.997 -> 6.00, net 53.97, tax 12.4131 -> 12.41
        ("53.97", "66.38", "6.00", "12.41", "53.97", "66.38"),
        id="percent line discount, half-up",
    ),
    pytest.param(
        [LineIn(D("1"), D("200.00"), tax_rate=D("23"))],
        [
            AdjustmentIn("discount", rate=D("10")),
            AdjustmentIn("shipping", amount_net=D("20"), amount_gross=D("24.60")),
        ],
        2,
        # discount 20.00 net / 24.60 gross; shipping +20 / +24.60
        ("200.00", "246.00", "20.00", "46.00", "200.00", "246.00"),
        id="percentage discount and fixed shipping",
    ),
    pytest.param(
        [LineIn(D("1"), D("10.005"), tax_rate=D("0")), LineIn(D("1"), D("0.125"), tax_rate=D("0"))],
        [AdjustmentIn("surcharge", amount_net=D("1.005"))],
        2,
        # 10.005 -> 10.01, 0.125 -> 0.13 (half-up, not banker's), surcharge 1.005 -> 1.01
        ("10.14", "10.14", "0.00", "0.00", "11.15", "11.15"),
        id="half-up rounding",
    ),
    pytest.param(
        [LineIn(D("3"), D("333.5"), tax_rate=D("10"))],
        [AdjustmentIn("discount", amount_net=D("0.5"))],
        0,
        # JPY-like: 1000.5 -> 1001, tax 100.1 -> 100, discount 0.5 -> 1
        ("1001", "1101", "1", "100", "1000", "1100"),
        id="zero minor units",
    ),
    pytest.param(
        [LineIn(D("1"), unit_price_gross=D("123.00"), tax_rate=D("23"), reference="gross", key="a")],
        [AdjustmentIn("discount", rate=D("50"), line_key="a")],
        2,
        ("100.00", "123.00", "50.00", "11.50", "50.00", "61.50"),
        id="gross price and line-scoped percentage",
    ),
]


@pytest.mark.parametrize(("lines", "adjustments", "places", "expected"), CASES)
def test_totals_match_the_hand_computed_table(lines, adjustments, places, expected):
    totals = compute(lines, adjustments, places=places)
    got = (
        totals.subtotal_net_amount,
        totals.subtotal_gross_amount,
        totals.discount_total_amount,
        totals.tax_total_amount,
        totals.grand_total_net_amount,
        totals.grand_total_gross_amount,
    )
    assert got == tuple(D(v) for v in expected)
    assert all(isinstance(v, D) for v in got)


async def test_api_recalculates_on_every_line_adjustment_and_payment_change(sales):
    order = await sales.order()
    line = await sales.line("order", order, unitPriceNet="100.00", quantity="2", taxRate="23")
    await sales.line("order", order, unitPriceNet="50.00", taxRate="8")
    doc = await sales.one("orders", order)
    assert (doc["subtotalNetAmount"], doc["grandTotalGrossAmount"]) == ("250.0000", "300.0000")
    assert doc["lineItemCount"] == 2
    adj = await sales.adjustment("order", order, kind="discount", rate="10")
    doc = await sales.one("orders", order)
    assert (doc["grandTotalNetAmount"], doc["grandTotalGrossAmount"]) == ("225.0000", "270.0000")
    status, reply = await sales.api.put("/api/sales/order-lines", {"id": line, "quantity": "1"})
    assert status == 200 and reply == {"id": line, "orderId": order}
    doc = await sales.one("orders", order)
    assert doc["grandTotalGrossAmount"] == "159.3000"  # gross 123 + 54 = 177, less 10 % (17.70)
    status, _ = await sales.api.delete("/api/sales/order-adjustments", json={"id": adj, "orderId": order})
    assert status == 200
    payment = await sales.create("payments", {"orderId": order, "amount": "100", "currencyCode": "PLN"})
    assert payment["orderTotals"]["outstandingAmount"] == "77.0000"
    status, body = await sales.api.delete("/api/sales/payments", json={"id": payment["id"]})
    assert status == 200 and body["orderTotals"]["outstandingAmount"] == "177.0000"
    status, body = await sales.api.post(
        "/api/sales/order-lines", {"orderId": order, "quantity": "1", "currencyCode": "EUR"}
    )
    assert status == 400, body
    history = await sales.api.get(f"/api/sales/document-history?kind=order&id={order}")
    assert history[0] == 200
    assert len([h for h in history[1]["items"] if h["kind"] == "lines"]) == 3
