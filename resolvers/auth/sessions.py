"""Login, access/refresh tokens (rotating, revocable), logout and password reset."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from crmgraph import ratelimit
from crmgraph.context import RequestContext
from crmgraph.errors import DomainError, TooManyRequests, ValidationFailed, issue
from crmgraph.security import (
    hash_password,
    issue_access_token,
    opaque_token,
    token_digest,
    verify_password,
)
from models.auth import EmailOutbox, PasswordReset, RefreshSession, Role, User, UserRole
from resolvers.auth.entities import MIN_PASSWORD, revoke_user_sessions
from resolvers.events import enqueue_best_effort
from resolvers.scope import parse_uuid

LOGIN_FAILED = "Invalid email or password"


class LoginFailed(DomainError):
    """Documented login failures carry ``ok: false``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.message}


@dataclass
class IssuedTokens:
    access_token: str
    refresh_token: str
    session_id: uuid.UUID
    user: User


MINUTE, HOUR = 60, 3600


async def _count(ctx: RequestContext, key: str, window: int, increment: int = 1) -> int:
    # Namespaced like the app's queue, so deployments sharing a Redis keep separate budgets.
    return await ratelimit.count(ctx.redis, ctx.settings.queue_name, key, window, increment)


def _login_keys(ctx: RequestContext, email: str) -> list[tuple[str, int]]:
    """Failure budgets per minute: one per client address and one per account, kept apart."""
    return [
        (f"login-fail:ip:{ctx.client_ip}", ctx.settings.login_rate_per_ip),
        (f"login-fail:account:{email.lower()}", ctx.settings.login_rate_per_email),
    ]


async def _check_login_budget(ctx: RequestContext, email: str) -> None:
    for key, limit in _login_keys(ctx, email):
        if await _count(ctx, key, MINUTE, increment=0) >= limit:
            raise TooManyRequests()


async def _spend_login_budget(ctx: RequestContext, email: str) -> None:
    for key, _limit in _login_keys(ctx, email):
        await _count(ctx, key, MINUTE)


def access_claims(user: User, roles: list[str], session_id: uuid.UUID) -> dict[str, Any]:
    return {
        "sub": str(user.id),
        "sid": str(session_id),
        "tenantId": str(user.tenant_id) if user.tenant_id else None,
        "orgId": str(user.organization_id) if user.organization_id else None,
        "email": user.email,
        "roles": roles,
    }


async def _role_names(session: Any, user_id: uuid.UUID) -> list[str]:
    rows = await session.execute(
        select(Role.name)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user_id, Role.deleted_at.is_(None))
    )
    return [r for (r,) in rows]


async def _start_session(ctx: RequestContext, session: Any, user: User, family: uuid.UUID | None = None):
    refresh = opaque_token(32)
    row = RefreshSession(
        id=uuid.uuid4(),
        user_id=user.id,
        token_hash=token_digest(refresh),
        family_id=family or uuid.uuid4(),
        expires_at=datetime.now(UTC) + timedelta(seconds=ctx.settings.refresh_token_ttl),
    )
    session.add(row)
    roles = await _role_names(session, user.id)
    access = issue_access_token(ctx.settings, access_claims(user, roles, row.id))
    return IssuedTokens(access, refresh, row.id, user)


async def login(ctx: RequestContext, raw: Any) -> tuple[IssuedTokens, list[str]]:
    data = raw if isinstance(raw, dict) else {}
    email = str(data.get("email") or "").strip()
    password = str(data.get("password") or "")
    if not email or not password:
        raise ValidationFailed(
            [issue(k, "Required", "invalid_type") for k in ("email", "password") if not data.get(k)]
        )
    await _check_login_budget(ctx, email)  # only failures count: successes never lock anyone out
    async with ctx.unit_of_work(system=True) as uow:
        query = select(User).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
        tenant_id = parse_uuid(data.get("tenantId")) if data.get("tenantId") else None
        if tenant_id is not None:
            query = query.where(User.tenant_id == tenant_id)
        users = list((await uow.session.execute(query.limit(2))).scalars())
        # One generic message (and the same argon2 work) for unknown email or wrong password.
        candidate = users[0].password_hash if len(users) == 1 else None
        if not verify_password(candidate, password):
            await _spend_login_budget(ctx, email)
            raise LoginFailed(401, LOGIN_FAILED)
        user = users[0]
        roles = await _role_names(uow.session, user.id)
        required = [r.strip() for r in str(data.get("requireRole") or "").split(",") if r.strip()]
        if required and not set(required) & set(roles):
            raise LoginFailed(403, "Not authorized for this area")
        user.last_login_at = datetime.now(UTC)
        tokens = await _start_session(ctx, uow.session, user)
    return tokens, roles


async def refresh(ctx: RequestContext, refresh_token: str | None) -> IssuedTokens:
    """Rotate a refresh token. Reusing a rotated token revokes its whole family (theft signal)."""
    if not refresh_token or not isinstance(refresh_token, str):
        raise LoginFailed(400, "refreshToken is required")
    async with ctx.unit_of_work(system=True) as uow:
        row = await uow.session.scalar(
            select(RefreshSession)
            .where(RefreshSession.token_hash == token_digest(refresh_token))
            .with_for_update()
        )
        now = datetime.now(UTC)
        if row is None:
            raise LoginFailed(401, "Invalid refresh token")
        if row.revoked_at is not None:
            await uow.session.execute(
                update(RefreshSession)
                .where(RefreshSession.family_id == row.family_id, RefreshSession.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            await uow.session.commit()
            raise LoginFailed(401, "Refresh token revoked")
        if row.expires_at <= now:
            raise LoginFailed(401, "Refresh token expired")
        user = await uow.session.scalar(select(User).where(User.id == row.user_id, User.deleted_at.is_(None)))
        if user is None:
            raise LoginFailed(401, "Invalid refresh token")
        row.revoked_at = now
        tokens = await _start_session(ctx, uow.session, user, family=row.family_id)
    return tokens


async def logout(ctx: RequestContext, refresh_token: str | None) -> None:
    """Revoke the caller's session (and the refresh token cookie's, if any)."""
    principal = ctx.principal
    async with ctx.unit_of_work(system=True) as uow:
        now = datetime.now(UTC)
        if principal is not None and principal.session_id is not None:
            await uow.session.execute(
                update(RefreshSession)
                .where(RefreshSession.id == principal.session_id, RefreshSession.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        if refresh_token:
            await uow.session.execute(
                update(RefreshSession)
                .where(
                    RefreshSession.token_hash == token_digest(refresh_token),
                    RefreshSession.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )


async def request_reset(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    """Always ``{ok: true}``; when the account exists, a single-use token is mailed via the outbox."""
    email = str((raw or {}).get("email") or "").strip() if isinstance(raw, dict) else ""
    if not email:
        raise ValidationFailed([issue("email", "Required", "invalid_type")])
    if await _count(ctx, f"reset:ip:{ctx.client_ip}", MINUTE) > ctx.settings.login_rate_per_ip:
        raise TooManyRequests()
    # Per account the answer stays {ok: true} (it must not tell whether the account exists); past
    # the hourly budget no further mail is written.
    if await _count(ctx, f"reset:account:{email.lower()}", HOUR) > ctx.settings.reset_rate_per_account:
        return {"ok": True}
    async with ctx.unit_of_work(system=True) as uow:
        users = list(
            (
                await uow.session.execute(
                    select(User).where(func.lower(User.email) == email.lower(), User.deleted_at.is_(None))
                )
            ).scalars()
        )
        expires_at = datetime.now(UTC) + timedelta(seconds=ctx.settings.reset_token_ttl)
        for user in users:
            token = opaque_token(32)
            uow.session.add(
                PasswordReset(
                    id=uuid.uuid4(), user_id=user.id, token_hash=token_digest(token), expires_at=expires_at
                )
            )
            mail = EmailOutbox(
                # The link is a secret: undelivered by the time it expires, the mail is purged.
                expires_at=expires_at,
                id=uuid.uuid4(),
                tenant_id=user.tenant_id,
                to_address=user.email,
                subject="Reset your password",
                body=(
                    "Someone asked to reset the password of this account.\n"
                    f"Open {ctx.settings.public_url}/reset/{token} within "
                    f"{ctx.settings.reset_token_ttl // 60} minutes to choose a new one.\n"
                    "If it was not you, ignore this message."
                ),
            )
            uow.session.add(mail)
            uow.after_commit(_enqueue_mail(ctx, mail.id))
    return {"ok": True}


def _enqueue_mail(ctx: RequestContext, mail_id: uuid.UUID):
    async def job() -> None:
        await enqueue_best_effort(ctx, "send_email", str(mail_id), _job_id=f"mail:{mail_id}")

    return job


async def confirm_reset(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    data = raw if isinstance(raw, dict) else {}
    token, password = str(data.get("token") or ""), str(data.get("password") or "")
    if not token or not password:
        raise ValidationFailed(
            [issue(k, "Required", "invalid_type") for k in ("token", "password") if not data.get(k)]
        )
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed([issue("password", f"At least {MIN_PASSWORD} characters", "too_small")])
    async with ctx.unit_of_work(system=True) as uow:
        reset = await uow.session.scalar(
            select(PasswordReset).where(PasswordReset.token_hash == token_digest(token)).with_for_update()
        )
        now = datetime.now(UTC)
        if reset is None or reset.used_at is not None or reset.expires_at <= now:
            raise LoginFailed(400, "Invalid or expired token")
        user = await uow.session.scalar(
            select(User).where(User.id == reset.user_id, User.deleted_at.is_(None))
        )
        if user is None:
            raise LoginFailed(400, "Invalid or expired token")
        reset.used_at = now
        user.password_hash = hash_password(password)
        await revoke_user_sessions(uow, user.id)
    return {"ok": True, "redirect": "/login"}
