"""Operations on proposals: detail (with actions, discrepancies and the source email), counts,
categorize, reject, accept-all, translate."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict
from models.inbox_ops import InboxEmail, InboxProposal, InboxProposalAction
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.inbox_ops.entities import (
    INBOX_ACTION,
    INBOX_EMAIL,
    INBOX_PROPOSAL,
    MANAGE,
    MODULE,
    PROPOSAL_STATUS,
    VIEW,
)
from resolvers.inbox_ops.extractor import CATEGORIES
from resolvers.inbox_ops.translation import LOCALES, translate_proposal
from resolvers.operations import Rest, operation, reloaded
from resolvers.scope import entity_conditions, load_in_scope
from resolvers.validation import text


class ProposalId(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


class CategorizeInput(ProposalId):
    category: Literal[CATEGORIES]  # type: ignore[valid-type]


class TranslateInput(ProposalId):
    targetLocale: Literal[LOCALES]  # type: ignore[valid-type]


async def load_proposal(
    ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False
) -> InboxProposal:
    return await load_in_scope(ctx, session, InboxProposal, ident, "Proposal", lock=lock)


async def actions_of(session: Any, proposal_id: uuid.UUID) -> list[InboxProposalAction]:
    query = (
        select(InboxProposalAction)
        .where(InboxProposalAction.proposal_id == proposal_id)
        .order_by(InboxProposalAction.sort_order)
    )
    return list((await session.execute(query)).scalars())


def record(ctx: RequestContext, uow: UnitOfWork, proposal: InboxProposal, verb: str, **extra: Any) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="proposal",
        verb=verb,
        resource_id=proposal.id,
        tenant_id=proposal.tenant_id,
        organization_id=proposal.organization_id,
        **extra,
    )


async def settle(uow: UnitOfWork, proposal: InboxProposal) -> None:
    """The proposal's status from its actions' (pending while any is open)."""
    statuses = [a.status for a in await actions_of(uow.session, proposal.id)]
    if not statuses or any(s in ("pending", "failed") for s in statuses):
        target = "partial" if any(s not in ("pending", "failed") for s in statuses) else proposal.status
    elif all(s == "rejected" for s in statuses):
        target = "rejected"
    else:
        target = "accepted"
    if target != proposal.status:
        PROPOSAL_STATUS.check(proposal.status, target)
        proposal.status = target


def require_open(proposal: InboxProposal) -> None:
    if proposal.status not in ("pending", "partial"):
        raise Conflict(f"The proposal is already {proposal.status}", code="invalid_transition")


async def detail(ctx: RequestContext, session: Any, proposal: InboxProposal) -> dict[str, Any]:
    email = await session.get(InboxEmail, proposal.email_id)
    return {
        "proposal": serialize(INBOX_PROPOSAL, proposal),
        "actions": [serialize(INBOX_ACTION, a) for a in await actions_of(session, proposal.id)],
        "discrepancies": list(proposal.discrepancies or []),
        "email": serialize(INBOX_EMAIL, email) if email is not None and email.deleted_at is None else None,
    }


@operation(
    "inbox_ops_proposal",
    MODULE,
    output=INBOX_PROPOSAL,
    graphql_result=reloaded(INBOX_PROPOSAL, lambda r: r["proposal"]["id"]),
    input=ProposalId,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/inbox_ops/proposals/{id}"),
)
async def get_proposal(ctx: RequestContext, data: ProposalId) -> dict[str, Any]:
    """A proposal with its actions, discrepancies and source email."""
    async with ctx.read_session() as session:
        proposal = await load_proposal(ctx, session, data.id)
        return await detail(ctx, session, proposal)


@operation(
    "inbox_ops_proposal_counts",
    MODULE,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/inbox_ops/proposals/counts"),
)
async def proposal_counts(ctx: RequestContext) -> dict[str, Any]:
    """Counts by status and by category (the caller's scope)."""
    conditions = await entity_conditions(ctx, INBOX_PROPOSAL)
    async with ctx.read_session() as session:
        rows = (
            await session.execute(
                select(InboxProposal.status, InboxProposal.category, func.count())
                .where(*conditions)
                .group_by(InboxProposal.status, InboxProposal.category)
            )
        ).all()
    by_status = {status: 0 for status in PROPOSAL_STATUS.states}
    by_category = {category: 0 for category in CATEGORIES}
    for status, category, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if category is not None:
            by_category[category] = by_category.get(category, 0) + count
    return {"byStatus": by_status, "byCategory": by_category, "total": sum(by_status.values())}


@operation(
    "inbox_ops_categorize_proposal",
    MODULE,
    output=INBOX_PROPOSAL,
    graphql_result=reloaded(INBOX_PROPOSAL, lambda r: r["id"]),
    input=CategorizeInput,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/categorize"),
)
async def categorize(ctx: RequestContext, data: CategorizeInput) -> dict[str, Any]:
    """Assign a category; answers the new and the previous one (for undo)."""
    async with ctx.unit_of_work() as uow:
        proposal = await load_proposal(ctx, uow.session, data.id, lock=True)
        previous = proposal.category
        proposal.category = data.category
        record(
            ctx, uow, proposal, "categorize", before={"category": previous}, after={"category": data.category}
        )
    return {"ok": True, "id": str(proposal.id), "category": data.category, "previousCategory": previous}


@operation(
    "inbox_ops_reject_proposal",
    MODULE,
    output=INBOX_PROPOSAL,
    graphql_result=reloaded(INBOX_PROPOSAL, lambda r: r["id"]),
    input=ProposalId,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/reject"),
)
async def reject_proposal(ctx: RequestContext, data: ProposalId) -> dict[str, Any]:
    """Reject the proposal and its open actions (409 once settled)."""
    from resolvers.inbox_ops.pipeline import now

    async with ctx.unit_of_work() as uow:
        proposal = await load_proposal(ctx, uow.session, data.id, lock=True)
        require_open(proposal)
        for action in await actions_of(uow.session, proposal.id):
            if action.status in ("pending", "failed"):
                action.status, action.processed_at = "rejected", now()
        await uow.session.flush()
        await settle(uow, proposal)
        if proposal.status == "partial":
            proposal.status = "rejected"
        record(ctx, uow, proposal, "reject")
        return {"ok": True, "id": str(proposal.id), "status": proposal.status}


@operation(
    "inbox_ops_translate_proposal",
    MODULE,
    input=TranslateInput,
    features=(VIEW,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/translate"),
)
async def translate(ctx: RequestContext, data: TranslateInput) -> dict[str, Any]:
    """The summary and action descriptions in ``targetLocale`` (cached on the proposal)."""
    async with ctx.unit_of_work() as uow:
        proposal = await load_proposal(ctx, uow.session, data.id, lock=True)
        cached = (proposal.translations or {}).get(data.targetLocale)
        hit = cached is not None
        if cached is None:
            email = await uow.session.get(InboxEmail, proposal.email_id)
            cached = translate_proposal(
                proposal, await actions_of(uow.session, proposal.id), email, data.targetLocale
            )
            proposal.translations = {**(proposal.translations or {}), data.targetLocale: cached}
        return {"ok": True, "id": str(proposal.id), "locale": data.targetLocale, "cached": hit, **cached}
