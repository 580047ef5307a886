"""Secrets at rest (webhook signing secrets, encrypted custom fields): Fernet (AES-128-CBC + HMAC-SHA256)
from ``cryptography``, keyed by the installation's data key (``crmgraph.installation``) or
``DATA_ENCRYPTION_KEY``. Several comma-separated keys rotate: the first encrypts, any decrypts.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from crmgraph.config import Settings


class UndecryptableSecret(RuntimeError):
    """A stored value no configured key decrypts (a key was dropped, or the value is not ours)."""


@cache
def _cipher(data_key: str) -> MultiFernet:
    if not data_key:
        raise RuntimeError("no data key: settings must come from with_installation_secret()")
    keys = [key.strip() for key in data_key.split(",") if key.strip()]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(k.encode()).digest())) for k in keys])


def encrypt(settings: Settings, plaintext: str) -> str:
    return _cipher(settings.data_key).encrypt(plaintext.encode()).decode()


def decrypt(settings: Settings, token: str) -> str:
    try:
        return _cipher(settings.data_key).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(
            "a stored secret cannot be decrypted with the configured data keys"
        ) from None


def reencrypt(settings: Settings, token: str) -> str:
    """The value under the first (current) key, for a key rotation sweep."""
    return _cipher(settings.data_key).rotate(token.encode()).decode()
