"""Writing a message: a draft first (the message, its recipients, records and files), then sent —
sending checks it is complete, stamps it, notifies each recipient (``resolvers.notifications``), adds
it to its case's timeline and mails recipients a link when asked. Everything joins the caller's unit
of work and is recorded step by step (an undo takes all of it back)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.auth import User
from models.cases import Case
from models.messages import Message, MessageObject, MessageRecipient
from resolvers.cases import common as cases
from resolvers.cases.entities import TIMELINE_ENTRY
from resolvers.entity import serialize
from resolvers.mail import queue_mail
from resolvers.messages.attachments import copy_attachments, visible_attachments
from resolvers.messages.common import (
    ObjectInput,
    RecipientInput,
    add_row,
    checked_case,
    checked_objects,
    checked_recipients,
    record,
    remove_rows,
)
from resolvers.messages.entities import MESSAGE, MESSAGE_OBJECT, MESSAGE_RECIPIENT, MODULE
from resolvers.messages.tokens import issue_token, link_url
from resolvers.messages.types import composable_type, message_type
from resolvers.notifications.actions import OfferedActionInput, checked_actions
from resolvers.notifications.service import notify
from resolvers.operations import reloaded
from resolvers.scope import tenant_tree
from resolvers.validation import SafeDatetime, text

MAX_BODY = 50_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("An e-mail address")
    return value


Email = Annotated[text(320), AfterValidator(_email)]
Recipients = list[RecipientInput]


class MessageActionDataInput(BaseModel):
    """Actions the sender offers the recipients (each may run once; ``expiresAt`` ends them)."""

    model_config = ConfigDict(extra="ignore")
    actions: list[OfferedActionInput] = PydanticField(max_length=10)
    primaryActionId: text(100) | None = None
    expiresAt: SafeDatetime | None = None


class MessageFields(BaseModel):
    """What a message says; on a draft update only the keys sent change."""

    model_config = ConfigDict(extra="ignore")
    type: text(100) = "default"
    caseId: uuid.UUID | None = None
    visibility: Literal["public", "internal"] | None = None
    sourceEntityType: text(100) | None = None
    sourceEntityId: uuid.UUID | None = None
    externalEmail: Email | None = None
    externalName: text(255) | None = None
    recipients: Recipients = PydanticField(default_factory=list, max_length=100)
    subject: text(500) = ""
    body: text(MAX_BODY) = ""
    bodyFormat: Literal["text", "markdown"] = "text"
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    objects: list[ObjectInput] | None = PydanticField(default=None, max_length=50)
    attachmentIds: list[uuid.UUID] | None = PydanticField(default=None, max_length=100)
    actionData: MessageActionDataInput | None = None
    sendViaEmail: bool = False


class ComposeInput(MessageFields):
    parentMessageId: uuid.UUID | None = None
    isDraft: bool = False


COLUMNS = {
    "type": "type",
    "caseId": "case_id",
    "visibility": "visibility",
    "sourceEntityType": "source_entity_type",
    "sourceEntityId": "source_entity_id",
    "externalEmail": "external_email",
    "externalName": "external_name",
    "subject": "subject",
    "body": "body",
    "bodyFormat": "body_format",
    "priority": "priority",
    "sendViaEmail": "send_via_email",
}


def offered_actions(data: MessageActionDataInput | None) -> dict[str, Any] | None:
    if data is None or not data.actions:
        return None
    actions = checked_actions(data.actions, ["actionData", "actions"])
    if data.primaryActionId is not None and data.primaryActionId not in {a["id"] for a in actions}:
        raise ValidationFailed(
            [issue(["actionData", "primaryActionId"], "Not one of the actions", "invalid")]
        )
    expires = data.expiresAt.isoformat() if data.expiresAt else None
    return {"actions": actions, "primaryActionId": data.primaryActionId, "expiresAt": expires}


async def set_recipients(
    ctx: RequestContext, uow: UnitOfWork, message: Message, recipients: Recipients
) -> None:
    """The draft's recipients become ``recipients`` (checked: distinct users of the tenant)."""
    await checked_recipients(ctx, uow.session, recipients)
    parts = select(MessageRecipient).where(MessageRecipient.message_id == message.id)
    await remove_rows(ctx, uow, MESSAGE_RECIPIENT, parts)
    for recipient in recipients:
        row = MessageRecipient(
            id=uuid.uuid4(),
            tenant_id=message.tenant_id,
            message_id=message.id,
            recipient_user_id=recipient.userId,
            recipient_type=recipient.type,
            status="unread",
        )
        await add_row(ctx, uow, MESSAGE_RECIPIENT, row)


async def set_objects(
    ctx: RequestContext, uow: UnitOfWork, message: Message, objects: Sequence[ObjectInput] | None
) -> None:
    stored = await checked_objects(ctx, message_type(message.type), objects)
    parts = select(MessageObject).where(MessageObject.message_id == message.id)
    await remove_rows(ctx, uow, MESSAGE_OBJECT, parts)
    for columns in stored:
        row = MessageObject(id=uuid.uuid4(), tenant_id=message.tenant_id, message_id=message.id, **columns)
        await add_row(ctx, uow, MESSAGE_OBJECT, row)


async def home_organization(ctx: RequestContext) -> uuid.UUID | None:
    """The caller's organization when it belongs to the tenant they work in (a platform admin may
    work in another tenant)."""
    org_id = ctx.require_auth().org_id
    return org_id if org_id in await tenant_tree(ctx, ctx.tenant_id()) else None


async def write_draft(
    ctx: RequestContext,
    uow: UnitOfWork,
    data: MessageFields,
    parent: Message | None = None,
    *,
    reply: bool = False,
) -> Message:
    """A new draft of the caller with its recipients, records and copies of the named files. A reply
    stays on its conversation's case (the caller need not see the case to answer)."""
    composable_type(data.type)
    case_id = parent.case_id if reply and parent is not None else await checked_case(ctx, data.caseId)
    sources = await visible_attachments(ctx, uow.session, data.attachmentIds or [])
    principal = ctx.require_auth()
    message_id = uuid.uuid4()
    message = Message(
        id=message_id,
        tenant_id=ctx.tenant_id(),
        organization_id=await home_organization(ctx),
        sender_user_id=principal.user_id,
        thread_id=(parent.thread_id or parent.id) if parent else message_id,
        parent_message_id=parent.id if parent else None,
        status="draft",
        is_draft=True,
        action_data=offered_actions(data.actionData),
        created_at=datetime.now(UTC),
        **{column: getattr(data, key) for key, column in COLUMNS.items()},
    )
    message.case_id = case_id
    uow.session.add(message)
    await uow.session.flush()
    await record(ctx, uow, MESSAGE, message, "create", "created", None, event_payload(message))
    await set_recipients(ctx, uow, message, data.recipients)
    await set_objects(ctx, uow, message, data.objects)
    await copy_attachments(ctx, uow, message, sources)
    return message


def event_payload(message: Message, recipients: Sequence[uuid.UUID] = ()) -> dict[str, Any]:
    return {
        "threadId": str(message.thread_id),
        "senderUserId": str(message.sender_user_id),
        "isDraft": message.is_draft,
        **({"recipientUserIds": [str(r) for r in recipients]} if recipients else {}),
    }


def _incomplete(message: Message, recipients: list[MessageRecipient]) -> list[dict[str, Any]]:
    problems = []
    if message.visibility == "public":
        if not message.external_email:
            problems.append(issue("externalEmail", "Required when visibility is public", "invalid_type"))
        if recipients:
            problems.append(issue("recipients", "Must be empty when visibility is public", "too_big"))
    elif not recipients:
        problems.append(issue("recipients", "At least one recipient is required", "too_small"))
    if not (message.subject or "").strip():
        problems.append(issue("subject", "Subject is required", "too_small"))
    if not (message.body or "").strip():
        problems.append(issue("body", "Body is required", "too_small"))
    return problems


async def send(ctx: RequestContext, uow: UnitOfWork, message: Message) -> Message:
    """Send a complete draft: stamp it, notify its recipients, put it on its case's timeline and mail
    links (or the external address) when asked. An incomplete draft is a 400."""
    recipients = list(
        (
            await uow.session.execute(
                select(MessageRecipient)
                .where(MessageRecipient.message_id == message.id)
                .order_by(MessageRecipient.created_at, MessageRecipient.id)
            )
        ).scalars()
    )
    problems = _incomplete(message, recipients)
    if problems:
        raise ValidationFailed(problems)
    before = serialize(MESSAGE, message)
    message.is_draft, message.status, message.sent_at = False, "sent", datetime.now(UTC)
    message.send_via_email = message.send_via_email or message.visibility == "public"
    await uow.session.flush()
    ids = [r.recipient_user_id for r in recipients]
    await record(ctx, uow, MESSAGE, message, "send", "sent", before, event_payload(message, ids))
    if ids:
        await notify(ctx, uow, ids, _notice(message), path="recipients")
    await _on_case_timeline(ctx, uow, message)
    if message.send_via_email:
        await _mail(ctx, uow, message, ids)
    return message


def _notice(message: Message) -> dict[str, Any]:
    """The notification a recipient gets: one per conversation, refreshed by each new message."""
    preview = " ".join(message.body.split())[:280]
    return {
        "type": "messages.new",
        "title": f"New message: {message.subject}"[:500],
        "body": preview,
        "titleKey": "messages.notifications.new",
        "titleVariables": {"subject": message.subject[:1000]},
        "icon": "mail",
        "sourceModule": MODULE,
        "sourceEntityType": "messages.message",
        "sourceEntityId": message.id,
        "linkHref": f"/backend/messages/{message.id}",
        "groupKey": f"thread:{message.thread_id}",
    }


async def _on_case_timeline(ctx: RequestContext, uow: UnitOfWork, message: Message) -> None:
    if message.case_id is None:
        return
    case = await uow.session.scalar(
        select(Case).where(
            Case.id == message.case_id, Case.tenant_id == message.tenant_id, Case.deleted_at.is_(None)
        )
    )
    if case is None:  # deleted since the conversation began
        return
    body = f"{message.subject}\n\n{message.body}"[:20_000]
    data = {"messageId": str(message.id), "threadId": str(message.thread_id)}
    entry = cases.add_entry(ctx, uow, case, "message", body, data, "internal")
    await uow.session.flush()
    await uow.session.refresh(entry)
    cases.record_command(
        ctx,
        uow,
        entity="case_timeline_entry",
        verb="create",
        event="created",
        resource_id=entry.id,
        tenant_id=entry.tenant_id,
        organization_id=entry.organization_id,
        after=serialize(TIMELINE_ENTRY, entry),
        payload={"caseId": str(case.id), "kind": entry.kind, "messageId": str(message.id)},
    )


async def _mail(
    ctx: RequestContext, uow: UnitOfWork, message: Message, recipient_ids: list[uuid.UUID]
) -> None:
    """A link per recipient (a secret: the mail expires with it); a public message goes to its
    external address with its text."""
    sender = await uow.session.scalar(select(User.name).where(User.id == message.sender_user_id))
    subject = f"{sender or 'Someone'} sent you a message: {message.subject}"
    if recipient_ids:
        users = await uow.session.execute(select(User.id, User.email).where(User.id.in_(recipient_ids)))
        for user_id, address in users:
            token, expires_at = issue_token(uow, message, user_id)
            body = f"{message.subject}\n\nOpen it: {link_url(ctx, token)}\n(The link works for 7 days.)"
            queue_mail(
                ctx,
                uow,
                tenant_id=message.tenant_id,
                to=address,
                subject=subject,
                body=body,
                expires_at=expires_at,
            )
    if message.external_email:
        body = f"{message.body}\n\n-- \n{sender or ''}"
        queue_mail(
            ctx,
            uow,
            tenant_id=message.tenant_id,
            to=message.external_email,
            subject=message.subject,
            body=body,
        )


MESSAGE_REPLY = {"output": MESSAGE, "graphql_result": reloaded(MESSAGE, lambda r: r["id"])}
