"""Document totals: one pure calculation (``compute``) and the one function every write path calls
to apply it to a quote or an order (``recalculate``).

Rules (``Decimal`` throughout, rounded half-up to the currency's minor units):

- a line's unit prices: the net one given (gross = net × (1 + rate)), or only the gross one
  (``unit_price_reference = "gross"``: net = gross ÷ (1 + rate));
- line net = round(quantity × unit net − discount amount − percent of quantity × unit net);
  tax = round(line net × rate); gross = net + tax;
- an adjustment is a percentage (``rate``) of its base (the line's, or the lines' net and gross
  subtotals) or fixed amounts (gross defaults to net); ``discount`` kinds subtract, ``shipping``
  kinds go to the shipping totals, anything else is a surcharge;
- grand totals = subtotals − discounts + surcharges + shipping; tax total = grand gross − grand net;
  outstanding = grand gross − paid + refunded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from resolvers.money import iso_minor_units, rounder

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DISCOUNT_KINDS = frozenset({"discount", "promotion", "coupon"})
SHIPPING_KINDS = frozenset({"shipping"})


def minor_units(currency: str | None, known: dict[str, int] | None = None) -> int:
    """The currency's places: the organization's currencies table (``known``), else ISO 4217."""
    code = (currency or "").upper()
    if known and code in known:
        return known[code]
    return iso_minor_units(code)


@dataclass
class LineIn:
    quantity: Decimal
    unit_price_net: Decimal | None = None
    unit_price_gross: Decimal | None = None
    tax_rate: Decimal = ZERO
    discount_amount: Decimal = ZERO
    discount_percent: Decimal = ZERO
    reference: str = "net"  # which unit price is authoritative
    key: Any = None


@dataclass
class LineOut:
    unit_price_net: Decimal
    unit_price_gross: Decimal
    discount_total: Decimal
    tax_amount: Decimal
    total_net_amount: Decimal
    total_gross_amount: Decimal


@dataclass
class AdjustmentIn:
    kind: str = "discount"
    rate: Decimal | None = None
    amount_net: Decimal | None = None
    amount_gross: Decimal | None = None
    line_key: Any = None  # None: the whole document
    key: Any = None


@dataclass
class Totals:
    lines: list[LineOut] = field(default_factory=list)
    adjustments: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (net, gross) each
    line_item_count: int = 0
    subtotal_net_amount: Decimal = ZERO
    subtotal_gross_amount: Decimal = ZERO
    discount_total_amount: Decimal = ZERO
    tax_total_amount: Decimal = ZERO
    shipping_net_amount: Decimal = ZERO
    shipping_gross_amount: Decimal = ZERO
    surcharge_total_amount: Decimal = ZERO
    grand_total_net_amount: Decimal = ZERO
    grand_total_gross_amount: Decimal = ZERO
    paid_total_amount: Decimal = ZERO
    refunded_total_amount: Decimal = ZERO
    outstanding_amount: Decimal = ZERO

    def document_values(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k not in ("lines", "adjustments")}


def compute_line(line: LineIn, round_: Any) -> LineOut:
    factor = 1 + line.tax_rate / HUNDRED
    if line.reference == "gross" and line.unit_price_gross is not None:
        gross_unit = line.unit_price_gross
        net_unit = gross_unit / factor
    else:
        net_unit = line.unit_price_net if line.unit_price_net is not None else ZERO
        gross_unit = net_unit * factor
    base = line.quantity * net_unit
    discount = round_(line.discount_amount + base * line.discount_percent / HUNDRED)
    net = round_(base) - discount
    tax = round_(net * line.tax_rate / HUNDRED)
    return LineOut(round_(net_unit), round_(gross_unit), discount, tax, net, net + tax)


def compute(
    lines: Sequence[LineIn],
    adjustments: Iterable[AdjustmentIn] = (),
    *,
    places: int = 2,
    paid: Decimal = ZERO,
    refunded: Decimal = ZERO,
) -> Totals:
    """Every line's amounts, every adjustment's amounts and the document totals."""
    round_ = rounder(places)
    out = Totals(line_item_count=len(lines))
    by_key: dict[Any, LineOut] = {}
    for line in lines:
        result = compute_line(line, round_)
        out.lines.append(result)
        by_key[line.key] = result
        out.subtotal_net_amount += result.total_net_amount
        out.subtotal_gross_amount += result.total_gross_amount
        out.discount_total_amount += result.discount_total
    net, gross = out.subtotal_net_amount, out.subtotal_gross_amount
    for adj in adjustments:
        base = by_key.get(adj.line_key) if adj.line_key is not None else None
        base_net = base.total_net_amount if base else out.subtotal_net_amount
        base_gross = base.total_gross_amount if base else out.subtotal_gross_amount
        if adj.rate is not None and adj.amount_net is None and adj.amount_gross is None:
            a_net, a_gross = round_(base_net * adj.rate / HUNDRED), round_(base_gross * adj.rate / HUNDRED)
        else:
            a_net = round_(adj.amount_net if adj.amount_net is not None else adj.amount_gross or ZERO)
            a_gross = round_(adj.amount_gross) if adj.amount_gross is not None else a_net
        out.adjustments.append((a_net, a_gross))
        if adj.kind in DISCOUNT_KINDS:
            out.discount_total_amount += a_net
            net, gross = net - a_net, gross - a_gross
        elif adj.kind in SHIPPING_KINDS:
            out.shipping_net_amount += a_net
            out.shipping_gross_amount += a_gross
            net, gross = net + a_net, gross + a_gross
        else:
            out.surcharge_total_amount += a_net
            net, gross = net + a_net, gross + a_gross
    out.grand_total_net_amount, out.grand_total_gross_amount = net, gross
    out.tax_total_amount = gross - net
    out.paid_total_amount, out.refunded_total_amount = paid, refunded
    out.outstanding_amount = gross - paid + refunded
    return out
