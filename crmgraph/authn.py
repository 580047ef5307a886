"""Authentication: turn a bearer JWT, the auth cookie or an API key into a Principal."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
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


async def role_acl(
    session: AsyncSession, role_ids: list[uuid.UUID], tenant_id: uuid.UUID | None
) -> RoleGrant:
    if not role_ids:
        return RoleGrant([], False, [], False)
    rows = await session.execute(
        select(RoleAcl, Role.tenant_id)
        .join(Role, Role.id == RoleAcl.role_id)
        .where(
            RoleAcl.role_id.in_(role_ids),
            (RoleAcl.tenant_id == tenant_id) | RoleAcl.tenant_id.is_(None),
        )
    )
    grant = RoleGrant([], False, [], False)
    for acl, role_tenant in rows:
        grant.features.extend(f for f in acl.features or [] if f not in grant.features)
        grant.super_admin = grant.super_admin or acl.is_super_admin
        grant.platform = grant.platform or (acl.is_super_admin and role_tenant is None)
        if acl.organizations is None or grant.organizations is None:
            grant.organizations = None
        else:
            grant.organizations.extend(acl.organizations)
    return grant


async def load_user_principal(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None = None
) -> Principal | None:
    query = select(User).where(User.id == user_id, User.deleted_at.is_(None))
    user = (await session.execute(query)).scalar_one_or_none()
    if user is None:
        return None
    if session_id is not None:
        revoked = await session.scalar(
            select(RefreshSession.revoked_at).where(RefreshSession.id == session_id)
        )
        # A session row that was revoked (logout) kills the access tokens minted for it.
        if revoked is not None:
            return None
    roles = (
        await session.execute(
            select(Role.id, Role.name)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == user.id, Role.deleted_at.is_(None))
        )
    ).all()
    role_ids = [r.id for r in roles]
    custom = (
        await session.execute(
            select(UserAcl).where(UserAcl.user_id == user.id, UserAcl.tenant_id == user.tenant_id)
        )
    ).scalar_one_or_none()
    if custom is not None:
        # A per-user ACL replaces the role union; it never confers cross-tenant powers.
        grant = RoleGrant(list(custom.features or []), custom.is_super_admin, custom.organizations, False)
    else:
        grant = await role_acl(session, role_ids, user.tenant_id)
    return Principal(
        subject=str(user.id),
        tenant_id=user.tenant_id,
        org_id=user.organization_id,
        user_id=user.id,
        session_id=session_id,
        email=user.email,
        roles=[r.name for r in roles],
        role_ids=role_ids,
        features=grant.features,
        is_super_admin=grant.super_admin,
        is_platform_admin=grant.platform,
        organizations=grant.organizations,
    )


async def load_api_key_principal(session: AsyncSession, key: str) -> Principal | None:
    prefix = key[:12]
    candidates = (
        await session.execute(select(ApiKey).where(ApiKey.key_prefix == prefix, ApiKey.deleted_at.is_(None)))
    ).scalars()
    now = datetime.now(UTC)
    for api_key in candidates:
        if api_key.expires_at is not None and api_key.expires_at <= now:
            continue
        if not verify_api_key(api_key.key_hash, key):
            continue
        roles = (
            await session.execute(
                select(Role.id, Role.name)
                .join(ApiKeyRole, ApiKeyRole.role_id == Role.id)
                .where(ApiKeyRole.api_key_id == api_key.id, Role.deleted_at.is_(None))
            )
        ).all()
        grant = await role_acl(session, [r.id for r in roles], api_key.tenant_id)
        await session.execute(update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now))
        await session.commit()
        return Principal(
            subject=f"api_key:{api_key.id}",
            tenant_id=api_key.tenant_id,
            org_id=api_key.organization_id,
            api_key_id=api_key.id,
            roles=[r.name for r in roles],
            role_ids=[r.id for r in roles],
            features=grant.features,
            is_super_admin=grant.super_admin,
            is_platform_admin=grant.platform,
            organizations=grant.organizations,
        )
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
            sid = uuid.UUID(str(claims["sid"])) if claims.get("sid") else None
        except ValueError:
            return None
        return await load_user_principal(session, user_id, sid)
