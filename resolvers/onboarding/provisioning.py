"""``GET /onboarding/onboarding/verify?token=``: the verification link provisions the workspace.

In one unit of work: a tenant named after the organization, its root organization, an ``admin``
role (tenant super admin: every feature, never another tenant) and an ``employee`` role, the admin
user with the password chosen at sign-up, the consents given, and a "workspace ready" mail. The
token works once (the request is locked, checked and completed together) and expires; a used,
expired or unknown token is one 400. Other pending sign-ups of the address lapse.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, Conflict, TooManyRequests
from crmgraph.security import token_digest
from crmgraph.seed import EMPLOYEE_FEATURES, ensure_org, ensure_role
from models.auth import User, UserRole
from models.directory import Tenant
from models.onboarding import OnboardingRequest
from resolvers.auth.entities import EMAIL_IN_USE, USER, record_consent
from resolvers.directory import ORGANIZATION, TENANT
from resolvers.entity import Entity, serialize
from resolvers.events import record_command
from resolvers.onboarding.common import VERIFY_FAILURES, email_in_use, queue_mail, status_token
from resolvers.operations import Rest, operation
from resolvers.ratelimits import exhausted, spend

INVALID = "Invalid or expired token"


class VerifyInput(BaseModel):
    model_config = ConfigDict(extra="ignore", title="OnboardingVerifyInput")
    token: Annotated[str, StringConstraints(max_length=200)] = ""


class Verified(BaseModel):
    model_config = ConfigDict(title="OnboardingVerified")
    ok: bool
    status: str
    tenantId: uuid.UUID
    organizationId: uuid.UUID
    loginUrl: str
    statusToken: str


def _created(ctx: RequestContext, uow: UnitOfWork, entity: Entity, row: Any, tenant_id: uuid.UUID) -> None:
    """The record's domain event and action-log step, as the entity's own create would write them."""
    record_command(
        ctx,
        uow,
        module=entity.module,
        entity=entity.name,
        verb="create",
        event="created",
        resource_id=row.id,
        tenant_id=tenant_id,
        organization_id=getattr(row, "organization_id", None),
        after=serialize(entity, row),
    )


async def provision(ctx: RequestContext, uow: UnitOfWork, request: OnboardingRequest) -> User:
    """The new tenant, its organization, roles and admin user, recorded as commands."""
    session = uow.session
    tenant = Tenant(id=uuid.uuid4(), name=request.organization_name, is_active=True)
    session.add(tenant)
    await session.flush()
    org = await ensure_org(session, tenant, request.organization_name, None)
    admin_role = await ensure_role(session, tenant, "admin", ["*"], super_admin=True)
    await ensure_role(session, tenant, "employee", EMPLOYEE_FEATURES)
    user = User(
        id=uuid.uuid4(),
        tenant_id=tenant.id,
        organization_id=org.id,
        email=request.email,
        name=f"{request.first_name} {request.last_name}",
        password_hash=request.password_hash,
        is_confirmed=True,
        locale=request.locale,
    )
    session.add(user)
    await session.flush()
    session.add(UserRole(user_id=user.id, role_id=admin_role.id))
    record_consent(ctx, uow, user, {"consentType": "terms_of_service", "source": "onboarding"})
    if request.marketing_consent:
        record_consent(ctx, uow, user, {"consentType": "marketing_email", "source": "onboarding"})
    await session.flush()
    for row in (tenant, org, user):
        await session.refresh(row)
    for entity, row in ((TENANT, tenant), (ORGANIZATION, org), (USER, user)):
        _created(ctx, uow, entity, row, tenant.id)
    return user


async def _claim(uow: UnitOfWork, token: str) -> OnboardingRequest | None:
    """The pending, unexpired request of ``token``, locked (a concurrent use waits, then fails)."""
    request = await uow.session.scalar(
        select(OnboardingRequest).where(OnboardingRequest.token_hash == token_digest(token)).with_for_update()
    )
    valid = request is not None and request.status == "pending" and request.password_hash
    return request if valid and request.expires_at > datetime.now(UTC) else None


@operation(
    "verify_onboarding",
    "onboarding",
    input=VerifyInput,
    output=Verified,
    auth=False,
    transaction=False,  # a system unit of work: the tenant does not exist yet
    rest=Rest("GET", "/onboarding/onboarding/verify"),
)
async def verify_onboarding(ctx: RequestContext, data: VerifyInput) -> dict[str, Any]:
    """Use a verification link: creates the tenant, its organization and admin user (once; public,
    failed attempts are rate limited per client address)."""
    if await exhausted(ctx, VERIFY_FAILURES):
        raise TooManyRequests()
    async with ctx.unit_of_work(
        system=True, command="onboarding.request.verify", about="directory.tenant"
    ) as uow:
        request = await _claim(uow, data.token) if len(data.token) >= 32 else None
        if request is None:
            await spend(ctx, VERIFY_FAILURES)
            raise BadRequest(INVALID)
        if await email_in_use(uow.session, request.email):
            raise Conflict(EMAIL_IN_USE)  # registered meanwhile; only the mailbox owner learns it
        user = await provision(ctx, uow, request)
        now = datetime.now(UTC)
        ready = queue_mail(
            ctx,
            uow,
            request.email,
            "Your workspace is ready",
            f"Hi {request.first_name},\n\nthe workspace {request.organization_name} is ready. "
            f"Sign in at {ctx.settings.public_url}/login with this address.",
            tenant_id=user.tenant_id,
        )
        request.status, request.completed_at, request.password_hash = "completed", now, None
        request.tenant_id, request.organization_id, request.user_id = (
            user.tenant_id,
            user.organization_id,
            user.id,
        )
        request.ready_mail_id = ready.id
        await uow.session.execute(  # the address's other sign-ups lapse (their links stop working)
            update(OnboardingRequest)
            .where(
                func.lower(OnboardingRequest.email) == request.email.lower(),
                OnboardingRequest.status == "pending",
                OnboardingRequest.id != request.id,
            )
            .values(status="expired", password_hash=None)
        )
        record_command(
            ctx,
            uow,
            module="onboarding",
            entity="request",
            verb="verify",
            event="verified",
            resource_id=request.id,
            tenant_id=user.tenant_id,
            organization_id=user.organization_id,
            payload={"userId": str(user.id)},
        )
    return {
        "ok": True,
        "status": "completed",
        "tenantId": user.tenant_id,
        "organizationId": user.organization_id,
        "loginUrl": "/login",
        "statusToken": status_token(ctx, request.id),
    }
