"""User and role entities with their business rules (password hashing, role assignment, counts)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, ValidationFailed, issue
from crmgraph.security import consent_digest, hash_password
from models.auth import RefreshSession, Role, User, UserConsent, UserRole
from models.directory import Organization, Tenant
from resolvers.auth import rights
from resolvers.entity import Computed, Entity, Features, Field, Filter, Hooks, Relation
from resolvers.scope import parse_uuid

MIN_PASSWORD = 6

# --- roles ---------------------------------------------------------------------------------


async def _visible_roles(ctx: RequestContext, role: Any) -> Any:
    principal = ctx.require_auth()
    return None if principal.is_platform_admin else role.tenant_id == principal.tenant_id


def _tenant_param(query: Select, value: uuid.UUID) -> Select:
    return query.where(Role.tenant_id == value)


async def _role_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """Omitted ``tenantId`` means the caller's tenant; an explicit null (super admins only) a global role."""
    principal = ctx.require_auth()
    if "tenant_id" not in data:
        data["tenant_id"] = principal.tenant_id
    if not principal.is_platform_admin and data["tenant_id"] != principal.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    await _check_role_name(uow, data["name"], data["tenant_id"])


async def _role_before_update(ctx: RequestContext, uow: UnitOfWork, role: Role, data: dict) -> None:
    principal = ctx.require_auth()
    if "tenant_id" in data and not principal.is_platform_admin and data["tenant_id"] != role.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    if data.get("name") and data["name"] != role.name:
        await _check_role_name(uow, data["name"], data.get("tenant_id", role.tenant_id))


async def _check_role_name(uow: UnitOfWork, name: str, tenant_id: uuid.UUID | None) -> None:
    clash = await uow.session.scalar(
        select(Role.id).where(
            func.lower(Role.name) == name.lower(),
            Role.tenant_id.is_(None) if tenant_id is None else Role.tenant_id == tenant_id,
            Role.deleted_at.is_(None),
        )
    )
    if clash is not None:
        raise Conflict("Role name already exists")


async def _role_before_delete(ctx: RequestContext, uow: UnitOfWork, role: Role) -> None:
    assigned = await uow.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role_id == role.id, User.deleted_at.is_(None))
    )
    if assigned:
        raise ValidationFailed(
            [issue("id", f"{assigned} user(s) still have this role", "in_use")], "Role has assigned users"
        )


def _tenant_name(model: type) -> Computed:
    return Computed(
        "tenantName", lambda: select(Tenant.name).where(Tenant.id == model.tenant_id).scalar_subquery()
    )


def _role_users_count() -> Any:
    return (
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role_id == Role.id, User.deleted_at.is_(None))
        .scalar_subquery()
    )


ROLE = Entity(
    name="role",
    module="auth",
    model=Role,
    path="/auth/roles",
    graphql_name="Role",
    plural="roles",
    scope="global",
    visibility=_visible_roles,
    features=Features(
        view=["auth.roles.list"],
        create=["auth.roles.manage"],
        update=["auth.roles.manage"],
        delete=["auth.roles.manage"],
    ),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("tenant_id", uuid.UUID),
        Field("created_at", datetime, create=False, update=False, sort=True),
    ],
    filters=[Filter("tenantId", uuid.UUID, _tenant_param)],
    relations=[
        Relation(
            "users", "user", "through", through=UserRole, through_source="role_id", through_target="user_id"
        )
    ],
    default_sort="name",
    hooks=Hooks(
        before_create=_role_before_create,
        before_update=_role_before_update,
        before_delete=_role_before_delete,
    ),
    computed=[Computed("usersCount", _role_users_count), _tenant_name(Role)],
)

# --- users ---------------------------------------------------------------------------------


async def resolve_roles(
    ctx: RequestContext, session: Any, refs: list[Any], tenant_id: uuid.UUID | None
) -> list[Role]:
    """Roles named by id or name, visible in the tenant; a caller may not hand out super-admin roles."""
    principal = ctx.require_auth()
    ids = [parse_uuid(r) for r in refs if parse_uuid(r)]
    names = [str(r).lower() for r in refs if not parse_uuid(r)]
    query = select(Role).where(
        Role.deleted_at.is_(None),
        (Role.tenant_id == tenant_id) | Role.tenant_id.is_(None),
        Role.id.in_(ids) | func.lower(Role.name).in_(names),
    )
    roles = list((await session.execute(query)).scalars())
    # A name means the tenant's own role when the tenant has one: it shadows a global role of that name.
    own_names = {r.name.lower() for r in roles if r.tenant_id is not None}
    roles = [
        r
        for r in roles
        if r.tenant_id is not None or str(r.id) in map(str, ids) or r.name.lower() not in own_names
    ]
    found = {str(r.id) for r in roles} | {r.name.lower() for r in roles}
    missing = [str(r) for r in refs if str(r) not in found and str(r).lower() not in found]
    if missing:
        raise ValidationFailed([issue("roles", f"Unknown role: {m}", "not_found") for m in missing])
    if any(r.tenant_id is None for r in roles) and not principal.is_platform_admin:
        raise Forbidden(message="Only platform administrators may assign global roles")
    for role in roles:  # no escalation: a role may grant only what the caller holds
        rights.require_covers(
            principal,
            await rights.role_rights(session, role.id, role.tenant_id, tenant_id),
            f"Role {role.name}",
        )
    return roles


async def assign_roles(ctx: RequestContext, uow: UnitOfWork, user: User, refs: list[Any]) -> None:
    roles = await resolve_roles(ctx, uow.session, refs, user.tenant_id)
    await uow.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    uow.session.add_all([UserRole(user_id=user.id, role_id=r.id) for r in roles])


def _take_password(data: dict[str, Any]) -> None:
    password = data.pop("password", None)
    if password is None:
        return
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed([issue("password", f"At least {MIN_PASSWORD} characters", "too_small")])
    data["password_hash"] = hash_password(password)


EMAIL_IN_USE = "Email already in use"


async def check_email(ctx: RequestContext, email: str, user_id: Any = None) -> None:
    """An email names at most one live login across all tenants (``uq_users_email_lower`` enforces
    it; this check gives the documented 409 up front)."""
    query = select(User.id).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
    if user_id is not None:
        query = query.where(User.id != user_id)
    async with ctx.read_session(system=True) as session:  # other tenants' logins count too
        if await session.scalar(query) is not None:
            raise Conflict(EMAIL_IN_USE)


def _validate_email(email: str) -> str:
    email = email.strip()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain):
        raise ValidationFailed([issue("email", "Invalid email", "invalid_string")])
    return email


async def _user_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["email"] = _validate_email(data["email"])
    await check_email(ctx, data["email"])
    _take_password(data)


async def _user_after_create(ctx: RequestContext, uow: UnitOfWork, user: User, data: dict) -> None:
    await _apply_user_links(ctx, uow, user, data)


async def _apply_user_links(ctx: RequestContext, uow: UnitOfWork, user: User, data: dict) -> None:
    """Role memberships and consents travel in the write payload beside the columns."""
    if data.get("roles") is not None:
        await assign_roles(ctx, uow, user, data["roles"])
    for consent in data.get("consents") or []:
        record_consent(ctx, uow, user, consent)


def record_consent(ctx: RequestContext, uow: UnitOfWork, user: User, consent: Any) -> None:
    if not isinstance(consent, dict) or not consent.get("consentType"):
        raise ValidationFailed([issue("consents", "Each consent needs a consentType", "invalid_type")])
    row = UserConsent(
        id=uuid.uuid4(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        consent_type=str(consent["consentType"])[:100],
        is_granted=bool(consent.get("isGranted", True)),
        source=consent.get("source"),
    )
    row.integrity_hash = consent_digest(ctx.settings, row.id, row.user_id, row.consent_type, row.is_granted)
    uow.session.add(row)


async def require_manageable(ctx: RequestContext, session: Any, user: User) -> None:
    """A caller may manage only users whose rights are a subset of its own (super admins: by peers)."""
    principal = ctx.require_auth()
    if principal.user_id != user.id:
        rights.require_covers(principal, await rights.user_rights(session, user), "This user")


def _require_credentials_feature(ctx: RequestContext, user: User, data: dict) -> None:
    """Another user's password or email is a credential: it needs its own feature."""
    principal = ctx.require_auth()
    email_changed = bool(data.get("email")) and str(data["email"]).strip().lower() != user.email.lower()
    if principal.user_id != user.id and (data.get("password") is not None or email_changed):
        ctx.require_features([rights.CREDENTIALS_FEATURE])


async def _user_before_update(ctx: RequestContext, uow: UnitOfWork, user: User, data: dict) -> None:
    await require_manageable(ctx, uow.session, user)
    _require_credentials_feature(ctx, user, data)
    if data.get("email"):
        data["email"] = _validate_email(data["email"])
        await check_email(ctx, data["email"], user.id)
    _take_password(data)


async def _user_after_update(ctx: RequestContext, uow: UnitOfWork, user: User, data: dict) -> None:
    await _apply_user_links(ctx, uow, user, data)
    if "password_hash" in data:
        await revoke_user_sessions(uow, user.id)


async def _user_before_delete(ctx: RequestContext, uow: UnitOfWork, user: User) -> None:
    if ctx.require_auth().user_id == user.id:
        raise ValidationFailed([issue("id", "You cannot delete yourself", "self")])
    await require_manageable(ctx, uow.session, user)
    await revoke_user_sessions(uow, user.id)


async def revoke_user_sessions(uow: UnitOfWork, user_id: uuid.UUID, keep: uuid.UUID | None = None) -> None:
    """Revoke every live session of a user (their access and refresh tokens), except ``keep``."""
    query = update(RefreshSession).where(
        RefreshSession.user_id == user_id, RefreshSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(RefreshSession.id != keep)
    await uow.session.execute(query.values(revoked_at=func.now()))


def _role_filter(query: Select, role_ids: list[uuid.UUID]) -> Select:
    return query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role_id.in_(role_ids))))


def _user_role_names() -> Any:
    names = (
        select(func.json_agg(aggregate_order_by(Role.name, Role.name)))
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == User.id, Role.deleted_at.is_(None))
        .scalar_subquery()
    )
    return func.coalesce(names, literal_column("'[]'::json"))


def org_name_computed(
    model: type, key: str = "organizationName", column: str = "organization_id"
) -> Computed:
    return Computed(
        key,
        lambda: select(Organization.name).where(Organization.id == getattr(model, column)).scalar_subquery(),
    )


USER = Entity(
    name="user",
    module="auth",
    model=User,
    path="/auth/users",
    graphql_name="User",
    plural="users",
    scope="org",
    features=Features(
        view=["auth.users.list"],
        create=["auth.users.create"],
        update=["auth.users.edit"],
        delete=["auth.users.delete"],
    ),
    fields=[
        Field("email", str, required=True, sort=True, search=True, max_length=320),
        Field("name", str, sort=True, search=True, max_length=200),
        Field("password", str, read=False, max_length=200),
        Field("roles", list, read=False),
        Field("consents", list, read=False),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, create=False, update=False),
        Field("is_confirmed", bool),
        Field("locale", str, max_length=16),
        Field("last_login_at", datetime, create=False, update=False, sort=True),
        Field("created_at", datetime, create=False, update=False, sort=True),
    ],
    filters=[
        Filter("organizationId", uuid.UUID, lambda q, v: q.where(User.organization_id == v)),
        Filter("roleIds", uuid.UUID, _role_filter, many=True),
    ],
    relations=[
        Relation("organization", "organization", "one", source_fk="organization_id"),
        Relation(
            "roles", "role", "through", through=UserRole, through_source="user_id", through_target="role_id"
        ),
    ],
    default_sort="email",
    hooks=Hooks(
        before_create=_user_before_create,
        after_create=_user_after_create,
        before_update=_user_before_update,
        after_update=_user_after_update,
        before_delete=_user_before_delete,
    ),
    computed=[org_name_computed(User), _tenant_name(User), Computed("roles", _user_role_names)],
)
