"""Operations on received emails: archive (PATCH), delete, reprocess, and ``extract`` (an email
from pasted text, through the same pipeline as the webhook)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest
from models.inbox_ops import InboxEmail, InboxProposal
from resolvers.events import record_command
from resolvers.inbox_ops.entities import INBOX_EMAIL, INBOX_PROPOSAL, MANAGE, MODULE
from resolvers.inbox_ops.extractor import EMAIL
from resolvers.inbox_ops.pipeline import now, process, receive, snapshot
from resolvers.operations import Rest, operation, reloaded
from resolvers.scope import load_in_scope, org_scope
from resolvers.validation import text as bounded


def _address(value: str) -> str:
    if not EMAIL.fullmatch(value.strip()):
        raise ValueError("An email address")
    return value.strip().lower()


Address = Annotated[bounded(320), AfterValidator(_address)]


class EmailId(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: bounded(64)


class EmailPatch(EmailId):
    isArchived: bool | None = None


class ExtractInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: bounded(100_000)
    subject: bounded(500) = ""
    fromAddress: Address = "unknown@example.com"
    fromName: bounded(200) | None = None


async def latest_proposal(session: Any, email_id: uuid.UUID) -> InboxProposal | None:
    return await session.scalar(
        select(InboxProposal)
        .where(InboxProposal.email_id == email_id)
        .order_by(InboxProposal.created_at.desc())
    )


def _record(ctx: RequestContext, uow: Any, email: InboxEmail, verb: str, **extra: Any) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="email",
        verb=verb,
        resource_id=email.id,
        tenant_id=email.tenant_id,
        organization_id=email.organization_id,
        **extra,
    )


@operation(
    "inbox_ops_update_email",
    MODULE,
    output=INBOX_EMAIL,
    graphql_result=reloaded(INBOX_EMAIL, lambda r: r["email"]["id"]),
    input=EmailPatch,
    features=(MANAGE,),
    rest=Rest("PATCH", "/inbox_ops/emails/{id}"),
)
async def update_email(ctx: RequestContext, data: EmailPatch) -> dict[str, Any]:
    """Archive or unarchive an email."""
    async with ctx.unit_of_work() as uow:
        email = await load_in_scope(ctx, uow.session, InboxEmail, data.id, "Email", lock=True)
        before = await snapshot(uow.session, INBOX_EMAIL, email)
        if data.isArchived is not None:
            email.is_archived = data.isArchived
        await uow.session.flush()
        after = await snapshot(uow.session, INBOX_EMAIL, email)
        _record(ctx, uow, email, "update", before=before, after=after)
    return {"ok": True, "email": after}


@operation(
    "inbox_ops_delete_email",
    MODULE,
    input=EmailId,
    features=(MANAGE,),
    rest=Rest("DELETE", "/inbox_ops/emails/{id}"),
)
async def delete_email(ctx: RequestContext, data: EmailId) -> dict[str, Any]:
    """Delete an email from the log (its open proposals are rejected)."""
    from resolvers.inbox_ops.pipeline import supersede

    async with ctx.unit_of_work() as uow:
        email = await load_in_scope(ctx, uow.session, InboxEmail, data.id, "Email", lock=True)
        await supersede(uow, email)
        email.deleted_at = now()
        _record(ctx, uow, email, "delete")
    return {"ok": True, "id": str(email.id)}


@operation(
    "inbox_ops_reprocess_email",
    MODULE,
    output=INBOX_PROPOSAL,
    graphql_result=reloaded(INBOX_PROPOSAL, lambda r: r["proposal"]["id"]),
    input=EmailId,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/emails/{id}/reprocess"),
)
async def reprocess_email(ctx: RequestContext, data: EmailId) -> dict[str, Any]:
    """Run the extractor again: open proposals of the email are superseded by a new one."""
    async with ctx.unit_of_work() as uow:
        email = await load_in_scope(ctx, uow.session, InboxEmail, data.id, "Email", lock=True)
        if email.status == "processing":
            raise BadRequest("The email is being processed")
        proposal = await process(ctx, uow, email)
        _record(ctx, uow, email, "reprocess")
        return {
            "ok": True,
            "email": await snapshot(uow.session, INBOX_EMAIL, email),
            "proposal": await snapshot(uow.session, INBOX_PROPOSAL, proposal),
        }


@operation(
    "inbox_ops_extract",
    MODULE,
    output=INBOX_EMAIL,
    graphql_result=reloaded(INBOX_EMAIL, lambda r: r["emailId"]),
    input=ExtractInput,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/extract", status=201),
)
async def extract_text(ctx: RequestContext, data: ExtractInput) -> dict[str, Any]:
    """Create an email from raw text and run the extraction pipeline over it."""
    scope = await org_scope(ctx)
    async with ctx.unit_of_work() as uow:
        email = await receive(
            ctx,
            uow,
            tenant_id=scope.tenant_id,
            organization_id=scope.selected_org_id or ctx.require_auth().org_id,
            from_address=str(data.fromAddress),
            from_name=data.fromName,
            subject=data.subject,
            text_body=data.text,
            source="manual",
        )
        proposal = await latest_proposal(uow.session, email.id)
        return {
            "ok": True,
            "emailId": str(email.id),
            "proposalId": str(proposal.id) if proposal else None,
            "status": email.status,
        }
