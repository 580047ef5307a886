"""Password hashing (argon2), JWT access tokens (joserfc, authlib's JOSE layer) and opaque tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from crmgraph.config import Settings


def _password_hasher() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106 low-memory profile). ``PASSWORD_HASH_PROFILE=fast``
    is for test suites only: every test user costs ~5 ms instead of ~150 ms on two cores."""
    if os.environ.get("PASSWORD_HASH_PROFILE") == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    return PasswordHasher()


_hasher = _password_hasher()
# A cheaper profile for API keys: they are high-entropy, so the hash only has to resist offline reversal.
_key_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)

STAFF_AUDIENCE = "staff"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not an account exists: a missing hash is checked against a dummy
    one, so timing does not tell which emails are registered."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def api_key_digest(key: str) -> str:
    """What API keys are stored and looked up by: SHA-256 of the key.

    A key carries 192 random bits, so neither a slow hash nor a pepper adds anything against guessing
    or against a leaked table, and an indexed digest turns authentication into one lookup instead of
    an argon2 verification per request.
    """
    return hashlib.sha256(key.encode()).hexdigest()


def hash_api_key(key: str) -> str:
    """argon2 hash as stored before key digests (kept for tests of the legacy upgrade path)."""
    return _key_hasher.hash(key)


def verify_api_key(key_hash: str | None, key: str) -> bool:
    """Verify a key against a legacy argon2 hash (done once per key, then the digest is stored)."""
    if not key_hash:
        return False
    try:
        return _key_hasher.verify(key_hash, key)
    except (VerificationError, InvalidHashError):
        return False


def opaque_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Deterministic digest for looking up high-entropy tokens (refresh, reset)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _secret(settings: Settings) -> bytes:
    """The signing secret; an empty one is never used (see ``crmgraph.installation``)."""
    if not settings.jwt_secret:
        raise RuntimeError("no signing secret configured")
    return settings.jwt_secret.encode()


def _audience_key(settings: Settings, audience: str) -> OctKey:
    # One key per audience: a token minted for another audience can never verify as staff.
    derived = hmac.new(_secret(settings), f"aud:{audience}".encode(), hashlib.sha256).digest()
    return OctKey.import_key(derived)


def issue_access_token(settings: Settings, claims: dict[str, Any], audience: str = STAFF_AUDIENCE) -> str:
    now = int(time.time())
    payload = {
        **claims,
        "iat": now,
        "exp": now + settings.access_token_ttl,
        "iss": settings.jwt_issuer,
        "aud": audience,
    }
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, payload, _audience_key(settings, audience))


def decode_access_token(
    settings: Settings, token: str, audience: str = STAFF_AUDIENCE
) -> dict[str, Any] | None:
    """Return the verified claims, or None for any invalid, expired or foreign token."""
    try:
        decoded = jwt.decode(token, _audience_key(settings, audience), algorithms=["HS256"])
        registry = JWTClaimsRegistry(
            iss={"essential": True, "value": settings.jwt_issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
            sid={"essential": True},
        )
        registry.validate(decoded.claims)
    except (JoseError, ValueError, TypeError):
        return None
    return dict(decoded.claims)


def new_api_key() -> str:
    return f"omk_{secrets.token_hex(4)}.{secrets.token_hex(24)}"


def consent_digest(settings: Settings, *parts: object) -> str:
    message = "|".join(str(p) for p in parts).encode()
    return hmac.new(_secret(settings), message, hashlib.sha256).hexdigest()
