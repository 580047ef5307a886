"""Invoice arithmetic in ``Decimal``: net, VAT and gross per line and per VAT rate.

A line's net is quantity × unit net price; its VAT is net × rate. A rate's net is the sum of its
lines' nets and its VAT is computed once on that sum (the Polish rule, art. 106e: VAT per rate, not
summed per line), so the lines' VATs may differ from their rate's by rounding. Everything is rounded
half-up to 0.01. Exemption codes (``zw`` exempt, ``np`` not subject, ``oo`` reverse charge) carry no
VAT and have their own rows in the breakdown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField

from crmgraph.errors import ValidationFailed, issue
from resolvers.money import round_half_up
from resolvers.validation import text

HUNDRED = Decimal(100)
EXEMPT = ("zw", "np", "oo")
MAX_TOTAL = Decimal("999999999999.99")  # NUMERIC(14, 2)
MAX_LINES = 500

Quantity = Annotated[Decimal, PydanticField(allow_inf_nan=False, max_digits=14, decimal_places=4)]
Price = Annotated[Decimal, PydanticField(allow_inf_nan=False, max_digits=14, decimal_places=4)]


def cents(value: Decimal) -> Decimal:
    return round_half_up(value, 2)


def rate_value(code: str) -> Decimal:
    """The percentage of a rate code (0 for the exemption codes)."""
    return Decimal(0) if code in EXEMPT else Decimal(code)


class LineItemInput(BaseModel):
    """One invoice line: ``quantity`` × ``unitNetPrice`` at ``vatRate`` (a percentage such as
    ``"23"`` or ``"8"``, or ``zw``/``np``/``oo``)."""

    model_config = ConfigDict(extra="ignore")
    name: text(500) | None = None
    description: text(2000) | None = None
    quantity: Quantity = Decimal(1)
    unit: text(20) | None = None
    unitNetPrice: Price
    vatRate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=6)] = "23"

    @field_validator("vatRate", mode="before")
    @classmethod
    def _rate_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else value

    @field_validator("vatRate")
    @classmethod
    def _known_rate(cls, value: str) -> str:
        code = value.lower().rstrip("%")
        if code in EXEMPT:
            return code
        try:
            rate = Decimal(code)
        except ArithmeticError:
            raise ValueError("A percentage (e.g. 23, 8, 5, 0) or zw, np, oo") from None
        if not rate.is_finite() or not Decimal(0) <= rate <= HUNDRED or rate.as_tuple().exponent < -2:
            raise ValueError("A percentage between 0 and 100 (at most 2 places) or zw, np, oo")
        return format(rate.normalize(), "f")

    @field_validator("quantity")
    @classmethod
    def _non_zero(cls, value: Decimal) -> Decimal:
        if value == 0:
            raise ValueError("Quantity must not be zero")
        return value


def line_amounts(line: LineItemInput) -> dict[str, Decimal]:
    net = cents(line.quantity * line.unitNetPrice)
    vat = cents(net * rate_value(line.vatRate) / HUNDRED)
    return {"netAmount": net, "vatAmount": vat, "grossAmount": net + vat}


def _rate_order(code: str) -> tuple[int, Decimal, str]:
    return (1, Decimal(0), code) if code in EXEMPT else (0, -Decimal(code), code)


def compute(lines: list[LineItemInput]) -> dict[str, Any]:
    """Lines with their amounts, the breakdown per rate (highest rate first) and the totals."""
    rows, nets = [], {}
    for line in lines:
        amounts = line_amounts(line)
        rows.append({**line.model_dump(exclude_none=True), **amounts})
        nets[line.vatRate] = nets.get(line.vatRate, Decimal(0)) + amounts["netAmount"]
    breakdown = []
    for code in sorted(nets, key=_rate_order):
        net = nets[code]
        vat = cents(net * rate_value(code) / HUNDRED)
        breakdown.append({"vatRate": code, "netAmount": net, "vatAmount": vat, "grossAmount": net + vat})
    totals = {
        key: sum((row[key] for row in breakdown), Decimal("0.00"))
        for key in ("netAmount", "vatAmount", "grossAmount")
    }
    return {"lines": rows, "breakdown": breakdown, "totals": totals}


def as_json(value: Any) -> Any:
    """Decimals as strings (exact), recursively: how lines and the breakdown are stored and read."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def parse_lines(raw: Any) -> list[LineItemInput]:
    """Validated line items (400 naming ``lineItems.<i>.<field>``)."""
    from pydantic import ValidationError

    if not isinstance(raw, list):
        raise ValidationFailed([issue("lineItems", "Expected a list of line items", "invalid_type")])
    if len(raw) > MAX_LINES:
        raise ValidationFailed([issue("lineItems", f"At most {MAX_LINES} line items", "too_big")])
    lines, problems = [], []
    for index, item in enumerate(raw):
        try:
            lines.append(LineItemInput.model_validate(item))
        except ValidationError as exc:
            problems += [
                issue(["lineItems", str(index), *(str(p) for p in err["loc"])], err["msg"], err["type"])
                for err in exc.errors(include_url=False)
            ]
    if problems:
        raise ValidationFailed(problems)
    return lines


def invoice_amounts(raw: Any) -> dict[str, Any]:
    """Column values of an invoice from its raw line items: lines, breakdown and totals."""
    result = compute(parse_lines(raw))
    rows = [*result["lines"], *result["breakdown"], result["totals"]]
    if any(abs(v) > MAX_TOTAL for row in rows for v in row.values() if isinstance(v, Decimal)):
        raise ValidationFailed([issue("lineItems", "Amounts are too large", "too_big")])
    totals = result["totals"]
    return {
        "line_items": as_json(result["lines"]),
        "vat_breakdown": as_json(result["breakdown"]),
        "net_amount": totals["netAmount"],
        "vat_amount": totals["vatAmount"],
        "total_amount": totals["grossAmount"],
    }
