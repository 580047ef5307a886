"""Encrypted custom field values: a stored value is ``{"__encrypted__": <Fernet token>}``, the token
of ``[tenant id, field key, value]`` under the installation's data key (``crmgraph.crypto``), so a
token copied into another tenant's row does not decrypt there. A hash field keeps a keyed digest
(HMAC-SHA256) of the value for equality filters; digests are made under every configured data key
so that filters keep matching across a key rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from crmgraph.config import Settings
from crmgraph.crypto import UndecryptableSecret, decrypt, encrypt

log = logging.getLogger("crmgraph.entities")

MARKER = "__encrypted__"
HASH_CONTEXT = b"crmgraph custom field digest"


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(MARKER), str)


def seal(settings: Settings, tenant_id: Any, key: str, value: Any) -> dict[str, str]:
    if is_sealed(value):
        return value
    plaintext = json.dumps([str(tenant_id), key, value], separators=(",", ":"))
    return {MARKER: encrypt(settings, plaintext)}


def unseal(settings: Settings, tenant_id: Any, key: str, value: Any) -> Any:
    """The plaintext of a sealed value (None when it is not ours: another tenant's or key's token,
    or one no configured data key decrypts); other values as they are."""
    if not is_sealed(value):
        return value
    try:
        owner, sealed_key, plain = json.loads(decrypt(settings, value[MARKER]))
    except (UndecryptableSecret, ValueError, TypeError):
        log.warning("an encrypted custom field value (%s) could not be decrypted", key)
        return None
    if owner != str(tenant_id) or sealed_key != key:
        log.warning("an encrypted custom field value (%s) belongs to another tenant or field", key)
        return None
    return plain


def unseal_all(settings: Settings, tenant_id: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: unseal(settings, tenant_id, k, v) for k, v in values.items()}


def digests(settings: Settings, tenant_id: Any, key: str, value: Any) -> list[str]:
    """The digest of ``value`` under each data key (the first is the one stored)."""
    message = json.dumps([str(tenant_id), key, value], separators=(",", ":"), sort_keys=True).encode()
    found = []
    for data_key in (k.strip() for k in settings.data_key.split(",") if k.strip()):
        secret = hmac.new(data_key.encode(), HASH_CONTEXT, hashlib.sha256).digest()
        found.append(hmac.new(secret, message, hashlib.sha256).hexdigest())
    return found
