"""Operations on one proposed action: edit its payload, accept (execute it through the target
module's own service, in this command's transaction), complete (fulfilled elsewhere), reject, and
send a draft reply.

Executing an action: ``create_contact`` creates a person (``customers``), ``create_order`` a sales
order (``sales``; the extracted lines are kept in its comment), ``draft_reply`` queues the mail.
The caller's features for the target are checked by that service (403); an action already settled
answers 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, Conflict, NotFound, ValidationFailed, issue
from models.inbox_ops import InboxEmail, InboxProposal, InboxProposalAction
from resolvers.crud import service
from resolvers.entity import ENTITIES
from resolvers.events import record_command
from resolvers.inbox_ops.entities import ACTION_STATUS, INBOX_ACTION, INBOX_PROPOSAL, MANAGE, MODULE, SEND
from resolvers.inbox_ops.extractor import EMAIL
from resolvers.inbox_ops.pipeline import now, snapshot
from resolvers.inbox_ops.proposals import ProposalId, actions_of, load_proposal, record, require_open, settle
from resolvers.mail import queue_mail
from resolvers.operations import Rest, operation, reloaded
from resolvers.scope import parse_uuid
from resolvers.validation import check_safe, text

EDITABLE_KEYS = {
    "create_contact": {"firstName", "lastName", "email", "phone", "company"},
    "create_order": {"currencyCode", "lines", "customerReference", "total"},
    "draft_reply": {"to", "subject", "body"},
}


class ActionRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    actionId: text(64)


class ReplyRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    replyId: text(64)


class ActionEdit(ActionRef):
    description: text(1000) | None = None
    payload: dict[str, Any] | None = None


class ActionComplete(ActionRef):
    createdEntityType: text(100) | None = None
    createdEntityId: uuid.UUID | None = None


async def load_action(
    ctx: RequestContext, uow: UnitOfWork, proposal_id: Any, action_id: Any
) -> tuple[InboxProposal, InboxProposalAction]:
    """The proposal (locked, in scope) and one of its actions, else 404."""
    proposal = await load_proposal(ctx, uow.session, proposal_id, lock=True)
    parsed = parse_uuid(action_id)
    action = None
    if parsed is not None:
        action = await uow.session.scalar(
            select(InboxProposalAction)
            .where(InboxProposalAction.id == parsed, InboxProposalAction.proposal_id == proposal.id)
            .with_for_update()
        )
    if action is None:
        raise NotFound("Action not found")
    return proposal, action


async def pending_action(
    ctx: RequestContext, uow: UnitOfWork, proposal_id: Any, action_id: Any
) -> tuple[InboxProposal, InboxProposalAction]:
    """``load_action`` for a command deciding the action: it must be pending, its proposal open (409)."""
    proposal, action = await load_action(ctx, uow, proposal_id, action_id)
    require_pending(action)
    require_open(proposal)
    return proposal, action


async def _decide(
    ctx: RequestContext,
    uow: UnitOfWork,
    proposal: InboxProposal,
    action: InboxProposalAction,
    status: str,
    command: str,
) -> dict[str, Any]:
    """Move the action to ``status`` without executing it, settle its proposal, record the command."""
    ACTION_STATUS.check(action.status, status)
    action.status, action.processed_at = status, now()
    await uow.session.flush()
    await settle(uow, proposal)
    _record(ctx, uow, action, command)
    return await _answer(uow, proposal, action)


def require_pending(action: InboxProposalAction) -> None:
    if action.status not in ("pending", "failed"):
        raise Conflict(f"The action is already {action.status}", code="already_processed")


def _record(
    ctx: RequestContext, uow: UnitOfWork, action: InboxProposalAction, verb: str, **extra: Any
) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="action",
        verb=verb,
        resource_id=action.id,
        tenant_id=action.tenant_id,
        organization_id=action.organization_id,
        payload={"proposalId": str(action.proposal_id), "actionType": action.action_type},
        **extra,
    )


def _order_comment(payload: dict[str, Any]) -> str:
    lines = payload.get("lines") or []
    rendered = [
        f"{line.get('quantity')} x {line.get('item')}"
        + (f" @ {line['unitPrice']}" if line.get("unitPrice") else "")
        for line in lines
        if isinstance(line, dict)
    ]
    return "Extracted from email:\n" + "\n".join(rendered)


async def _send_reply(ctx: RequestContext, uow: UnitOfWork, action: InboxProposalAction) -> dict[str, Any]:
    payload = action.payload or {}
    to = str(payload.get("to") or "")
    if not EMAIL.fullmatch(to):
        raise ValidationFailed([issue(["payload", "to"], "An email address", "invalid_string")])
    proposal = await uow.session.get(InboxProposal, action.proposal_id)
    email = await uow.session.get(InboxEmail, proposal.email_id)
    in_reply_to = email.message_id if email is not None else None
    mail = queue_mail(
        ctx,
        uow,
        tenant_id=action.tenant_id,
        to=to,
        subject=str(payload.get("subject") or "")[:300] or "Re:",
        body=str(payload.get("body") or ""),
    )
    return {"type": "mail", "id": mail.id, "inReplyTo": in_reply_to, "references": in_reply_to}


async def execute(
    ctx: RequestContext, uow: UnitOfWork, proposal: InboxProposal, action: InboxProposalAction
) -> dict[str, Any]:
    """Run the action in the caller's unit of work; marks it accepted with what it created."""
    require_pending(action)
    payload = action.payload or {}
    check_safe(payload)
    if action.action_type == "create_contact":
        first, last = payload.get("firstName") or "", payload.get("lastName") or ""
        data = {
            "first_name": first,
            "last_name": last,
            "display_name": f"{first} {last}".strip(),
            "primary_email": payload.get("email"),
            "primary_phone": payload.get("phone"),
        }
        obj, _ = await service(ENTITIES["person"]).create(ctx, {k: v for k, v in data.items() if v})
        created = {"type": "customers.person", "id": obj.id}
    elif action.action_type == "create_order":
        data = {
            "currency_code": payload.get("currencyCode") or "USD",
            "customer_reference": payload.get("customerReference"),
            "comment": _order_comment(payload),
        }
        obj, _ = await service(ENTITIES["sales_order"]).create(ctx, {k: v for k, v in data.items() if v})
        created = {"type": "sales.order", "id": obj.id}
    elif action.action_type == "draft_reply":
        ctx.require_features((SEND,))
        created = await _send_reply(ctx, uow, action)
    else:
        raise BadRequest("Unknown action type")
    ACTION_STATUS.check(action.status, "accepted")
    action.status, action.processed_at, action.error_message = "accepted", now(), None
    action.created_entity_type, action.created_entity_id = created["type"], created["id"]
    await uow.session.flush()
    _record(ctx, uow, action, "accept", secondary=True)
    return created


async def _answer(
    uow: UnitOfWork, proposal: InboxProposal, action: InboxProposalAction, **extra: Any
) -> dict[str, Any]:
    shown = await snapshot(uow.session, INBOX_ACTION, action)
    return {"ok": True, "proposalStatus": proposal.status, "action": shown, **extra}


@operation(
    "inbox_ops_edit_action",
    MODULE,
    output=INBOX_ACTION,
    graphql_result=reloaded(INBOX_ACTION, lambda r: r["action"]["id"]),
    input=ActionEdit,
    features=(MANAGE,),
    rest=Rest("PATCH", "/inbox_ops/proposals/{id}/actions/{actionId}"),
)
async def edit_action(ctx: RequestContext, data: ActionEdit) -> dict[str, Any]:
    """Edit an open action's description or payload (known keys of its type only)."""
    async with ctx.unit_of_work() as uow:
        proposal, action = await load_action(ctx, uow, data.id, data.actionId)
        require_open(proposal)
        require_pending(action)
        before = await snapshot(uow.session, INBOX_ACTION, action)
        if data.payload is not None:
            check_safe(data.payload)
            unknown = sorted(set(data.payload) - EDITABLE_KEYS.get(action.action_type, set()))
            if unknown:
                raise ValidationFailed(
                    [issue(["payload", unknown[0]], "Unknown payload key", "unrecognized_keys")]
                )
            action.payload = {**(action.payload or {}), **data.payload}
        if data.description is not None:
            action.description = data.description
        await uow.session.flush()
        _record(
            ctx, uow, action, "update", before=before, after=await snapshot(uow.session, INBOX_ACTION, action)
        )
        return await _answer(uow, proposal, action)


@operation(
    "inbox_ops_accept_action",
    MODULE,
    output=INBOX_ACTION,
    graphql_result=reloaded(INBOX_ACTION, lambda r: r["action"]["id"]),
    input=ActionRef,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/actions/{actionId}/accept"),
)
async def accept_action(ctx: RequestContext, data: ActionRef) -> dict[str, Any]:
    """Execute the action: creates the record in its target module (409 when already processed)."""
    async with ctx.unit_of_work() as uow:
        proposal, action = await pending_action(ctx, uow, data.id, data.actionId)
        created = await execute(ctx, uow, proposal, action)
        await settle(uow, proposal)
        return await _answer(
            uow, proposal, action, createdEntityType=created["type"], createdEntityId=str(created["id"])
        )


@operation(
    "inbox_ops_complete_action",
    MODULE,
    output=INBOX_ACTION,
    graphql_result=reloaded(INBOX_ACTION, lambda r: r["action"]["id"]),
    input=ActionComplete,
    features=(MANAGE,),
    rest=Rest("PATCH", "/inbox_ops/proposals/{id}/actions/{actionId}/complete"),
)
async def complete_action(ctx: RequestContext, data: ActionComplete) -> dict[str, Any]:
    """Mark the action fulfilled elsewhere (e.g. the sales form), without executing it."""
    async with ctx.unit_of_work() as uow:
        proposal, action = await pending_action(ctx, uow, data.id, data.actionId)
        action.created_entity_type = data.createdEntityType
        action.created_entity_id = data.createdEntityId
        return await _decide(ctx, uow, proposal, action, "completed", "complete")


@operation(
    "inbox_ops_reject_action",
    MODULE,
    output=INBOX_ACTION,
    graphql_result=reloaded(INBOX_ACTION, lambda r: r["action"]["id"]),
    input=ActionRef,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/actions/{actionId}/reject"),
)
async def reject_action(ctx: RequestContext, data: ActionRef) -> dict[str, Any]:
    """Reject one action (409 when already processed)."""
    async with ctx.unit_of_work() as uow:
        proposal, action = await pending_action(ctx, uow, data.id, data.actionId)
        return await _decide(ctx, uow, proposal, action, "rejected", "reject")


@operation(
    "inbox_ops_send_reply",
    MODULE,
    output=INBOX_ACTION,
    graphql_result=reloaded(INBOX_ACTION, lambda r: r["action"]["id"]),
    input=ReplyRef,
    features=(SEND,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/replies/{replyId}/send"),
)
async def send_reply(ctx: RequestContext, data: ReplyRef) -> dict[str, Any]:
    """Send a ``draft_reply`` action through the mail outbox (threaded on the source email's
    Message-ID); the action is accepted."""
    async with ctx.unit_of_work() as uow:
        proposal, action = await load_action(ctx, uow, data.id, data.replyId)
        if action.action_type != "draft_reply":
            raise NotFound("Reply not found")
        require_pending(action)
        require_open(proposal)
        created = await execute(ctx, uow, proposal, action)
        await settle(uow, proposal)
        return await _answer(
            uow,
            proposal,
            action,
            mailId=str(created["id"]),
            inReplyTo=created["inReplyTo"],
            references=created["references"],
        )


@operation(
    "inbox_ops_accept_all",
    MODULE,
    output=INBOX_PROPOSAL,
    graphql_result=reloaded(INBOX_PROPOSAL, lambda r: r["id"]),
    input=ProposalId,
    features=(MANAGE,),
    rest=Rest("POST", "/inbox_ops/proposals/{id}/accept-all"),
)
async def accept_all(ctx: RequestContext, data: ProposalId) -> dict[str, Any]:
    """Execute every open action (one transaction: any failure rolls all of them back)."""
    async with ctx.unit_of_work() as uow:
        proposal = await load_proposal(ctx, uow.session, data.id, lock=True)
        require_open(proposal)
        results = []
        for action in await actions_of(uow.session, proposal.id):
            if action.status in ("pending", "failed"):
                await execute(ctx, uow, proposal, action)
                results.append(action)
        await settle(uow, proposal)
        record(ctx, uow, proposal, "accept_all")
        shown = [await snapshot(uow.session, INBOX_ACTION, action) for action in results]
        return {"ok": True, "id": str(proposal.id), "status": proposal.status, "actions": shown}
