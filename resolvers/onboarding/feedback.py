"""``POST /onboarding/demo-feedback``: a feedback or contact request from the demo environment,
mailed to the installation's administrator and (``sendCopy``) to the sender. Public: limited per
client address, and at most one copy per recipient and ten minutes (it cannot flood an inbox)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from crmgraph.context import RequestContext
from resolvers.events import record_command
from resolvers.onboarding.common import FEEDBACK, FEEDBACK_COPY, Email, queue_mail
from resolvers.operations import Rest, operation
from resolvers.ratelimits import email_subject, require, spend


class FeedbackInput(BaseModel):
    model_config = ConfigDict(extra="ignore", title="DemoFeedbackInput")
    email: Email
    message: Annotated[str, StringConstraints(max_length=5000)] = ""
    termsAccepted: Literal[True]
    marketingConsent: bool = False
    sendCopy: bool = True


class FeedbackSent(BaseModel):
    model_config = ConfigDict(title="DemoFeedbackSent")
    ok: bool
    copySent: bool


@operation(
    "submit_demo_feedback",
    "onboarding",
    input=FeedbackInput,
    output=FeedbackSent,
    auth=False,
    transaction=False,  # a system unit of work: the sender has no tenant
    rest=Rest("POST", "/onboarding/demo-feedback"),
)
async def submit_demo_feedback(ctx: RequestContext, data: FeedbackInput) -> dict[str, Any]:
    """Send demo feedback to the administrator, and a copy to the sender when asked."""
    await require(ctx, FEEDBACK)
    consent = "Marketing consent: " + ("yes" if data.marketingConsent else "no")
    message = data.message.strip() or "(no message provided)"
    async with ctx.unit_of_work(system=True, command="onboarding.demo_feedback.submit") as uow:
        admin_mail = queue_mail(
            ctx,
            uow,
            ctx.settings.admin_email,
            f"Demo feedback from {data.email}",
            f"{data.email} sent feedback from the demo environment.\n\n{message}\n\n{consent}",
        )
        copy = data.sendCopy and await spend(ctx, FEEDBACK_COPY, email_subject(data.email))
        if copy:
            queue_mail(
                ctx,
                uow,
                data.email,
                "Your feedback",
                f"Thank you for reaching out. A copy of your message:\n\n{message}\n\n{consent}",
            )
        record_command(
            ctx,
            uow,
            module="onboarding",
            entity="demo_feedback",
            verb="submit",
            event="submitted",
            resource_id=admin_mail.id,
            tenant_id=None,
            payload={"email": data.email, "marketingConsent": data.marketingConsent},
        )
    return {"ok": True, "copySent": bool(copy)}
