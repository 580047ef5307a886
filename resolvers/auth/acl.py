"""Role and per-user ACLs: read, replace (sanitized), and feature checks."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from crmgraph.acl import feature_granted
from crmgraph.context import ALL_ORGS, Principal, RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.auth import Role, RoleAcl, User, UserAcl
from models.directory import Tenant
from resolvers.auth import rights
from resolvers.auth.entities import ROLE, USER, require_manageable
from resolvers.crud import service
from resolvers.events import record_command
from resolvers.features import known
from resolvers.scope import effective_tenant, parse_uuid
from resolvers.validation import validate


class AclInput(BaseModel):
    isSuperAdmin: bool | None = None
    features: list[str] | None = None
    organizations: list[str] | None = None


def _uuid_param(value: Any, name: str) -> uuid.UUID:
    ident = parse_uuid(value)
    if ident is None:
        raise ValidationFailed([issue(name, f"{name} must be a UUID", "invalid_string")])
    return ident


def acl_body(acl: RoleAcl | UserAcl | None) -> dict[str, Any]:
    return {
        "isSuperAdmin": bool(acl and acl.is_super_admin),
        "features": list(acl.features or []) if acl else [],
        "organizations": acl.organizations if acl else None,
    }


def sanitize(ctx: RequestContext, data: AclInput) -> tuple[dict[str, Any], bool]:
    """Drop unknown features, duplicates, foreign organizations and grants the caller may not make."""
    principal = ctx.require_auth()
    changed = False
    features: list[str] = []
    for feature in data.features or []:
        feature = feature.strip()
        allowed = principal.is_super_admin or feature_granted(principal.features, feature)
        if feature and known(feature) and allowed and feature not in features:
            features.append(feature)
        else:
            changed = True
    super_admin = bool(data.isSuperAdmin)
    if super_admin and not principal.is_super_admin:
        super_admin, changed = False, True
    organizations, orgs_changed = _sanitize_organizations(principal, data.organizations)
    return {"is_super_admin": super_admin, "features": features, "organizations": organizations}, (
        changed or orgs_changed
    )


def _sanitize_organizations(
    principal: Principal, requested: list[str] | None
) -> tuple[list[str] | None, bool]:
    """Well-formed ids only; a caller limited to some organizations grants at most those."""
    limit = None if principal.sees_all_organizations() else set(principal.organizations or [])
    if limit is not None and (requested is None or ALL_ORGS in requested):
        return sorted(limit), True  # "all" means all of the caller's
    if requested is None:
        return None, False
    kept = [
        str(org)
        for org in requested
        if (org == ALL_ORGS or parse_uuid(org)) and (limit is None or str(org) in limit)
    ]
    return kept, len(kept) != len(requested)


async def _acl_tenant(ctx: RequestContext, role: Role, requested: Any) -> uuid.UUID | None:
    """The tenant whose ACL of ``role`` is meant: the role's own or the caller's by default.

    Another tenant may be named only by a platform admin, and only for a global role; a malformed
    or unknown tenant is a 404 (never a database error).
    """
    default = role.tenant_id or effective_tenant(ctx)
    if requested in (None, ""):
        return default
    tenant = parse_uuid(requested)
    if tenant == default:
        return tenant
    if tenant is None or not ctx.require_auth().is_platform_admin or role.tenant_id is not None:
        raise NotFound()
    async with ctx.read_session(system=True) as session:  # platform admin: any live tenant
        if await session.scalar(select(Tenant.id).where(Tenant.id == tenant, Tenant.deleted_at.is_(None))):
            return tenant
    raise NotFound()


async def get_role_acl(ctx: RequestContext, role_id: Any, tenant_id: Any = None) -> dict[str, Any]:
    role = await service(ROLE).get(ctx, _uuid_param(role_id, "roleId"), check=False)
    tenant = await _acl_tenant(ctx, role, tenant_id)
    async with ctx.read_session() as session:
        acl = await session.scalar(
            select(RoleAcl).where(RoleAcl.role_id == role.id, RoleAcl.tenant_id == tenant)
        )
    return acl_body(acl)


async def _replace_acl(
    ctx: RequestContext,
    raw: dict[str, Any],
    *,
    model: type[RoleAcl] | type[UserAcl],
    owner: str,
    owner_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    kind: str,
    clear: bool = False,
) -> dict[str, Any]:
    """Replace (or, with ``clear``, remove) the ACL row of a role or user, sanitized and recorded."""
    values, changed = sanitize(ctx, validate(AclInput, raw))
    async with ctx.unit_of_work() as uow:
        owner_column = getattr(model, owner)
        acl = await uow.session.scalar(
            select(model).where(owner_column == owner_id, model.tenant_id == tenant_id).with_for_update()
        )
        before = acl_body(acl) if acl else None
        if clear:
            if acl is not None:
                await uow.session.delete(acl)
        else:
            if acl is None:
                acl = model(id=uuid.uuid4(), tenant_id=tenant_id, **{owner: owner_id})
                uow.session.add(acl)
            for key, value in values.items():
                setattr(acl, key, value)
        record_command(
            ctx,
            uow,
            module="auth",
            entity=f"{kind}_acl",
            verb="updated",
            resource_id=owner_id,
            tenant_id=tenant_id,
            before=before,
            after=None if clear else acl_body(acl),
        )
    return {"ok": True, "sanitized": changed}


async def put_role_acl(ctx: RequestContext, raw: dict[str, Any]) -> dict[str, Any]:
    role_id = _uuid_param(raw.get("roleId"), "roleId")
    role: Role = await service(ROLE).get(ctx, role_id, check=False)
    tenant = await _acl_tenant(ctx, role, raw.get("tenantId"))
    async with ctx.read_session() as session:
        current = await rights.role_rights(session, role.id, role.tenant_id, tenant)
    rights.require_covers(ctx.require_auth(), current, f"Role {role.name}")
    return await _replace_acl(
        ctx, raw, model=RoleAcl, owner="role_id", owner_id=role.id, tenant_id=tenant, kind="role"
    )


async def get_user_acl(ctx: RequestContext, user_id: Any) -> dict[str, Any]:
    user = await service(USER).get(ctx, _uuid_param(user_id, "userId"), check=False)
    async with ctx.read_session() as session:
        acl = await session.scalar(
            select(UserAcl).where(UserAcl.user_id == user.id, UserAcl.tenant_id == user.tenant_id)
        )
    return {"hasCustomAcl": acl is not None, **acl_body(acl)}


async def put_user_acl(ctx: RequestContext, raw: dict[str, Any]) -> dict[str, Any]:
    """Replace a user's ACL; ``{"clear": true}`` (or no features/flag) removes the override."""
    user: User = await service(USER).get(ctx, _uuid_param(raw.get("userId"), "userId"), check=False)
    async with ctx.read_session() as session:
        await require_manageable(ctx, session, user)
    clear = bool(raw.get("clear")) or (raw.get("features") is None and raw.get("isSuperAdmin") is None)
    return await _replace_acl(
        ctx,
        raw,
        model=UserAcl,
        owner="user_id",
        owner_id=user.id,
        tenant_id=user.tenant_id,
        kind="user",
        clear=clear,
    )


def feature_check(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    principal = ctx.require_auth()
    requested = raw.get("features") if isinstance(raw, dict) else None
    if not isinstance(requested, list) or not all(isinstance(f, str) for f in requested):
        raise ValidationFailed([issue("features", "Expected a list of feature ids", "invalid_type")])
    granted = [f for f in requested if principal.has(f)]
    # As the original: ok only when every requested feature is granted.
    ok = len(granted) == len(requested)
    return {"ok": ok, "granted": granted, "userId": str(principal.user_id or principal.subject)}
