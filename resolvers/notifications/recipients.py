"""Who receives a notification: given users, the holders of a role, or of a feature — always live
users of one tenant (the caller's), whatever the ids say."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from crmgraph.acl import feature_granted
from crmgraph.errors import ValidationFailed, issue
from models.auth import Role, RoleAcl, User, UserAcl, UserRole


def _live_users(tenant_id: uuid.UUID | None, *columns: Any) -> Any:
    return select(*(columns or (User.id,))).where(User.tenant_id == tenant_id, User.deleted_at.is_(None))


async def tenant_users(
    session: Any, tenant_id: uuid.UUID | None, ids: Sequence[uuid.UUID], path: str | list[Any]
) -> list[Any]:
    """Rows ``(id, organization_id, email, name)`` of ``ids`` (deduplicated, in order) when every one
    is a live user of the tenant; else a 400 that reads the same for another tenant's user and for a
    random id."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    columns = (User.id, User.organization_id, User.email, User.name)
    rows = await session.execute(_live_users(tenant_id, *columns).where(User.id.in_(wanted)))
    found = {row.id: row for row in rows}
    missing = [i for i, user_id in enumerate(wanted) if user_id not in found]
    if missing:
        prefix = [path] if isinstance(path, str) else list(path)
        raise ValidationFailed([issue([*prefix, i], "User not found", "not_found") for i in missing])
    return [found[user_id] for user_id in wanted]


async def role_holders(session: Any, tenant_id: uuid.UUID | None, role_id: uuid.UUID) -> list[uuid.UUID]:
    """Live users of the tenant holding the role (a role of the tenant, or a global one); a role the
    tenant cannot see is a 400."""
    role = await session.scalar(
        select(Role.id).where(
            Role.id == role_id,
            Role.deleted_at.is_(None),
            (Role.tenant_id == tenant_id) | Role.tenant_id.is_(None),
        )
    )
    if role is None:
        raise ValidationFailed([issue("roleId", "Role not found", "not_found")])
    query = _live_users(tenant_id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role_id == role)
    return list(dict.fromkeys((await session.execute(query.order_by(User.id))).scalars()))


async def feature_holders(session: Any, tenant_id: uuid.UUID | None, feature: str) -> list[uuid.UUID]:
    """Live users of the tenant whose effective rights grant ``feature`` (a per-user ACL replaces
    the union of the user's role ACLs; super admins hold everything). Two queries."""
    users = (
        await session.execute(
            select(User.id, UserAcl.features, UserAcl.is_super_admin, UserAcl.id.is_not(None))
            .outerjoin(UserAcl, (UserAcl.user_id == User.id) & (UserAcl.tenant_id == User.tenant_id))
            .where(User.tenant_id == tenant_id, User.deleted_at.is_(None))
            .order_by(User.id)
        )
    ).all()
    roles = (
        await session.execute(
            select(UserRole.user_id, RoleAcl.features, RoleAcl.is_super_admin)
            .join(Role, (Role.id == UserRole.role_id) & Role.deleted_at.is_(None))
            .join(RoleAcl, RoleAcl.role_id == Role.id)
            .join(User, User.id == UserRole.user_id)
            .where(
                User.tenant_id == tenant_id,
                User.deleted_at.is_(None),
                (RoleAcl.tenant_id == tenant_id) | RoleAcl.tenant_id.is_(None),
            )
        )
    ).all()
    by_role: dict[uuid.UUID, list[tuple[list[str], bool]]] = {}
    for user_id, features, super_admin in roles:
        by_role.setdefault(user_id, []).append((features or [], bool(super_admin)))
    holders = []
    for user_id, custom_features, custom_super, has_custom in users:
        grants = [(custom_features or [], bool(custom_super))] if has_custom else by_role.get(user_id, [])
        if any(super_admin or feature_granted(features, feature) for features, super_admin in grants):
            holders.append(user_id)
    return holders
