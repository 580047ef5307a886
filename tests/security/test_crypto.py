"""Secrets at rest: encrypted under the installation's data key, rotated by prepending a new key."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crmgraph.crypto import UndecryptableSecret, decrypt, encrypt, reencrypt

OLD = "o" * 40
NEW = "n" * 40


def test_round_trip_and_the_ciphertext_does_not_carry_the_secret(settings):
    assert settings.data_key, "the test settings come from with_installation_secret()"
    token = encrypt(settings, "whsec_plain-secret")
    assert "plain-secret" not in token
    assert decrypt(settings, token) == "whsec_plain-secret"


def test_rotation_keeps_old_values_readable_and_reencrypts_them_under_the_new_key(settings):
    old = replace(settings, data_key=OLD)
    rotated = replace(settings, data_key=f"{NEW},{OLD}")
    token = encrypt(old, "s3cret")
    assert decrypt(rotated, token) == "s3cret"
    moved = reencrypt(rotated, token)
    assert decrypt(replace(settings, data_key=NEW), moved) == "s3cret"
    with pytest.raises(UndecryptableSecret):
        decrypt(replace(settings, data_key=NEW), token)
