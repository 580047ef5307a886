"""Exact minor units and Stripe-Signature verification, without the app (pure functions)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crmgraph.errors import ValidationFailed
from resolvers.payment_gateways.money import checked_amount, from_minor, to_minor
from resolvers.payment_gateways.providers.base import WebhookRejected
from resolvers.payment_gateways.providers.stripe import InvalidSignature, sign, verify

BODY = b'{"id": "evt_1", "type": "payment_intent.succeeded"}'


def test_minor_units_are_exact():
    assert to_minor(Decimal("0.29"), "EUR") == 29  # 0.29 * 100 in floats is 28.999999999999996
    assert to_minor(Decimal("12345678901234.57"), "EUR") == 1234567890123457
    assert to_minor(Decimal("500"), "JPY") == 500
    assert from_minor(1999, "EUR") == Decimal("19.99") and from_minor(1999, "JPY") == Decimal("1999.00")
    with pytest.raises(ValidationFailed):
        checked_amount(Decimal("10.5"), "JPY")
    with pytest.raises(ValidationFailed):
        checked_amount(Decimal("0"), "EUR")


def test_signature_rotation_and_tolerance():
    now = 1_800_000_000
    header = sign("whsec_new", BODY, now)
    verify("whsec_new", BODY, header, 300, now=now + 300)
    rotated = f"{header},v1={sign('whsec_old', BODY, now).split('v1=')[1]}"
    verify("whsec_old", BODY, rotated, 300, now=now)  # either secret's signature is accepted
    with pytest.raises(InvalidSignature):
        verify("whsec_new", BODY, header, 300, now=now + 301)
    with pytest.raises(InvalidSignature):
        verify("whsec_new", BODY + b" ", header, 300, now=now)
    for malformed in ("", "t=abc,v1=00", "v1=00", f"t={now}"):
        with pytest.raises(WebhookRejected):
            verify("whsec_new", BODY, malformed, 300, now=now)
