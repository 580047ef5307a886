"""Public customer flows: signup, login, magic links, password reset, email verification and
accepting an invitation. Lookups run before anyone is authenticated, so they use system sessions
and name the tenant themselves."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import TooManyRequests
from crmgraph.security import hash_password, verify_password
from models.customer_accounts import CustomerRole, CustomerUser, CustomerUserRole
from models.directory import Tenant
from resolvers import ratelimits
from resolvers.customer_accounts.common import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    Budgets,
    Email,
    Failed,
    Name,
    Password,
    Secret,
    audit,
    new_token,
    now,
    portal_operation,
    resolved_features,
    revoke_sessions,
    start_session,
    take_token,
    user_brief,
    user_roles,
)
from resolvers.mail import queue_mail

LOGIN_FAILED = "Invalid email or password"


def signed_in(user: CustomerUser, roles: list[CustomerRole], tokens: Any) -> dict[str, Any]:
    """The documented login answer; ``_tokens`` becomes the cookies (never part of the body)."""
    return {
        "ok": True,
        "user": user_brief(user),
        "resolvedFeatures": resolved_features(roles),
        "_tokens": tokens,
    }


def mail_link(
    ctx: RequestContext,
    uow: UnitOfWork,
    user_email: str,
    tenant_id: Any,
    kind: str,
    secret: str,
    expires_at: Any,
) -> None:
    paths = {
        "verify": "verify-email",
        "reset": "reset-password",
        "magic": "magic-link",
        "invite": "invitation",
    }
    subjects = {
        "verify": "Confirm your email address",
        "reset": "Reset your portal password",
        "magic": "Your sign-in link",
        "invite": "You are invited to the customer portal",
    }
    link = f"{ctx.settings.public_url}/portal/{paths[kind]}?token={secret}"
    body = f"{subjects[kind]}:\n{link}\nThe link works once and expires at {expires_at.isoformat()}."
    queue_mail(
        ctx, uow, tenant_id=tenant_id, to=user_email, subject=subjects[kind], body=body, expires_at=expires_at
    )


async def default_roles(session: Any, tenant_id: uuid.UUID) -> list[CustomerRole]:
    rows = await session.scalars(
        select(CustomerRole).where(
            CustomerRole.tenant_id == tenant_id,
            CustomerRole.is_default.is_(True),
            CustomerRole.deleted_at.is_(None),
        )
    )
    return list(rows)


async def email_taken(session: Any, tenant_id: uuid.UUID, email: str) -> bool:
    found = await session.scalar(
        select(CustomerUser.id).where(
            CustomerUser.tenant_id == tenant_id,
            CustomerUser.email == email,
            CustomerUser.deleted_at.is_(None),
        )
    )
    return found is not None


def assign(uow: UnitOfWork, user: CustomerUser, roles: list[CustomerRole]) -> None:
    for role in roles:
        uow.session.add(
            CustomerUserRole(id=uuid.uuid4(), tenant_id=user.tenant_id, user_id=user.id, role_id=role.id)
        )


async def find_user(session: Any, email: str, tenant_id: uuid.UUID | None) -> CustomerUser | None:
    """The one live account with this email (in ``tenant_id`` when given); None when ambiguous."""
    query = select(CustomerUser).where(CustomerUser.email == email, CustomerUser.deleted_at.is_(None))
    if tenant_id is not None:
        query = query.where(CustomerUser.tenant_id == tenant_id)
    users = list((await session.execute(query.limit(2))).scalars())
    return users[0] if len(users) == 1 else None


class SignupInput(BaseModel):
    email: Email
    password: Password
    displayName: Name
    tenantId: uuid.UUID


@portal_operation("customer_signup", "POST", "/signup", input=SignupInput)
async def signup(ctx: RequestContext, data: SignupInput) -> dict[str, Any]:
    """Create a customer account (default roles) and mail an email verification token."""
    await ratelimits.require(ctx, Budgets(ctx.settings).public_ip)
    async with ctx.unit_of_work(system=True, command="customer_accounts.signup") as uow:
        tenant = await uow.session.scalar(
            select(Tenant.id).where(Tenant.id == data.tenantId, Tenant.deleted_at.is_(None))
        )
        if tenant is None:
            raise Failed(400, "Unknown tenant")
        if await email_taken(uow.session, data.tenantId, data.email):
            raise Failed(409, "Email already registered")
        user = CustomerUser(
            id=uuid.uuid4(),
            tenant_id=data.tenantId,
            email=data.email,
            display_name=data.displayName,
            password_hash=hash_password(data.password),
            created_at=now(),
        )
        uow.session.add(user)
        await uow.session.flush()
        assign(uow, user, await default_roles(uow.session, data.tenantId))
        secret, token = new_token(uow, "verify", data.tenantId, data.email, user.id)
        mail_link(ctx, uow, data.email, data.tenantId, "verify", secret, token.expires_at)
        audit(ctx, uow, "user", "signup", user.id, user.tenant_id)
    return {"ok": True, "user": user_brief(user)}


class LoginInput(BaseModel):
    email: Email
    password: Secret
    tenantId: uuid.UUID | None = None


@portal_operation("customer_login", "POST", "/login", input=LoginInput)
async def login(ctx: RequestContext, data: LoginInput) -> dict[str, Any]:
    """Check the credentials (failures are rate limited; repeated ones lock the account) and start a
    session."""
    budgets, account = Budgets(ctx.settings), ratelimits.email_subject(data.email)
    for budget, subject in ((budgets.login_ip, None), (budgets.login_account, account)):
        if await ratelimits.exhausted(ctx, budget, subject):
            raise TooManyRequests()
    failure: Failed | None = None
    async with ctx.unit_of_work(system=True, command="customer_accounts.login") as uow:
        user = await find_user(uow.session, data.email, data.tenantId)
        # The same argon2 work and message for an unknown email or a wrong password.
        valid = verify_password(user.password_hash if user else None, data.password)
        if user is not None and user.locked_until is not None and user.locked_until > now():
            failure = Failed(423, "Account is locked")
        elif user is None or not valid:
            if user is not None:
                user.failed_login_attempts += 1
                if user.failed_login_attempts >= MAX_FAILED_LOGINS:
                    user.locked_until = now() + timedelta(minutes=LOCK_MINUTES)
                    user.failed_login_attempts = 0
            failure = Failed(401, LOGIN_FAILED)
        elif not user.is_active:
            failure = Failed(403, "Account is disabled")
        else:
            user.failed_login_attempts, user.locked_until, user.last_login_at = 0, None, now()
            tokens = await start_session(ctx, uow, user)
            roles = await user_roles(uow.session, user.id)
            audit(ctx, uow, "session", "login", tokens.session_id, user.tenant_id)
    if failure is not None:
        if failure.status == 401:
            await ratelimits.spend(ctx, budgets.login_ip)
            await ratelimits.spend(ctx, budgets.login_account, account)
        raise failure
    return signed_in(user, roles, tokens)


class EmailInput(BaseModel):
    email: Email
    tenantId: uuid.UUID | None = None


async def _mail_token(ctx: RequestContext, data: EmailInput, kind: str) -> dict[str, Any]:
    """Always ``{ok: true}`` (no enumeration); mails a token when the account exists and its hourly
    mail budget lasts."""
    await ratelimits.require(ctx, Budgets(ctx.settings).public_ip)
    if not await ratelimits.spend(
        ctx, Budgets(ctx.settings).mail_account, ratelimits.email_subject(data.email)
    ):
        return {"ok": True}
    async with ctx.unit_of_work(system=True, command=f"customer_accounts.{kind}_request") as uow:
        user = await find_user(uow.session, data.email, data.tenantId)
        if user is not None and user.is_active:
            secret, token = new_token(uow, kind, user.tenant_id, user.email, user.id)
            mail_link(ctx, uow, user.email, user.tenant_id, kind, secret, token.expires_at)
    return {"ok": True}


@portal_operation("customer_magic_link_request", "POST", "/magic-link/request", input=EmailInput)
async def magic_link_request(ctx: RequestContext, data: EmailInput) -> dict[str, Any]:
    """Mail a single-use sign-in link; always 200."""
    return await _mail_token(ctx, data, "magic")


@portal_operation("customer_password_reset_request", "POST", "/password/reset-request", input=EmailInput)
async def reset_request(ctx: RequestContext, data: EmailInput) -> dict[str, Any]:
    """Mail a single-use password reset link; always 200."""
    return await _mail_token(ctx, data, "reset")


class TokenInput(BaseModel):
    token: Secret


async def _token_user(uow: UnitOfWork, kind: str, secret: str) -> CustomerUser:
    token = await take_token(uow, kind, secret)
    user = await uow.session.scalar(
        select(CustomerUser).where(CustomerUser.id == token.user_id, CustomerUser.deleted_at.is_(None))
    )
    if user is None or not user.is_active:
        raise Failed(400, "Invalid or expired token")
    return user


@portal_operation("customer_magic_link_verify", "POST", "/magic-link/verify", input=TokenInput)
async def magic_link_verify(ctx: RequestContext, data: TokenInput) -> dict[str, Any]:
    """Consume the link, mark the email verified and start a session."""
    async with ctx.unit_of_work(system=True, command="customer_accounts.magic_link_verify") as uow:
        user = await _token_user(uow, "magic", data.token)
        user.email_verified_at = user.email_verified_at or now()
        user.last_login_at = now()
        tokens = await start_session(ctx, uow, user)
        roles = await user_roles(uow.session, user.id)
        audit(ctx, uow, "session", "login", tokens.session_id, user.tenant_id, method="magic_link")
    return signed_in(user, roles, tokens)


@portal_operation("customer_email_verify", "POST", "/email/verify", input=TokenInput)
async def email_verify(ctx: RequestContext, data: TokenInput) -> dict[str, Any]:
    """Consume the verification token and mark the email verified."""
    async with ctx.unit_of_work(system=True, command="customer_accounts.email_verify") as uow:
        user = await _token_user(uow, "verify", data.token)
        user.email_verified_at = user.email_verified_at or now()
        audit(ctx, uow, "user", "email_verified", user.id, user.tenant_id)
    return {"ok": True}


class ResetConfirmInput(BaseModel):
    token: Secret
    password: Password


@portal_operation(
    "customer_password_reset_confirm", "POST", "/password/reset-confirm", input=ResetConfirmInput
)
async def reset_confirm(ctx: RequestContext, data: ResetConfirmInput) -> dict[str, Any]:
    """Consume the reset token, set the password and revoke every session of the account."""
    async with ctx.unit_of_work(system=True, command="customer_accounts.password_reset") as uow:
        user = await _token_user(uow, "reset", data.token)
        user.password_hash = hash_password(data.password)
        user.failed_login_attempts, user.locked_until = 0, None
        await revoke_sessions(uow, user.id)
        audit(ctx, uow, "user", "password_reset", user.id, user.tenant_id)
    return {"ok": True}


class AcceptInput(BaseModel):
    token: Secret
    password: Password
    displayName: Name


@portal_operation("customer_invitation_accept", "POST", "/invitations/accept", input=AcceptInput)
async def accept_invitation(ctx: RequestContext, data: AcceptInput) -> dict[str, Any]:
    """Consume the invitation: create the account (email verified), assign its roles, sign in."""
    async with ctx.unit_of_work(system=True, command="customer_accounts.invitation_accept") as uow:
        invite = await take_token(uow, "invite", data.token)
        if await email_taken(uow.session, invite.tenant_id, invite.email):
            raise Failed(409, "Email already registered")
        user = CustomerUser(
            id=uuid.uuid4(),
            tenant_id=invite.tenant_id,
            email=invite.email,
            display_name=data.displayName,
            password_hash=hash_password(data.password),
            email_verified_at=now(),
            customer_entity_id=invite.customer_entity_id,
            last_login_at=now(),
            created_at=now(),
        )
        uow.session.add(user)
        await uow.session.flush()
        wanted = [uuid.UUID(r) for r in invite.role_ids or []]
        roles = list(
            await uow.session.scalars(
                select(CustomerRole).where(
                    CustomerRole.id.in_(wanted),
                    CustomerRole.tenant_id == invite.tenant_id,
                    CustomerRole.deleted_at.is_(None),
                )
            )
        ) or await default_roles(uow.session, invite.tenant_id)
        assign(uow, user, roles)
        tokens = await start_session(ctx, uow, user)
        audit(ctx, uow, "invitation", "accepted", invite.id, user.tenant_id, userId=str(user.id))
    return signed_in(user, roles, tokens)
