"""``POST /onboarding/onboarding``: a self-service sign-up (name, organization, e-mail, password).

The answer never tells whether the e-mail already has an account: every valid submission answers
``{ok: true, email, statusToken}`` after the same password-hashing work. Then, at most once per
recipient and ten minutes: a new address gets a single-use verification link (the token is stored
as a digest and expires), an address with an account gets a notice without anything the submitter
wrote. ``GET /onboarding/onboarding/status`` follows a submission by its status token.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound
from crmgraph.security import hash_password, opaque_token, token_digest
from models.auth import EmailOutbox
from models.onboarding import OnboardingRequest
from resolvers.auth.entities import MIN_PASSWORD
from resolvers.events import record_command
from resolvers.onboarding.common import (
    ONBOARDING_MAIL,
    STATUS_CHECKS,
    SUBMISSIONS,
    Email,
    email_in_use,
    queue_mail,
    read_status_token,
    status_token,
)
from resolvers.operations import Rest, operation
from resolvers.ratelimits import email_subject, require, spend
from resolvers.validation import no_nul

REQUEST_TTL = timedelta(hours=24)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Password = Annotated[str, StringConstraints(min_length=MIN_PASSWORD, max_length=200)]


class StartInput(BaseModel):
    model_config = ConfigDict(extra="ignore", title="OnboardingStartInput")
    email: Email
    firstName: Name
    lastName: Name
    organizationName: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    password: Password
    confirmPassword: str | None = None
    termsAccepted: Literal[True]
    marketingConsent: bool = False
    locale: (
        Annotated[str, StringConstraints(min_length=2, max_length=10, pattern=r"^[A-Za-z_-]+$")] | None
    ) = None

    @model_validator(mode="after")
    def passwords_match(self) -> StartInput:
        no_nul(self.password)
        if self.confirmPassword is not None and self.confirmPassword != self.password:
            raise ValueError("Passwords must match")
        return self


class StartResult(BaseModel):
    model_config = ConfigDict(title="OnboardingStarted")
    ok: bool
    email: str
    statusToken: str


def _verification_mail(ctx: RequestContext, request: OnboardingRequest, token: str) -> tuple[str, str]:
    link = f"{ctx.settings.public_url}/api/onboarding/onboarding/verify?token={token}"
    body = (
        f"Hi {request.first_name},\n\n"
        f"confirm this address to create the workspace {request.organization_name}:\n{link}\n\n"
        f"The link works once, within {int(REQUEST_TTL.total_seconds() // 3600)} hours. "
        "If you did not sign up, ignore this message."
    )
    return "Confirm your email to finish onboarding", body


def _existing_account_mail(ctx: RequestContext) -> tuple[str, str]:
    body = (
        "Someone tried to create a new workspace with this address, which already has an account.\n"
        f"Sign in at {ctx.settings.public_url}/login, or reset your password there if you forgot it.\n"
        "If it was not you, ignore this message."
    )
    return "You already have an account", body


@operation(
    "start_onboarding",
    "onboarding",
    input=StartInput,
    output=StartResult,
    auth=False,
    transaction=False,  # a system unit of work: there is no tenant yet
    rest=Rest("POST", "/onboarding/onboarding"),
)
async def start_onboarding(ctx: RequestContext, data: StartInput) -> dict[str, Any]:
    """Sign up for a workspace: mails a verification link (the answer is the same whether or not the
    address already has an account; rate limited per client address and per recipient)."""
    await require(ctx, SUBMISSIONS)
    password_hash = await asyncio.to_thread(hash_password, data.password)  # same work on every path
    reference = uuid.uuid4()  # the request's id, or a handle on nothing when no request is made
    if await spend(ctx, ONBOARDING_MAIL, email_subject(data.email)):
        async with ctx.unit_of_work(system=True, command="onboarding.request.submit") as uow:
            if await email_in_use(uow.session, data.email):
                subject, body = _existing_account_mail(ctx)
                queue_mail(ctx, uow, data.email, subject, body)
            else:
                token = opaque_token(32)
                request = OnboardingRequest(
                    id=reference,
                    email=data.email,
                    token_hash=token_digest(token),
                    status="pending",
                    first_name=data.firstName,
                    last_name=data.lastName,
                    organization_name=data.organizationName,
                    locale=data.locale,
                    marketing_consent=data.marketingConsent,
                    password_hash=password_hash,
                    expires_at=datetime.now(UTC) + REQUEST_TTL,
                )
                uow.session.add(request)
                subject, body = _verification_mail(ctx, request, token)
                # The link is a secret: undelivered by the time it expires, the mail body is purged.
                queue_mail(ctx, uow, data.email, subject, body, expires_at=request.expires_at)
                record_command(
                    ctx,
                    uow,
                    module="onboarding",
                    entity="request",
                    verb="submit",
                    event="submitted",
                    resource_id=request.id,
                    tenant_id=None,
                    payload={"organizationName": data.organizationName},
                )
    return {"ok": True, "email": data.email, "statusToken": status_token(ctx, reference)}


class StatusInput(BaseModel):
    model_config = ConfigDict(extra="ignore", title="OnboardingStatusInput")
    token: Annotated[str, StringConstraints(max_length=4000)]


class StatusResult(BaseModel):
    model_config = ConfigDict(title="OnboardingStatus")
    ok: bool
    status: Literal["pending", "completed", "expired"]
    ready: bool
    emailSent: bool
    tenantId: str | None = None
    loginUrl: str | None = None


@operation(
    "onboarding_status",
    "onboarding",
    input=StatusInput,
    output=StatusResult,
    kind="query",
    auth=False,
    rest=Rest("GET", "/onboarding/onboarding/status"),
)
async def onboarding_status(ctx: RequestContext, data: StatusInput) -> dict[str, Any]:
    """Where a sign-up stands, by the status token its submission answered (public, rate limited):
    pending until the link is used, then completed with the new tenant, or expired."""
    await require(ctx, STATUS_CHECKS)
    reference = read_status_token(ctx, data.token)
    if reference is None:
        raise NotFound("Onboarding request not found")
    async with ctx.read_session(system=True) as session:
        request = await session.get(OnboardingRequest, reference)
        mail = (
            await session.get(EmailOutbox, request.ready_mail_id)
            if request and request.ready_mail_id
            else None
        )
    # A submission that made no request (throttled, or an existing account) reads as pending: the
    # answer must not tell which.
    status = "pending" if request is None else request.status
    if status == "pending" and request is not None and request.expires_at <= datetime.now(UTC):
        status = "expired"
    ready = status == "completed"
    return {
        "ok": True,
        "status": status,
        "ready": ready,
        "emailSent": bool(mail and mail.status == "sent"),
        "tenantId": str(request.tenant_id) if ready else None,
        "loginUrl": "/login" if ready else None,
    }
