"""Rights comparison: nobody manages or hands out more than they hold themselves.

A caller may edit a user, replace an ACL or assign a role only when the target's effective rights
(features, super-admin flag, organization visibility) are a subset of the caller's own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crmgraph.acl import feature_granted
from crmgraph.authn import roles_with_acl
from crmgraph.context import ALL_ORGS, Principal
from crmgraph.errors import Forbidden
from models.auth import RoleAcl, User, UserAcl, UserRole

CREDENTIALS_FEATURE = "auth.users.credentials"  # change another user's password or email


@dataclass(frozen=True)
class Rights:
    features: tuple[str, ...]
    super_admin: bool = False
    platform: bool = False
    organizations: tuple[str, ...] | None = None  # None: every organization

    @classmethod
    def of_acl(cls, acl: RoleAcl | UserAcl | None, platform: bool = False) -> Rights:
        if acl is None:
            return cls(())
        orgs = None if acl.organizations is None else tuple(acl.organizations)
        return cls(tuple(acl.features or ()), bool(acl.is_super_admin), platform, orgs)


def _all_orgs(organizations: tuple[str, ...] | list[str] | None) -> bool:
    return organizations is None or ALL_ORGS in organizations


def covers(caller: Principal, target: Rights) -> bool:
    """True when ``target`` grants nothing ``caller`` does not hold."""
    if target.platform and not caller.is_platform_admin:
        return False
    if caller.is_super_admin:
        return True
    if target.super_admin:
        return False
    if not all(feature_granted(caller.features, f) for f in target.features):
        return False
    if caller.sees_all_organizations():
        return True
    return not _all_orgs(target.organizations) and set(target.organizations or ()) <= set(
        caller.organizations or ()
    )


def require_covers(caller: Principal, target: Rights, what: str) -> None:
    if not covers(caller, target):
        raise Forbidden(message=f"{what} holds rights you do not have")


async def user_rights(session: AsyncSession, user: User) -> Rights:
    """Effective rights of a user: the per-user ACL if any, else the union of its roles."""
    custom = await session.scalar(
        select(UserAcl).where(UserAcl.user_id == user.id, UserAcl.tenant_id == user.tenant_id)
    )
    if custom is not None:
        return Rights.of_acl(custom)
    _, grant = await roles_with_acl(session, UserRole, "user_id", user.id, user.tenant_id)
    orgs = None if grant.organizations is None else tuple(grant.organizations)
    return Rights(tuple(grant.features), grant.super_admin, grant.platform, orgs)


async def role_rights(
    session: AsyncSession, role_id: uuid.UUID, role_tenant: uuid.UUID | None, tenant_id: uuid.UUID | None
) -> Rights:
    """What holding a role grants in ``tenant_id`` (its ACL there, or its global ACL)."""
    acls = list(
        (
            await session.execute(
                select(RoleAcl).where(
                    RoleAcl.role_id == role_id,
                    (RoleAcl.tenant_id == tenant_id) | RoleAcl.tenant_id.is_(None),
                )
            )
        ).scalars()
    )
    features: list[str] = []
    organizations: list[str] | None = []
    super_admin = False
    for acl in acls:
        features.extend(f for f in acl.features or [] if f not in features)
        super_admin = super_admin or acl.is_super_admin
        if acl.organizations is None or organizations is None:
            organizations = None
        else:
            organizations.extend(acl.organizations)
    orgs = None if organizations is None else tuple(organizations)
    return Rights(tuple(features), super_admin, super_admin and role_tenant is None, orgs)
