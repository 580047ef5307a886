"""``POST /lead-intake``: a website contact form (name, e-mail, vehicle, message, consent) becomes a
contact person and a deal in the caller's organization, idempotently.

It runs the customers deal injection (``resolvers.customers.inject``): the person is matched by
e-mail (else created), the deal opened in the default pipeline and the form logged as a comment. The
idempotency key is the optional ``externalId``, else a digest of the submission, so the same form
sent twice is one deal.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.customers import Comment, DealPerson
from resolvers.customers.inject import InjectInput, inject_deal
from resolvers.customers.settings import selected_organization
from resolvers.operations import Rest, created_or_found, operation, pick

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
SOURCE = "lead-intake"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]


class LeadIntakeInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    fullName: Name
    primaryEmail: Email
    primaryPhone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    vehicle: Short | None = None
    message: Message | None = None
    marketingConsent: bool = False
    externalId: ExternalId | None = None


class LeadIntakeResult(BaseModel):
    personEntityId: uuid.UUID | None = None
    personProfileId: uuid.UUID | None = None
    dealId: uuid.UUID
    commentId: uuid.UUID | None = None


def idempotency_key(data: LeadIntakeInput) -> str:
    """``externalId`` when given, else a digest of what was submitted (case-insensitive e-mail)."""
    if data.externalId:
        return f"{SOURCE}:{data.externalId}"
    fields = [data.fullName, data.primaryEmail.lower(), data.vehicle or "", data.message or ""]
    return f"{SOURCE}:" + hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:40]


async def _recorded(ctx: RequestContext, deal_id: str) -> dict[str, str | None]:
    """The person and comment an earlier submission recorded for its deal."""
    deal = uuid.UUID(deal_id)
    async with ctx.read_session() as session:
        person = await session.scalar(
            select(DealPerson.person_entity_id).where(DealPerson.deal_id == deal).limit(1)
        )
        comment = await session.scalar(
            select(Comment.id).where(Comment.deal_id == deal).order_by(Comment.created_at).limit(1)
        )
    return {"personEntityId": str(person) if person else None, "commentId": str(comment) if comment else None}


@operation(
    "submit_lead_intake",
    "lead_intake",
    input=LeadIntakeInput,
    output=LeadIntakeResult,
    features=("lead_intake.submit",),
    transaction=False,  # the injection opens its own unit of work
    rest=Rest("POST", "/lead-intake", status=201, reply=created_or_found),
    graphql_result=pick(0),
)
async def submit(ctx: RequestContext, data: LeadIntakeInput) -> tuple[dict[str, Any], bool]:
    """Create (or find again) the contact person and the deal of a website lead form."""
    tenant_id, org_id = await selected_organization(ctx)
    form = {
        "fullname": data.fullName,
        "email": data.primaryEmail,
        "phone": data.primaryPhone or "",
        "vehicle": data.vehicle or "",
        "message": data.message or "",
        "consent": data.marketingConsent,
    }
    body = InjectInput(
        organizationId=org_id,
        tenantId=tenant_id,
        title=f"Lead: {data.fullName}"[:500],
        source=SOURCE,
        externalId=idempotency_key(data),
        payload=form,
    )
    result, created = await inject_deal(ctx, body)
    recorded = result if created else await _recorded(ctx, result["id"])
    return {
        "personEntityId": recorded["personEntityId"],
        "personProfileId": None,
        "dealId": result["id"],
        "commentId": recorded["commentId"],
    }, created
