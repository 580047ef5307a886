"""Authentication: turn a bearer JWT, the auth cookie or an API key into a Principal.

Principals are cached per process, keyed by credential, and every request re-validates its cached
principal against ``auth_state.generation``: a counter that triggers (migration 0003) bump in the same
transaction as any change that can revoke or alter a principal: logout and session revocation, user
deletion, role assignment, role and ACL edits, API-key deletion or expiry change, organization changes.
The read is one indexed single-row SELECT, folded into the statement that sets the request's
row-level-security scope whenever that scope has to be set (``crmgraph.db.SET_SCOPE``), so a cached
request costs at most one round trip before the handler runs.

Why this is immediate, also across ``serve --workers N`` processes: the counter is read on every
request, inside PostgreSQL, after the revoking transaction committed (the change and the bump commit
together); a principal is cached with the generation read *before* it was loaded, so anything
committed after that load moves the counter past it. Time-based limits (JWT ``exp``, API-key
``expires_at``) are checked from the cached values on every request.
"""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cachetools import LRUCache
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.config import Settings
from crmgraph.context import Principal
from crmgraph.db import READ_ONLY, SYSTEM, RowScope, auth_generation, scoped_generation
from crmgraph.security import api_key_digest, decode_access_token, verify_api_key
from models.api_keys import ApiKey, ApiKeyRole
from models.auth import RefreshSession, Role, RoleAcl, User, UserAcl, UserRole

API_KEY_PREFIX = "omk_"


def extract_credentials(headers: Mapping[str, str], cookies: Mapping[str, str]) -> tuple[str, str] | None:
    """Return ("jwt"|"api_key", value) from the request, or None."""
    api_key = headers.get("X-Api-Key")
    if api_key:
        return "api_key", api_key.strip()
    authorization = headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    if scheme.lower() == "apikey" and value:
        return "api_key", value
    if scheme.lower() == "bearer" and value:
        return ("api_key", value) if value.startswith(API_KEY_PREFIX) else ("jwt", value)
    cookie = cookies.get("auth_token")
    if cookie:
        return "jwt", cookie
    return None


@dataclass
class RoleGrant:
    """Union of role ACLs; ``platform`` when super admin comes from a global (tenant-less) role."""

    features: list[str]
    super_admin: bool
    organizations: list[str] | None
    platform: bool


@cache
def _roles_query(link: Any, owner: str) -> Any:
    """Built once per link table (statements are per-request hot path): binds owner_id and tenant_id."""
    return (
        select(Role.id, Role.name, Role.tenant_id, RoleAcl)
        .join(link, link.role_id == Role.id)
        .outerjoin(
            RoleAcl,
            (RoleAcl.role_id == Role.id)
            & ((RoleAcl.tenant_id == bindparam("tenant_id")) | RoleAcl.tenant_id.is_(None)),
        )
        .where(getattr(link, owner) == bindparam("owner_id"), Role.deleted_at.is_(None))
        .order_by(Role.name)
    )


USER_QUERY = (
    select(User, RefreshSession.revoked_at, RefreshSession.id, UserAcl)
    .outerjoin(
        RefreshSession,
        (RefreshSession.id == bindparam("session_id")) & (RefreshSession.user_id == User.id),
    )
    .outerjoin(UserAcl, (UserAcl.user_id == User.id) & (UserAcl.tenant_id == User.tenant_id))
    .where(User.id == bindparam("user_id"), User.deleted_at.is_(None))
)


async def roles_with_acl(
    session: AsyncSession, link: Any, owner: str, owner_id: uuid.UUID, tenant_id: uuid.UUID | None
) -> tuple[list[tuple[uuid.UUID, str]], RoleGrant]:
    """Roles linked to a user or key (``link.<owner> == owner_id``) and the union of their ACLs."""
    rows = await session.execute(_roles_query(link, owner), {"owner_id": owner_id, "tenant_id": tenant_id})
    roles: list[tuple[uuid.UUID, str]] = []
    grant = RoleGrant([], False, [], False)
    for role_id, name, role_tenant, acl in rows:
        if (role_id, name) not in roles:
            roles.append((role_id, name))
        if acl is None:
            continue
        grant.features.extend(f for f in acl.features or [] if f not in grant.features)
        grant.super_admin = grant.super_admin or acl.is_super_admin
        grant.platform = grant.platform or (acl.is_super_admin and role_tenant is None)
        if acl.organizations is None or grant.organizations is None:
            grant.organizations = None
        else:
            grant.organizations.extend(acl.organizations)
    return roles, grant


def principal(
    subject: str, owner: Any, roles: list[tuple[uuid.UUID, str]], grant: RoleGrant, **ids: Any
) -> Principal:
    """A Principal for a user or key row (``owner`` gives tenant and organization)."""
    return Principal(
        subject=subject,
        tenant_id=owner.tenant_id,
        org_id=owner.organization_id,
        roles=[name for _, name in roles],
        role_ids=[role_id for role_id, _ in roles],
        features=grant.features,
        is_super_admin=grant.super_admin,
        is_platform_admin=grant.platform,
        organizations=grant.organizations,
        **ids,
    )


async def load_user_principal(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None = None
) -> Principal | None:
    """Two queries: the user with its session state and ACL override, then roles with their ACLs.

    ``session_id=None`` is for trusted internal callers only; tokens always carry one.
    """
    row = (await session.execute(USER_QUERY, {"user_id": user_id, "session_id": session_id})).first()
    if row is None:
        return None
    user, revoked_at, found_session, custom = row
    # A revoked (logged out) or unknown session kills the access tokens minted for it.
    if session_id is not None and (found_session is None or revoked_at is not None):
        return None
    roles, grant = await roles_with_acl(session, UserRole, "user_id", user.id, user.tenant_id)
    if custom is not None:
        # A per-user ACL replaces the role union; it never confers cross-tenant powers.
        grant = RoleGrant(list(custom.features or []), custom.is_super_admin, custom.organizations, False)
    return principal(
        str(user.id), user, roles, grant, user_id=user.id, session_id=session_id, email=user.email
    )


LAST_USED_PRECISION = timedelta(minutes=1)
GENERATION_KEY = "auth_generation"  # RequestContext.cache: the generation this request was validated at


@dataclass
class CachedPrincipal:
    principal: Principal
    generation: int
    expires_at: datetime | None = None  # API keys
    last_used_at: datetime | None = None  # API keys: written at most once a minute


@dataclass
class TokenClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID | None
    expires: float


class AuthCache:
    """Per-process (per session factory) caches: verified JWT claims, principals, organization trees."""

    def __init__(self, size: int = 10_000) -> None:
        self.tokens: LRUCache[str, TokenClaims] = LRUCache(size)
        self.principals: LRUCache[tuple[Any, ...], CachedPrincipal] = LRUCache(size)
        self.trees: LRUCache[Any, tuple[int, dict[uuid.UUID, uuid.UUID | None]]] = LRUCache(size)


_caches: weakref.WeakKeyDictionary[Any, AuthCache] = weakref.WeakKeyDictionary()


def process_cache(sessionmaker: async_sessionmaker[AsyncSession]) -> AuthCache:
    if sessionmaker not in _caches:
        _caches[sessionmaker] = AuthCache()
    return _caches[sessionmaker]


def token_claims(settings: Settings, cache: AuthCache, token: str) -> TokenClaims | None:
    """Verified claims of an access token; the signature is checked once per token and process."""
    claims = cache.tokens.get(token)
    if claims is None:
        decoded = decode_access_token(settings, token)
        if decoded is None:
            return None
        try:
            user_id = uuid.UUID(str(decoded["sub"]))
            sid = uuid.UUID(str(decoded["sid"]))  # required: a token tied to no session is refused
            claims = TokenClaims(user_id, sid, float(decoded["exp"]))
        except (KeyError, ValueError, TypeError):
            return None
        cache.tokens[token] = claims
    return claims if claims.expires > time.time() else None


async def load_api_key(session: AsyncSession, key: str, digest: str) -> ApiKey | None:
    """The live key with this digest; a key minted before digests is verified with argon2 once and
    gets its digest (its argon2 hash is then cleared)."""
    found = await session.scalar(
        select(ApiKey).where(ApiKey.key_digest == digest, ApiKey.deleted_at.is_(None))
    )
    if found is not None:
        return found
    legacy = await session.scalars(
        select(ApiKey).where(
            ApiKey.key_prefix == key[:12], ApiKey.key_digest.is_(None), ApiKey.deleted_at.is_(None)
        )
    )
    for candidate in legacy:
        if verify_api_key(candidate.key_hash, key):
            await session.execute(
                update(ApiKey).where(ApiKey.id == candidate.id).values(key_digest=digest, key_hash=None)
            )
            await session.commit()
            return candidate
    return None


async def load_api_key_principal(session: AsyncSession, key: str, generation: int) -> CachedPrincipal | None:
    api_key = await load_api_key(session, key, api_key_digest(key))
    if api_key is None or _expired(api_key.expires_at):
        return None
    roles, grant = await roles_with_acl(session, ApiKeyRole, "api_key_id", api_key.id, api_key.tenant_id)
    found = principal(f"api_key:{api_key.id}", api_key, roles, grant, api_key_id=api_key.id)
    return CachedPrincipal(found, generation, api_key.expires_at, api_key.last_used_at)


def _expired(expires_at: datetime | None) -> bool:
    return expires_at is not None and expires_at <= datetime.now(UTC)


async def _touch_api_key(sessionmaker: async_sessionmaker[AsyncSession], cached: CachedPrincipal) -> None:
    """lastUsedAt is kept to the minute: at most one write per key, minute and process."""
    now = datetime.now(UTC)
    if cached.last_used_at is not None and now - cached.last_used_at <= LAST_USED_PRECISION:
        return
    cached.last_used_at = now
    async with sessionmaker() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == cached.principal.api_key_id).values(last_used_at=now)
        )
        await session.commit()


def credential_key(settings: Settings, cache: AuthCache, kind: str, value: str) -> tuple[Any, ...] | None:
    """What a credential is cached under: (user, session) of a valid JWT, or the API key's digest."""
    if kind == "api_key":
        return ("api_key", api_key_digest(value))
    claims = token_claims(settings, cache, value)
    return None if claims is None else ("user", claims.user_id, claims.session_id)


async def _load(session: AsyncSession, kind: str, value: str, key: tuple[Any, ...]) -> CachedPrincipal | None:
    """Read the generation first, then the principal: the pair is at least as fresh as the generation."""
    generation = await auth_generation(session)
    if kind == "api_key":
        return await load_api_key_principal(session, value, generation)
    found = await load_user_principal(session, key[1], key[2])
    return None if found is None else CachedPrincipal(found, generation)


async def authenticate(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> Principal | None:
    return (await authenticate_request(settings, sessionmaker, headers, cookies))[0]


async def authenticate_request(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    scope_for: Callable[[Principal], RowScope] | None = None,
) -> tuple[Principal | None, int | None]:
    """The caller's principal and the generation it was validated at (None, None when anonymous).

    ``scope_for`` gives the row scope the request will read with; a cache hit validates on a session
    with that scope, so the request's first query finds its connection already scoped.
    """
    credentials = extract_credentials(headers, cookies)
    if credentials is None:
        return None, None
    kind, value = credentials
    cache = process_cache(sessionmaker)
    key = credential_key(settings, cache, kind, value)
    if key is None:
        return None, None
    cached = cache.principals.get(key)
    if cached is not None and not _expired(cached.expires_at):
        scope = scope_for(cached.principal) if scope_for else SYSTEM
        generation = await scoped_generation(sessionmaker.kw["bind"], scope)
        if generation == cached.generation:
            if cached.principal.api_key_id is not None:
                await _touch_api_key(sessionmaker, cached)
            return cached.principal, generation
    async with sessionmaker(info={READ_ONLY: True}) as session:
        loaded = await _load(session, kind, value, key)
    if loaded is None:
        cache.principals.pop(key, None)
        return None, None
    cache.principals[key] = loaded
    if loaded.principal.api_key_id is not None:
        await _touch_api_key(sessionmaker, loaded)
    return loaded.principal, loaded.generation
