"""Exact amounts: ``Decimal`` in the API and the database, integer minor units on providers' wires.

A currency's exponent is its number of minor-unit places (ISO 4217): 0 for JPY and a few others, 2
for the rest this module accepts (amounts are ``NUMERIC(18, 2)``; three-place currencies are refused).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import Field as PydanticField

from crmgraph.errors import ValidationFailed, issue
from resolvers.money import iso_minor_units

CODE = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("9999999999999999.99")  # NUMERIC(18, 2)
# An amount in an input: exact, positive, within the column (the currency's places are checked later).
Amount = Annotated[Decimal, PydanticField(gt=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def currency(raw: str | None, path: str = "currencyCode") -> str:
    code = (raw or "").strip().upper()
    if not CODE.match(code):
        raise fail(path, "Currency code must be a three-letter ISO code (e.g., EUR)", "invalid_string")
    if exponent(code) > 2:
        raise fail(path, f"{code} is not supported (more than two decimal places)", "invalid_enum_value")
    return code


def exponent(code: str) -> int:
    return iso_minor_units(code)


def checked_amount(value: Decimal | None, code: str, path: str = "amount") -> Decimal:
    """A positive amount within the column and with no more places than the currency has."""
    if value is None or not value.is_finite() or value <= 0:
        raise fail(path, "Amount must be greater than zero", "too_small")
    if value > MAX_AMOUNT:
        raise fail(path, "Amount is too large", "too_big")
    places = exponent(code)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise fail(path, f"{code} amounts have at most {places} decimal places", "invalid_precision")
    return value.quantize(Decimal("0.01"))


def to_minor(value: Decimal, code: str) -> int:
    """Integer minor units (12.34 EUR -> 1234, 500 JPY -> 500); exact, never through floats."""
    return int(value.scaleb(exponent(code)))


def from_minor(units: int, code: str) -> Decimal:
    return (Decimal(units).scaleb(-exponent(code))).quantize(Decimal("0.01"))
