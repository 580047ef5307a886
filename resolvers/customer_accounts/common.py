"""The customer audience: its principal, tokens, sessions, errors and shapes.

Customer access tokens are signed for the ``customer`` audience (``crmgraph.security`` derives one
key per audience), so a customer token never verifies as staff and a staff token never verifies
here. Sessions, refresh rotation and single-use mailed tokens work as the staff ones do, on the
customer tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints
from sqlalchemy import select, update

from crmgraph.acl import all_granted, missing_features
from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import DomainError, Forbidden
from crmgraph.security import decode_access_token, issue_access_token, opaque_token, token_digest
from crmgraph.timefmt import format_datetime
from models.customer_accounts import (
    CustomerRole,
    CustomerSession,
    CustomerToken,
    CustomerUser,
    CustomerUserRole,
)
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.ratelimits import Budget
from resolvers.validation import no_nul

MODULE = "customer_accounts"
AUDIENCE = "customer"
ACCESS_COOKIE, SESSION_COOKIE = "customer_auth_token", "customer_session_token"
CREDENTIAL, REFRESH, USER_AGENT = "customer_credential", "customer_refresh", "customer_user_agent"
MIN_PASSWORD = 8
TOKEN_TTL = {"verify": 48 * 3600, "reset": 3600, "magic": 15 * 60, "invite": 7 * 24 * 3600}
MAX_FAILED_LOGINS, LOCK_MINUTES = 5, 15


class Budgets:
    """Budgets of the public routes, sized by the same settings as the staff ones: login failures
    per client address and per account (a minute), public requests per address (a minute), mailed
    tokens per account (an hour; past it the answer stays ``{ok: true}`` and no mail is written)."""

    def __init__(self, settings: Any) -> None:
        self.login_ip = Budget("customer-login-fail-ip", settings.login_rate_per_ip, 60)
        self.login_account = Budget("customer-login-fail-account", settings.login_rate_per_email, 60)
        self.public_ip = Budget("customer-public-ip", settings.login_rate_per_ip, 60)
        self.mail_account = Budget("customer-mail-account", settings.reset_rate_per_account, 3600)


class Failed(DomainError):
    """The portal's documented failure body: ``{ok: false, error}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.message}


def unauthorized() -> Failed:
    return Failed(401, "Unauthorized")


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


@dataclass
class Customer:
    """The authenticated customer user of a portal request."""

    user: CustomerUser
    session_id: uuid.UUID
    roles: list[CustomerRole] = field(default_factory=list)

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.user.tenant_id

    @property
    def is_portal_admin(self) -> bool:
        return any(r.is_portal_admin for r in self.roles)

    @property
    def features(self) -> list[str]:
        return resolved_features(self.roles)

    def has(self, *features: str) -> bool:
        return all_granted(self.features, features, self.is_portal_admin)

    def require(self, *features: str) -> None:
        if not self.has(*features):
            raise Forbidden(missing_features(self.features, features) or list(features))


def resolved_features(roles: list[CustomerRole]) -> list[str]:
    found: list[str] = []
    for role in roles:
        found.extend(f for f in role.features or [] if f not in found)
    return sorted(found)


async def user_roles(session: Any, user_id: uuid.UUID) -> list[CustomerRole]:
    rows = await session.scalars(
        select(CustomerRole)
        .join(CustomerUserRole, CustomerUserRole.role_id == CustomerRole.id)
        .where(CustomerUserRole.user_id == user_id, CustomerRole.deleted_at.is_(None))
        .order_by(CustomerRole.name)
    )
    return list(rows)


async def current_customer(ctx: RequestContext) -> Customer:
    """The customer behind the request's customer token (bearer or cookie), else 401."""
    token = ctx.cache.get(CREDENTIAL)
    claims = decode_access_token(ctx.settings, token, AUDIENCE) if token else None
    if claims is None:
        raise unauthorized()
    try:
        user_id, session_id = uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["sid"]))
    except (KeyError, ValueError):
        raise unauthorized() from None
    async with ctx.read_session(system=True) as session:
        row = (
            await session.execute(
                select(CustomerUser, CustomerSession)
                .join(CustomerSession, CustomerSession.user_id == CustomerUser.id)
                .where(
                    CustomerUser.id == user_id,
                    CustomerSession.id == session_id,
                    CustomerSession.revoked_at.is_(None),
                    CustomerSession.expires_at > now(),
                    CustomerUser.deleted_at.is_(None),
                    CustomerUser.is_active.is_(True),
                )
            )
        ).first()
        if row is None:
            raise unauthorized()
        roles = await user_roles(session, user_id)
    return Customer(row[0], session_id, roles)


@dataclass
class IssuedTokens:
    access_token: str
    refresh_token: str
    session_id: uuid.UUID


async def start_session(
    ctx: RequestContext, uow: UnitOfWork, user: CustomerUser, family: uuid.UUID | None = None
) -> IssuedTokens:
    """A new refresh session and an access token for the customer audience."""
    refresh = opaque_token(32)
    row = CustomerSession(
        id=uuid.uuid4(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        token_hash=token_digest(refresh),
        family_id=family or uuid.uuid4(),
        ip_address=ctx.client_ip[:64],
        user_agent=(ctx.cache.get(USER_AGENT) or None),
        last_used_at=now(),
        expires_at=now() + timedelta(seconds=ctx.settings.refresh_token_ttl),
    )
    uow.session.add(row)
    claims = {"sub": str(user.id), "sid": str(row.id), "tenantId": str(user.tenant_id), "email": user.email}
    access = issue_access_token(ctx.settings, claims, AUDIENCE)
    return IssuedTokens(access, refresh, row.id)


async def revoke_sessions(uow: UnitOfWork, user_id: uuid.UUID, keep: uuid.UUID | None = None) -> None:
    query = update(CustomerSession).where(
        CustomerSession.user_id == user_id, CustomerSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(CustomerSession.id != keep)
    await uow.session.execute(query.values(revoked_at=now()))


def new_token(
    uow: UnitOfWork,
    kind: str,
    tenant_id: uuid.UUID,
    email: str,
    user_id: uuid.UUID | None = None,
    **extra: Any,
) -> tuple[str, CustomerToken]:
    """A single-use token: the secret goes to the caller (the mail), its SHA-256 to the table."""
    secret = opaque_token(32)
    row = CustomerToken(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        kind=kind,
        user_id=user_id,
        email=email,
        token_hash=token_digest(secret),
        expires_at=now() + timedelta(seconds=TOKEN_TTL[kind]),
        **extra,
    )
    uow.session.add(row)
    return secret, row


async def take_token(uow: UnitOfWork, kind: str, secret: str) -> CustomerToken:
    """Consume a live token of ``kind`` (locked, marked used), else 400."""
    row = await uow.session.scalar(
        select(CustomerToken)
        .where(CustomerToken.token_hash == token_digest(secret), CustomerToken.kind == kind)
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= now():
        raise Failed(400, "Invalid or expired token")
    row.used_at = now()
    return row


def audit(
    ctx: RequestContext,
    uow: UnitOfWork,
    entity: str,
    verb: str,
    resource_id: Any,
    tenant_id: Any,
    **payload: Any,
) -> None:
    """The outbox event and action-log entry of a customer-account write."""
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=entity,
        verb=verb,
        resource_id=resource_id,
        tenant_id=tenant_id,
        payload=payload or None,
    )


def role_ref(role: CustomerRole) -> dict[str, Any]:
    return {"id": str(role.id), "name": role.name, "slug": role.slug}


def role_body(role: CustomerRole) -> dict[str, Any]:
    return {
        **role_ref(role),
        "description": role.description,
        "isDefault": role.is_default,
        "isSystem": role.is_system,
        "customerAssignable": role.customer_assignable,
        "createdAt": iso(role.created_at),
    }


def user_brief(user: CustomerUser) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "displayName": user.display_name,
        "emailVerified": user.email_verified_at is not None,
    }


def user_body(
    user: CustomerUser, roles: list[CustomerRole] | None = None, admin: bool = False
) -> dict[str, Any]:
    body = {
        **user_brief(user),
        "isActive": user.is_active,
        "lastLoginAt": iso(user.last_login_at),
        "customerEntityId": str(user.customer_entity_id) if user.customer_entity_id else None,
        "personEntityId": str(user.person_entity_id) if user.person_entity_id else None,
        "createdAt": iso(user.created_at),
    }
    if admin:
        body["lockedUntil"] = iso(user.locked_until)
    if roles is not None:
        body["roles"] = [role_ref(r) for r in roles]
    return body


# --- declarations -------------------------------------------------------------------------------


def _email(value: str) -> str:
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value:
        raise ValueError("Invalid email")
    return value


Email = Annotated[
    str, StringConstraints(min_length=3, max_length=320), AfterValidator(no_nul), AfterValidator(_email)
]
Password = Annotated[str, StringConstraints(min_length=MIN_PASSWORD, max_length=200), AfterValidator(no_nul)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(no_nul)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(no_nul)]


def portal_operation(
    name: str, method: str, path: str, stream: bool = False, **options: Any
) -> Callable[[Any], Any]:
    """A customer-audience operation: public or authenticated by a customer token, never by staff
    credentials. Its REST binding (``extra['customer_rest']``) is mounted by
    ``openapi_compat.customer_accounts``, which hands the customer credential in and sets cookies."""
    options.setdefault("kind", "command")
    return operation(
        name,
        MODULE,
        auth=False,
        graphql=False,  # the GraphQL endpoint serves staff only
        transaction=False,  # the handler opens a system unit of work scoped by hand to the customer's tenant
        extra={"customer_rest": Rest(method, f"/{MODULE}{path}", stream=stream)},
        **options,
    )
