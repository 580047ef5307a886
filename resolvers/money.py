"""Money arithmetic shared by the commerce modules: ISO 4217 minor units and half-up rounding, in
``Decimal`` only (amounts never pass through floats)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

# Currencies whose minor units are not 2 (ISO 4217); every other code has 2.
ISO_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF"), 0),
    **dict.fromkeys(("UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


def iso_minor_units(code: str | None) -> int:
    """Decimal places of a currency's minor unit (2 when ISO gives no other)."""
    return ISO_MINOR_UNITS.get((code or "").upper(), 2)


def quantum(places: int) -> Decimal:
    """``Decimal('0.01')`` for 2 places, ``Decimal('1')`` for 0."""
    return Decimal(1).scaleb(-places)


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(quantum(places), rounding=ROUND_HALF_UP)


def rounder(places: int) -> Callable[[Decimal], Decimal]:
    """A half-up rounding to ``places`` decimals, for applying many times."""
    step = quantum(places)
    return lambda value: value.quantize(step, rounding=ROUND_HALF_UP)
