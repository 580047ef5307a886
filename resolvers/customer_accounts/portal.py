"""The portal's own routes, for the signed-in customer user (a customer token, never staff)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import func, select, update

from crmgraph.context import RequestContext
from crmgraph.eventhub import Closed, hub_for
from crmgraph.security import hash_password, token_digest, verify_password
from models.customer_accounts import (
    CustomerNotification,
    CustomerRole,
    CustomerSession,
    CustomerUser,
    CustomerUserRole,
)
from resolvers.customer_accounts.common import (
    REFRESH,
    Customer,
    Failed,
    Name,
    Password,
    Secret,
    audit,
    current_customer,
    iso,
    new_token,
    now,
    portal_operation,
    revoke_sessions,
    role_ref,
    start_session,
    unauthorized,
    user_body,
    user_brief,
    user_roles,
)
from resolvers.customer_accounts.public import email_taken, mail_link
from resolvers.event_stream.stream import HEARTBEAT_SECONDS, MAX_STREAM_SECONDS, RETRY_MS, event_body
from resolvers.operations import ServerSentEvent
from resolvers.scope import parse_uuid

USERS_MANAGE = "portal.users.manage"
USERS_VIEW = "portal.users.view"


def _id(raw: str) -> uuid.UUID:
    found = parse_uuid(raw)
    if found is None:
        raise Failed(404, "Not found")
    return found


# --- session ------------------------------------------------------------------------------------


@portal_operation("customer_portal_logout", "POST", "/portal/logout")
async def logout(ctx: RequestContext) -> dict[str, Any]:
    """Revoke the current session; the adapter clears the cookies."""
    me = await current_customer(ctx)
    async with ctx.unit_of_work(system=True, command="customer_accounts.logout") as uow:
        await uow.session.execute(
            update(CustomerSession).where(CustomerSession.id == me.session_id).values(revoked_at=now())
        )
        audit(ctx, uow, "session", "logout", me.session_id, me.tenant_id)
    return {"ok": True, "_clear": True}


@portal_operation("customer_portal_sessions_refresh", "POST", "/portal/sessions-refresh")
async def sessions_refresh(ctx: RequestContext) -> dict[str, Any]:
    """Rotate the session cookie's refresh token into a new session and access token. A rotated
    token used again revokes its whole family."""
    secret = ctx.cache.get(REFRESH)
    if not secret:
        raise unauthorized()
    failure: Failed | None = None
    async with ctx.unit_of_work(system=True, command="customer_accounts.session_refresh") as uow:
        row = await uow.session.scalar(
            select(CustomerSession)
            .where(CustomerSession.token_hash == token_digest(secret))
            .with_for_update()
        )
        if row is None or row.expires_at <= now():
            raise unauthorized()
        if row.revoked_at is not None:
            await uow.session.execute(
                update(CustomerSession)
                .where(CustomerSession.family_id == row.family_id, CustomerSession.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            failure = Failed(401, "Session revoked")
        else:
            user = await uow.session.scalar(
                select(CustomerUser).where(
                    CustomerUser.id == row.user_id,
                    CustomerUser.deleted_at.is_(None),
                    CustomerUser.is_active.is_(True),
                )
            )
            if user is None:
                raise unauthorized()
            row.revoked_at = now()
            tokens = await start_session(ctx, uow, user, family=row.family_id)
            roles = await user_roles(uow.session, user.id)
    if failure is not None:  # the family revocation is committed; the answer is still 401
        raise failure
    return {
        "ok": True,
        "resolvedFeatures": sorted({f for r in roles for f in r.features or []}),
        "_tokens": tokens,
    }


@portal_operation("customer_portal_sessions", "GET", "/portal/sessions", kind="query")
async def sessions(ctx: RequestContext) -> dict[str, Any]:
    """The caller's live sessions (the current one flagged)."""
    me = await current_customer(ctx)
    async with ctx.read_session(system=True) as session:
        rows = await session.scalars(
            select(CustomerSession)
            .where(
                CustomerSession.user_id == me.user.id,
                CustomerSession.tenant_id == me.tenant_id,
                CustomerSession.revoked_at.is_(None),
                CustomerSession.expires_at > now(),
            )
            .order_by(CustomerSession.created_at.desc())
        )
        items = [
            {
                "id": str(s.id),
                "ipAddress": s.ip_address,
                "userAgent": s.user_agent,
                "lastUsedAt": iso(s.last_used_at),
                "createdAt": iso(s.created_at),
                "expiresAt": iso(s.expires_at),
                "isCurrent": s.id == me.session_id,
            }
            for s in rows
        ]
    return {"ok": True, "sessions": items}


class IdInput(BaseModel):
    id: str = Field(max_length=64)


@portal_operation("customer_portal_session_revoke", "DELETE", "/portal/sessions/{id}", input=IdInput)
async def revoke_session(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """Revoke one of the caller's other sessions."""
    me = await current_customer(ctx)
    target = _id(data.id)
    if target == me.session_id:
        raise Failed(400, "Use logout to end the current session")
    async with ctx.unit_of_work(system=True, command="customer_accounts.session_revoke") as uow:
        done = await uow.session.execute(
            update(CustomerSession)
            .where(
                CustomerSession.id == target,
                CustomerSession.user_id == me.user.id,
                CustomerSession.revoked_at.is_(None),
            )
            .values(revoked_at=now())
        )
        if done.rowcount == 0:
            raise Failed(404, "Session not found")
        audit(ctx, uow, "session", "revoked", target, me.tenant_id)
    return {"ok": True}


# --- profile ------------------------------------------------------------------------------------


@portal_operation("customer_portal_profile", "GET", "/portal/profile", kind="query")
async def profile(ctx: RequestContext) -> dict[str, Any]:
    """The caller with roles, resolved features and the portal-admin flag."""
    me = await current_customer(ctx)
    return {
        "ok": True,
        "user": user_body(me.user),
        "roles": [role_ref(r) for r in me.roles],
        "resolvedFeatures": me.features,
        "isPortalAdmin": me.is_portal_admin,
    }


class ProfileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    displayName: Name | None = None


@portal_operation("customer_portal_profile_update", "PUT", "/portal/profile", input=ProfileInput)
async def update_profile(ctx: RequestContext, data: ProfileInput) -> dict[str, Any]:
    """Change the caller's display name."""
    me = await current_customer(ctx)
    async with ctx.unit_of_work(system=True, command="customer_accounts.profile_update") as uow:
        user = await uow.session.get(CustomerUser, me.user.id)
        if data.displayName is not None:
            user.display_name = data.displayName
        audit(ctx, uow, "user", "updated", user.id, user.tenant_id)
    return {"ok": True, "user": {k: v for k, v in user_brief(user).items() if k != "emailVerified"}}


class PasswordChangeInput(BaseModel):
    currentPassword: Secret
    newPassword: Password


@portal_operation(
    "customer_portal_password_change", "POST", "/portal/password-change", input=PasswordChangeInput
)
async def password_change(ctx: RequestContext, data: PasswordChangeInput) -> dict[str, Any]:
    """Verify the current password, set the new one and end the caller's other sessions."""
    me = await current_customer(ctx)
    if not verify_password(me.user.password_hash, data.currentPassword):
        raise Failed(400, "Current password is incorrect")
    async with ctx.unit_of_work(system=True, command="customer_accounts.password_change") as uow:
        user = await uow.session.get(CustomerUser, me.user.id)
        user.password_hash = hash_password(data.newPassword)
        await revoke_sessions(uow, user.id, keep=me.session_id)
        audit(ctx, uow, "user", "password_changed", user.id, user.tenant_id)
    return {"ok": True}


class FeatureCheckInput(BaseModel):
    features: list[Secret] = Field(max_length=100)


@portal_operation(
    "customer_portal_feature_check", "POST", "/portal/feature-check", input=FeatureCheckInput, kind="query"
)
async def feature_check(ctx: RequestContext, data: FeatureCheckInput) -> dict[str, Any]:
    """Which of the asked features the caller holds."""
    me = await current_customer(ctx)
    return {"ok": True, "granted": [f for f in data.features if me.has(f)]}


# --- notifications ------------------------------------------------------------------------------


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str | None = Field(None, max_length=20)
    page: int = Field(1, ge=1, le=100_000)
    pageSize: int = Field(20, ge=1, le=100)


def _notification(n: CustomerNotification) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "type": n.type,
        "title": n.title,
        "body": n.body,
        "titleKey": None,
        "bodyKey": None,
        "titleVariables": None,
        "bodyVariables": None,
        "icon": None,
        "severity": n.severity,
        "status": n.status,
        "actions": n.actions or [],
        "sourceModule": n.source_module,
        "sourceEntityType": n.source_entity_type,
        "sourceEntityId": n.source_entity_id,
        "linkHref": n.link_href,
        "createdAt": iso(n.created_at),
        "readAt": iso(n.read_at),
        "actionTaken": None,
    }


def _mine(me: Customer) -> Any:
    return (CustomerNotification.user_id == me.user.id) & (CustomerNotification.tenant_id == me.tenant_id)


@portal_operation(
    "customer_portal_notifications", "GET", "/portal/notifications", input=NotificationQuery, kind="query"
)
async def notifications(ctx: RequestContext, data: NotificationQuery) -> dict[str, Any]:
    """The caller's notifications, newest first; dismissed ones only when asked for."""
    me = await current_customer(ctx)
    where = _mine(me) & (
        CustomerNotification.status == data.status
        if data.status
        else CustomerNotification.status != "dismissed"
    )
    async with ctx.read_session(system=True) as session:
        total = await session.scalar(select(func.count()).select_from(CustomerNotification).where(where))
        rows = await session.scalars(
            select(CustomerNotification)
            .where(where)
            .order_by(CustomerNotification.created_at.desc(), CustomerNotification.id)
            .offset((data.page - 1) * data.pageSize)
            .limit(data.pageSize)
        )
        items = [_notification(n) for n in rows]
    return {"ok": True, "items": items, "total": total, "page": data.page, "pageSize": data.pageSize}


@portal_operation(
    "customer_portal_notifications_unread_count", "GET", "/portal/notifications/unread-count", kind="query"
)
async def unread_count(ctx: RequestContext) -> dict[str, Any]:
    me = await current_customer(ctx)
    async with ctx.read_session(system=True) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(CustomerNotification)
            .where(_mine(me), CustomerNotification.status == "unread")
        )
    return {"ok": True, "unreadCount": count}


async def _set_status(ctx: RequestContext, raw_id: str, status: str) -> dict[str, Any]:
    me = await current_customer(ctx)
    target = _id(raw_id)
    async with ctx.unit_of_work(system=True, command=f"customer_accounts.notification_{status}") as uow:
        row = await uow.session.scalar(
            select(CustomerNotification).where(_mine(me), CustomerNotification.id == target).with_for_update()
        )
        if row is None:
            raise Failed(404, "Notification not found")
        row.status = status
        row.read_at = row.read_at or now()
        audit(ctx, uow, "notification", status, row.id, me.tenant_id)
    return {"ok": True}


@portal_operation(
    "customer_portal_notification_read", "PUT", "/portal/notifications/{id}/read", input=IdInput
)
async def notification_read(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    return await _set_status(ctx, data.id, "read")


@portal_operation(
    "customer_portal_notification_dismiss", "PUT", "/portal/notifications/{id}/dismiss", input=IdInput
)
async def notification_dismiss(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    return await _set_status(ctx, data.id, "dismissed")


@portal_operation("customer_portal_notifications_mark_all_read", "PUT", "/portal/notifications/mark-all-read")
async def mark_all_read(ctx: RequestContext) -> dict[str, Any]:
    me = await current_customer(ctx)
    async with ctx.unit_of_work(system=True, command="customer_accounts.notifications_mark_all_read") as uow:
        done = await uow.session.execute(
            update(CustomerNotification)
            .where(_mine(me), CustomerNotification.status == "unread")
            .values(status="read", read_at=now())
        )
        audit(ctx, uow, "notification", "all_read", me.user.id, me.tenant_id, count=done.rowcount)
    return {"ok": True, "count": done.rowcount}


# --- company users ------------------------------------------------------------------------------


def _company(me: Customer) -> Any:
    """Portal users of the caller's company (only the caller when it has no company link)."""
    if me.user.customer_entity_id is None:
        return CustomerUser.id == me.user.id
    return CustomerUser.customer_entity_id == me.user.customer_entity_id


async def _colleague(session: Any, me: Customer, raw_id: str) -> CustomerUser:
    found = await session.scalar(
        select(CustomerUser).where(
            CustomerUser.id == _id(raw_id),
            CustomerUser.tenant_id == me.tenant_id,
            CustomerUser.deleted_at.is_(None),
            _company(me),
        )
    )
    if found is None:
        raise Failed(404, "User not found")
    return found


@portal_operation("customer_portal_users", "GET", "/portal/users", kind="query")
async def company_users(ctx: RequestContext) -> dict[str, Any]:
    """The portal users of the caller's company, with their roles."""
    me = await current_customer(ctx)
    me.require(USERS_VIEW)
    async with ctx.read_session(system=True) as session:
        users = list(
            await session.scalars(
                select(CustomerUser)
                .where(
                    CustomerUser.tenant_id == me.tenant_id, CustomerUser.deleted_at.is_(None), _company(me)
                )
                .order_by(CustomerUser.email)
            )
        )
        bodies = []
        for user in users:
            body = user_body(user, await user_roles(session, user.id))
            bodies.append({k: body[k] for k in body if k not in ("customerEntityId", "personEntityId")})
    return {"ok": True, "users": bodies}


class InviteInput(BaseModel):
    email: str = Field(max_length=320)
    roleIds: list[uuid.UUID] = Field(default_factory=list, max_length=20)


async def assignable_roles(
    session: Any, tenant_id: uuid.UUID, role_ids: list[uuid.UUID], customer_only: bool
) -> list[CustomerRole]:
    """The named live roles of the tenant (400 for any other id; customers may only hand out
    ``customer_assignable`` ones)."""
    if not role_ids:
        return []
    roles = list(
        await session.scalars(
            select(CustomerRole).where(
                CustomerRole.id.in_(role_ids),
                CustomerRole.tenant_id == tenant_id,
                CustomerRole.deleted_at.is_(None),
            )
        )
    )
    if len(roles) != len(set(role_ids)):
        raise Failed(400, "Unknown role")
    if customer_only and any(not r.customer_assignable for r in roles):
        raise Failed(403, "Role is not assignable by customers")
    return roles


async def invite(
    ctx: RequestContext,
    tenant_id: uuid.UUID,
    email: str,
    role_ids: list[uuid.UUID],
    *,
    customer_only: bool,
    customer_entity_id: uuid.UUID | None = None,
    **by: Any,
) -> dict[str, Any]:
    """Mail an invitation (single-use token) to join the portal with the given roles."""
    from resolvers.customer_accounts.common import _email

    try:
        email = _email(email)
    except ValueError:
        raise Failed(400, "Invalid email") from None
    async with ctx.unit_of_work(system=True, command="customer_accounts.invite") as uow:
        if await email_taken(uow.session, tenant_id, email):
            raise Failed(409, "Email already registered")
        roles = await assignable_roles(uow.session, tenant_id, role_ids, customer_only)
        secret, token = new_token(
            uow,
            "invite",
            tenant_id,
            email,
            role_ids=[str(r.id) for r in roles],
            customer_entity_id=customer_entity_id,
            **by,
        )
        mail_link(ctx, uow, email, tenant_id, "invite", secret, token.expires_at)
        audit(ctx, uow, "invitation", "created", token.id, tenant_id)
    return {
        "ok": True,
        "invitation": {"id": str(token.id), "email": email, "expiresAt": iso(token.expires_at)},
    }


@portal_operation("customer_portal_users_invite", "POST", "/portal/users-invite", input=InviteInput)
async def company_invite(ctx: RequestContext, data: InviteInput) -> dict[str, Any]:
    """Invite a colleague to the caller's company portal."""
    me = await current_customer(ctx)
    me.require(USERS_MANAGE)
    body = await invite(
        ctx,
        me.tenant_id,
        data.email,
        data.roleIds,
        customer_only=True,
        customer_entity_id=me.user.customer_entity_id,
        invited_by_customer_id=me.user.id,
    )
    return body


@portal_operation("customer_portal_user_delete", "DELETE", "/portal/users/{id}", input=IdInput)
async def company_user_delete(ctx: RequestContext, data: IdInput) -> dict[str, Any]:
    """Soft delete a colleague and end their sessions (never oneself)."""
    me = await current_customer(ctx)
    me.require(USERS_MANAGE)
    async with ctx.unit_of_work(system=True, command="customer_accounts.portal_user_delete") as uow:
        user = await _colleague(uow.session, me, data.id)
        if user.id == me.user.id:
            raise Failed(400, "You cannot delete yourself")
        user.deleted_at = now()
        await revoke_sessions(uow, user.id)
        audit(ctx, uow, "user", "deleted", user.id, me.tenant_id)
    return {"ok": True}


class RolesInput(BaseModel):
    id: str = Field(max_length=64)
    roleIds: list[uuid.UUID] = Field(max_length=20)


async def set_roles(uow: Any, user: CustomerUser, roles: list[CustomerRole]) -> None:
    await uow.session.execute(CustomerUserRole.__table__.delete().where(CustomerUserRole.user_id == user.id))
    for role in roles:
        uow.session.add(
            CustomerUserRole(id=uuid.uuid4(), tenant_id=user.tenant_id, user_id=user.id, role_id=role.id)
        )


@portal_operation("customer_portal_user_roles", "PUT", "/portal/users/{id}/roles", input=RolesInput)
async def company_user_roles(ctx: RequestContext, data: RolesInput) -> dict[str, Any]:
    """Replace a colleague's roles with customer-assignable ones."""
    me = await current_customer(ctx)
    me.require(USERS_MANAGE)
    async with ctx.unit_of_work(system=True, command="customer_accounts.portal_user_roles") as uow:
        user = await _colleague(uow.session, me, data.id)
        roles = await assignable_roles(uow.session, me.tenant_id, data.roleIds, customer_only=True)
        await set_roles(uow, user, roles)
        audit(ctx, uow, "user", "roles_assigned", user.id, me.tenant_id)
    return {"ok": True}


# --- live events --------------------------------------------------------------------------------


class PortalStream:
    """Events of the customer's tenant marked ``portalBroadcast: true`` (and of its organization
    when the event names one), with heartbeats."""

    def __init__(self, me: Customer, subscription: Any) -> None:
        self.me, self.subscription, self.greeted = me, subscription, False
        self.ends_at = asyncio.get_running_loop().time() + MAX_STREAM_SECONDS

    def __aiter__(self) -> PortalStream:
        return self

    def _wanted(self, event: Any) -> bool:
        org = event.organization_id
        return (event.payload or {}).get("portalBroadcast") is True and (
            org is None or org == self.me.user.organization_id
        )

    async def __anext__(self) -> ServerSentEvent:
        if not self.greeted:
            self.greeted = True
            return ServerSentEvent(comment="connected", retry=RETRY_MS)
        loop = asyncio.get_running_loop()
        while True:
            left = self.ends_at - loop.time()
            if left <= 0:
                raise StopAsyncIteration
            try:
                event = await self.subscription.next(min(HEARTBEAT_SECONDS, left))
            except Closed:
                raise StopAsyncIteration from None
            if event is None:
                return ServerSentEvent(comment="heartbeat")
            if self._wanted(event):
                return ServerSentEvent(event=event.name, id=str(event.id), data=event_body(event))

    async def aclose(self) -> None:
        self.subscription.close("done")


class StreamInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    lastEventId: SkipJsonSchema[str | None] = None


@portal_operation(
    "customer_portal_events_stream",
    "GET",
    "/portal/events/stream",
    input=StreamInput,
    kind="query",
    stream=True,
)
async def events_stream(ctx: RequestContext, data: StreamInput) -> PortalStream:
    """Server-sent events broadcast to the portal."""
    me = await current_customer(ctx)
    hub = hub_for(ctx.sessionmaker, ctx.settings.database_url)
    return PortalStream(me, await hub.subscribe(me.tenant_id))
