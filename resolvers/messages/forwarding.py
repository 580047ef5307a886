"""What a forward carries: the conversation up to the forwarded message, as the caller sees it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext
from models.auth import User
from models.messages import Message, MessageRecipient
from resolvers.messages.entities import participant, user_of

MARKER = "---------- Forwarded message ----------"


def prefixed(prefix: str, subject: str) -> str:
    """``Re: subject`` / ``Fwd: subject``, without stacking the prefix."""
    subject = (subject or "").strip() or "(no subject)"
    return subject if subject.lower().startswith(prefix.lower()) else f"{prefix} {subject}"[:500]


def _label(users: dict[Any, Any], user_id: Any) -> str:
    user = users.get(user_id)
    if user is None:
        return str(user_id)
    name, email = (user.name or "").strip(), (user.email or "").strip()
    return f"{name} <{email}>" if name and email else (name or email or str(user_id))


async def thread_slice(ctx: RequestContext, session: Any, source: Message) -> list[Message]:
    """The sent messages of the conversation up to ``source`` that the caller takes part in, oldest
    first (``source`` included)."""
    query = (
        select(Message)
        .where(
            Message.thread_id == source.thread_id,
            Message.tenant_id == source.tenant_id,
            Message.deleted_at.is_(None),
            Message.is_draft.is_(False),
            participant(Message, user_of(ctx)),
        )
        .order_by(Message.sent_at, Message.created_at, Message.id)
    )
    messages = list((await session.execute(query)).scalars())
    cutoff = next((i for i, m in enumerate(messages) if m.id == source.id), None)
    return messages[: cutoff + 1] if cutoff is not None else [source]


async def forward_preview(ctx: RequestContext, session: Any, source: Message) -> dict[str, str]:
    """``{subject, body}`` of a forward: ``Fwd:`` subject; each message with its sender, date,
    subject and open recipients (never blind copies)."""
    messages = await thread_slice(ctx, session, source)
    ids = [m.id for m in messages]
    copies = (
        await session.execute(
            select(MessageRecipient.message_id, MessageRecipient.recipient_user_id)
            .where(MessageRecipient.message_id.in_(ids), MessageRecipient.recipient_type != "bcc")
            .order_by(MessageRecipient.created_at, MessageRecipient.id)
        )
    ).all()
    user_ids = {m.sender_user_id for m in messages} | {c.recipient_user_id for c in copies}
    users = {
        u.id: u
        for u in (await session.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids))))
    }
    blocks = []
    for message in messages:
        to = [_label(users, c.recipient_user_id) for c in copies if c.message_id == message.id]
        sent = message.sent_at or message.created_at
        blocks.append(
            "\n".join(
                [
                    MARKER,
                    f"From: {_label(users, message.sender_user_id)}",
                    f"Date: {sent.isoformat() if sent else '-'}",
                    f"Subject: {(message.subject or '').strip() or '(no subject)'}",
                    f"To: {', '.join(to) or '-'}",
                    "",
                    message.body or "",
                ]
            )
        )
    return {"subject": prefixed("Fwd:", source.subject), "body": "\n\n".join(blocks)}
