"""Authentication: turn a bearer JWT, the auth cookie or an API key into a Principal."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.config import Settings
from crmgraph.context import Principal
from crmgraph.security import decode_access_token, verify_api_key
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


async def load_api_key_principal(session: AsyncSession, key: str) -> Principal | None:
    candidates = (
        await session.execute(
            select(ApiKey).where(ApiKey.key_prefix == key[:12], ApiKey.deleted_at.is_(None))
        )
    ).scalars()
    now = datetime.now(UTC)
    for api_key in candidates:
        if api_key.expires_at is not None and api_key.expires_at <= now:
            continue
        if not verify_api_key(api_key.key_hash, key):
            continue
        roles, grant = await roles_with_acl(session, ApiKeyRole, "api_key_id", api_key.id, api_key.tenant_id)
        # lastUsedAt is kept to the minute: no write on every request.
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_PRECISION:
            await session.execute(update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now))
            await session.commit()
        return principal(f"api_key:{api_key.id}", api_key, roles, grant, api_key_id=api_key.id)
    return None


async def authenticate(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> Principal | None:
    credentials = extract_credentials(headers, cookies)
    if credentials is None:
        return None
    kind, value = credentials
    async with sessionmaker() as session:
        if kind == "api_key":
            return await load_api_key_principal(session, value)
        claims = decode_access_token(settings, value)
        if claims is None:
            return None
        try:
            user_id = uuid.UUID(str(claims["sub"]))
            sid = uuid.UUID(str(claims["sid"]))  # required: a token tied to no session is refused
        except (KeyError, ValueError):
            return None
        return await load_user_principal(session, user_id, sid)
