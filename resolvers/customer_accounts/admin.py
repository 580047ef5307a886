"""Staff administration of customer accounts and customer roles (staff credentials and the
``customer_accounts.*`` features; row-level security keeps each staff tenant to its own rows)."""

from __future__ import annotations

import functools
import math
import re
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict, NotFound
from crmgraph.security import hash_password
from models.customer_accounts import CustomerRole, CustomerSession, CustomerUser, CustomerUserRole
from resolvers.customer_accounts.common import (
    MODULE,
    Email,
    Failed,
    Name,
    Password,
    audit,
    iso,
    new_token,
    now,
    revoke_sessions,
    role_body,
    user_body,
    user_brief,
    user_roles,
)
from resolvers.customer_accounts.entities import MANAGE, VIEW
from resolvers.customer_accounts.portal import assignable_roles, invite, set_roles
from resolvers.customer_accounts.public import email_taken
from resolvers.operations import Rest, operation
from resolvers.scope import parse_uuid
from resolvers.validation import SafeDatetime, text

ADMIN = f"/{MODULE}/admin"


def admin_op(name: str, method: str, path: str, **options: Any) -> Any:
    """A staff operation on ``/customer_accounts/admin...``. The catalog documents no features for
    these routes (declared features must equal the documented ones), yet they manage another
    audience's accounts: they take staff credentials, and reads need VIEW, writes MANAGE, checked
    here before the handler for REST and GraphQL alike."""
    kind = "query" if method == "GET" else "command"
    needed = (VIEW,) if kind == "query" else (MANAGE,)

    def register(handler: Any) -> Any:
        @functools.wraps(handler)
        async def guarded(ctx: RequestContext, *args: Any) -> Any:
            ctx.require_features(needed)
            return await handler(ctx, *args)

        return operation(name, MODULE, kind=kind, rest=Rest(method, f"{ADMIN}{path}"), **options)(guarded)

    return register


class IdInput(BaseModel):
    id: str = Field(max_length=64)


class PageInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    page: int = Field(1, ge=1, le=100_000)
    pageSize: int = Field(50, ge=1, le=100)


def _uuid(raw: str, what: str) -> uuid.UUID:
    found = parse_uuid(raw)
    if found is None:
        raise NotFound(f"{what} not found")
    return found


# --- roles --------------------------------------------------------------------------------------


async def _role(session: Any, ctx: RequestContext, raw_id: str) -> CustomerRole:
    role = await session.scalar(
        select(CustomerRole).where(
            CustomerRole.id == _uuid(raw_id, "Role"),
            CustomerRole.tenant_id == ctx.tenant_id(),
            CustomerRole.deleted_at.is_(None),
        )
    )
    if role is None:
        raise NotFound("Role not found")
    return role


@admin_op("customer_roles_list", "GET", "/roles", input=PageInput)
async def roles_list(ctx: RequestContext, data: PageInput) -> dict[str, Any]:
    """The tenant's customer roles."""
    where = (CustomerRole.tenant_id == ctx.tenant_id()) & CustomerRole.deleted_at.is_(None)
    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(CustomerRole).where(where))
        rows = await session.scalars(
            select(CustomerRole)
            .where(where)
            .order_by(CustomerRole.name, CustomerRole.id)
            .offset((data.page - 1) * data.pageSize)
            .limit(data.pageSize)
        )
        items = [role_body(r) for r in rows]
    return {
        "ok": True,
        "items": items,
        "total": total,
        "totalPages": math.ceil(total / data.pageSize),
        "page": data.page,
    }


SLUG = r"^[a-z0-9][a-z0-9_-]*$"


class RoleCreate(BaseModel):
    name: Name
    slug: str = Field(min_length=1, max_length=100, pattern=SLUG)
    description: text(2000) | None = None
    isDefault: bool = False
    customerAssignable: bool = True


@admin_op("customer_role_create", "POST", "/roles", input=RoleCreate)
async def role_create(ctx: RequestContext, data: RoleCreate) -> dict[str, Any]:
    """A new customer role with an empty ACL."""
    uow = ctx.work.current
    tenant = ctx.tenant_id()
    taken = await uow.session.scalar(
        select(CustomerRole.id).where(
            CustomerRole.tenant_id == tenant,
            CustomerRole.slug == data.slug,
            CustomerRole.deleted_at.is_(None),
        )
    )
    if taken is not None:
        raise Conflict("A role with this slug exists")
    role = CustomerRole(
        id=uuid.uuid4(),
        tenant_id=tenant,
        name=data.name,
        slug=data.slug,
        description=data.description,
        is_default=data.isDefault,
        customer_assignable=data.customerAssignable,
        features=[],
        created_at=now(),
    )
    uow.session.add(role)
    await uow.session.flush()
    audit(ctx, uow, "role", "created", role.id, tenant)
    return {"ok": True, "role": role_body(role)}


@admin_op("customer_role_get", "GET", "/roles/{id}", input=IdInput)
async def role_get(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """A customer role with its ACL."""
    async with ctx.read_session() as session:
        role = await _role(session, ctx, data.id)
    return {
        "ok": True,
        "role": {
            **role_body(role),
            "updatedAt": iso(role.updated_at),
            "acl": {"features": list(role.features or []), "isPortalAdmin": role.is_portal_admin},
        },
    }


class RoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(max_length=64)
    name: Name | None = None
    description: text(2000) | None = None
    isDefault: bool | None = None
    customerAssignable: bool | None = None


@admin_op("customer_role_update", "PUT", "/roles/{id}", input=RoleUpdate)
async def role_update(ctx: RequestContext, data: RoleUpdate) -> dict[str, Any]:
    """Update a role; a system role keeps its name."""
    uow = ctx.work.current
    role = await _role(uow.session, ctx, data.id)
    if data.name is not None and data.name != role.name and role.is_system:
        raise Failed(400, "System roles cannot be renamed")
    for attr, value in (
        ("name", data.name),
        ("description", data.description),
        ("is_default", data.isDefault),
        ("customer_assignable", data.customerAssignable),
    ):
        if value is not None:
            setattr(role, attr, value)
    role.updated_at = now()
    audit(ctx, uow, "role", "updated", role.id, role.tenant_id)
    return {"ok": True}


@admin_op("customer_role_delete", "DELETE", "/roles/{id}", input=IdInput)
async def role_delete(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """Soft delete a role and its ACL: never a system role, never one still assigned."""
    uow = ctx.work.current
    role = await _role(uow.session, ctx, data.id)
    if role.is_system:
        raise Failed(400, "System roles cannot be deleted")
    assigned = await uow.session.scalar(
        select(func.count())
        .select_from(CustomerUserRole)
        .join(CustomerUser, CustomerUser.id == CustomerUserRole.user_id)
        .where(CustomerUserRole.role_id == role.id, CustomerUser.deleted_at.is_(None))
    )
    if assigned:
        raise Failed(409, "Role is assigned to users")
    role.deleted_at, role.features, role.is_portal_admin = now(), [], False
    audit(ctx, uow, "role", "deleted", role.id, role.tenant_id)
    return {"ok": True}


FEATURE = r"^[A-Za-z0-9_.*:-]+$"


class AclInput(BaseModel):
    id: str = Field(max_length=64)
    features: list[str] = Field(max_length=200)
    isPortalAdmin: bool | None = None

    def clean(self) -> list[str]:
        bad = [f for f in self.features if not f or len(f) > 200 or not re.match(FEATURE, f)]
        if bad:
            raise Failed(400, "Invalid feature name")
        return sorted(set(self.features))


@admin_op("customer_role_acl", "PUT", "/roles/{id}/acl", input=AclInput)
async def role_acl(ctx: RequestContext, data: AclInput) -> dict[str, Any]:
    """Replace a role's features (and portal-admin flag). Customer permissions are read per request
    from the roles, so the change applies to the next request of every holder."""
    uow = ctx.work.current
    role = await _role(uow.session, ctx, data.id)
    role.features = data.clean()
    if data.isPortalAdmin is not None:
        role.is_portal_admin = data.isPortalAdmin
    role.updated_at = now()
    audit(ctx, uow, "role", "acl_updated", role.id, role.tenant_id, features=role.features)
    return {"ok": True}


# --- users --------------------------------------------------------------------------------------


async def _user(session: Any, ctx: RequestContext, raw_id: str) -> CustomerUser:
    user = await session.scalar(
        select(CustomerUser).where(
            CustomerUser.id == _uuid(raw_id, "User"),
            CustomerUser.tenant_id == ctx.tenant_id(),
            CustomerUser.deleted_at.is_(None),
        )
    )
    if user is None:
        raise NotFound("User not found")
    return user


class UserListQuery(PageInput):
    status: str | None = Field(None, pattern="^(active|inactive|locked|unverified)$")
    customerEntityId: uuid.UUID | None = None
    roleId: uuid.UUID | None = None
    search: str | None = Field(None, max_length=200)


def _status(status: str) -> Any:
    return {
        "active": CustomerUser.is_active.is_(True),
        "inactive": CustomerUser.is_active.is_(False),
        "locked": CustomerUser.locked_until > func.now(),
        "unverified": CustomerUser.email_verified_at.is_(None),
    }[status]


@admin_op("customer_users_list", "GET", "/users", input=UserListQuery)
async def users_list(ctx: RequestContext, data: UserListQuery) -> dict[str, Any]:
    """Customer users with roles, filtered by status, company, role and a search of email/name."""
    conditions = [CustomerUser.tenant_id == ctx.tenant_id(), CustomerUser.deleted_at.is_(None)]
    if data.status:
        conditions.append(_status(data.status))
    if data.customerEntityId:
        conditions.append(CustomerUser.customer_entity_id == data.customerEntityId)
    if data.roleId:
        conditions.append(
            CustomerUser.id.in_(
                select(CustomerUserRole.user_id).where(CustomerUserRole.role_id == data.roleId)
            )
        )
    if data.search:
        pattern = "%" + data.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(CustomerUser.email.ilike(pattern), CustomerUser.display_name.ilike(pattern)))
    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(CustomerUser).where(*conditions))
        rows = list(
            await session.scalars(
                select(CustomerUser)
                .where(*conditions)
                .order_by(CustomerUser.created_at.desc(), CustomerUser.id)
                .offset((data.page - 1) * data.pageSize)
                .limit(data.pageSize)
            )
        )
        items = [user_body(u, await user_roles(session, u.id), admin=True) for u in rows]
    return {
        "ok": True,
        "items": items,
        "total": total,
        "totalPages": math.ceil(total / data.pageSize),
        "page": data.page,
    }


class UserCreate(BaseModel):
    email: Email
    password: Password
    displayName: Name
    customerEntityId: uuid.UUID | None = None
    personEntityId: uuid.UUID | None = None
    roleIds: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    emailVerified: bool = False


@admin_op("customer_user_create", "POST", "/users", input=UserCreate)
async def user_create(ctx: RequestContext, data: UserCreate) -> dict[str, Any]:
    """Create a customer user directly (no signup flow)."""
    uow = ctx.work.current
    tenant = ctx.tenant_id()
    if await email_taken(uow.session, tenant, data.email):
        raise Conflict("Email already registered")
    user = CustomerUser(
        id=uuid.uuid4(),
        tenant_id=tenant,
        email=data.email,
        display_name=data.displayName,
        password_hash=hash_password(data.password),
        customer_entity_id=data.customerEntityId,
        person_entity_id=data.personEntityId,
        email_verified_at=now() if data.emailVerified else None,
        created_at=now(),
    )
    uow.session.add(user)
    await uow.session.flush()
    # The roles are checked once the user is written: an unknown one rolls the whole command back.
    await set_roles(uow, user, await assignable_roles(uow.session, tenant, data.roleIds, customer_only=False))
    audit(ctx, uow, "user", "created", user.id, tenant)
    body = user_brief(user)
    del body["emailVerified"]
    return {"ok": True, "user": body}


class StaffInvite(BaseModel):
    email: str = Field(max_length=320)
    roleIds: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    customerEntityId: uuid.UUID | None = None


@admin_op("customer_user_invite", "POST", "/users-invite", input=StaffInvite, transaction=False)
async def user_invite(ctx: RequestContext, data: StaffInvite) -> dict[str, Any]:
    """Invite a customer user; the inviting staff user is recorded."""
    body = await invite(
        ctx,
        ctx.tenant_id(),
        data.email,
        data.roleIds,
        customer_only=False,
        customer_entity_id=data.customerEntityId,
        invited_by_user_id=ctx.require_auth().user_id,
    )
    return body


@admin_op("customer_user_get", "GET", "/users/{id}", input=IdInput)
async def user_get(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """A customer user with CRM links, roles and the number of live sessions."""
    async with ctx.read_session() as session:
        user = await _user(session, ctx, data.id)
        live = await session.scalar(
            select(func.count())
            .select_from(CustomerSession)
            .where(
                CustomerSession.user_id == user.id,
                CustomerSession.revoked_at.is_(None),
                CustomerSession.expires_at > func.now(),
            )
        )
        body = user_body(user, await user_roles(session, user.id), admin=True)
    body |= {
        "failedLoginAttempts": user.failed_login_attempts,
        "updatedAt": iso(user.updated_at),
        "activeSessionCount": live,
    }
    return {"ok": True, "user": body}


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(max_length=64)
    displayName: Name | None = None
    isActive: bool | None = None
    lockedUntil: SafeDatetime | None = None
    personEntityId: uuid.UUID | None = None
    customerEntityId: uuid.UUID | None = None
    roleIds: list[uuid.UUID] | None = Field(None, max_length=20)


@admin_op("customer_user_update", "PUT", "/users/{id}", input=UserUpdate)
async def user_update(ctx: RequestContext, data: UserUpdate) -> dict[str, Any]:
    """Update status, lock, CRM links and roles (staff may assign any role). Deactivating ends the
    user's sessions."""
    uow = ctx.work.current
    user = await _user(uow.session, ctx, data.id)
    sent = data.model_fields_set
    if "displayName" in sent and data.displayName is not None:
        user.display_name = data.displayName
    if "isActive" in sent and data.isActive is not None:
        user.is_active = data.isActive
        if not data.isActive:
            await revoke_sessions(uow, user.id)
    for key, attr in (
        ("lockedUntil", "locked_until"),
        ("personEntityId", "person_entity_id"),
        ("customerEntityId", "customer_entity_id"),
    ):
        if key in sent:
            setattr(user, attr, getattr(data, key))
    if data.roleIds is not None:
        await set_roles(uow, user, await assignable_roles(uow.session, user.tenant_id, data.roleIds, False))
    user.updated_at = now()
    audit(ctx, uow, "user", "updated", user.id, user.tenant_id)
    return {"ok": True}


@admin_op("customer_user_delete", "DELETE", "/users/{id}", input=IdInput)
async def user_delete(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """Soft delete a customer user and end their sessions."""
    uow = ctx.work.current
    user = await _user(uow.session, ctx, data.id)
    user.deleted_at = now()
    await revoke_sessions(uow, user.id)
    audit(ctx, uow, "user", "deleted", user.id, user.tenant_id)
    return {"ok": True}


class ResetPasswordInput(BaseModel):
    id: str = Field(max_length=64)
    newPassword: Password


@admin_op("customer_user_reset_password", "POST", "/users/{id}/reset-password", input=ResetPasswordInput)
async def user_reset_password(ctx: RequestContext, data: ResetPasswordInput) -> dict[str, Any]:
    """Set a customer user's password (and end their sessions)."""
    uow = ctx.work.current
    user = await _user(uow.session, ctx, data.id)
    user.password_hash = hash_password(data.newPassword)
    user.failed_login_attempts, user.locked_until = 0, None
    await revoke_sessions(uow, user.id)
    audit(ctx, uow, "user", "password_set", user.id, user.tenant_id)
    return {"ok": True}


@admin_op("customer_user_send_reset_link", "POST", "/users/{id}/send-reset-link", input=IdInput)
async def user_send_reset_link(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """A single-use reset token; the answer is the relative link for the portal."""
    uow = ctx.work.current
    user = await _user(uow.session, ctx, data.id)
    secret, _token = new_token(uow, "reset", user.tenant_id, user.email, user.id)
    audit(ctx, uow, "user", "reset_link_created", user.id, user.tenant_id)
    return {"ok": True, "resetLink": f"/reset-password?token={secret}"}


@admin_op("customer_user_verify_email", "POST", "/users/{id}/verify-email", input=IdInput)
async def user_verify_email(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """Mark a customer user's email verified."""
    uow = ctx.work.current
    user = await _user(uow.session, ctx, data.id)
    user.email_verified_at = user.email_verified_at or now()
    audit(ctx, uow, "user", "email_verified", user.id, user.tenant_id)
    return {"ok": True}
