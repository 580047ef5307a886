"""Actions on a message: those its sender offered, its type's defaults (a confirmation) and those of
the records it carries; a recipient runs one (once, for a terminal action, before they expire).
Confirmations are recorded per message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict, DomainError, NotFound
from models.messages import Message, MessageConfirmation, MessageObject
from resolvers.crud import flush_or_conflict
from resolvers.entity import serialize, to_jsonable
from resolvers.events import record_command
from resolvers.messages.common import VIEW, MessageRef, load_message, me, record, require_copy
from resolvers.messages.entities import MESSAGE, MODULE
from resolvers.messages.types import OBJECT_TYPES, message_type
from resolvers.notifications.actions import is_terminal, required_text, run_action
from resolvers.operations import Rest, operation
from resolvers.validation import SafeDict


class ActionsExpired(DomainError):
    status = 410
    code = "actions_expired"


def object_action_id(object_id: uuid.UUID, action_id: str) -> str:
    return f"object:{object_id}:{action_id}"


def resolved_actions(message: Message, objects: list[MessageObject]) -> list[dict[str, Any]]:
    """Every action the message offers, in order: the sender's, the type's defaults, then one per
    record that asks for an action (``object:<objectId>:<actionId>``); the first id wins."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(action: dict[str, Any], **extra: Any) -> None:
        if action["id"] not in seen:
            seen.add(action["id"])
            found.append({**action, **extra})

    for action in (message.action_data or {}).get("actions", []):
        add(action, source="message")
    for action in message_type(message.type).default_actions:
        add(action, source="type_default")
    for obj in objects:
        object_type = OBJECT_TYPES.get((obj.entity_module, obj.entity_type))
        offered = object_type.action(obj.action_type) if object_type and obj.action_required else None
        if offered is not None:
            add(
                {
                    **offered.as_action(),
                    "id": object_action_id(obj.id, offered.id),
                    "label": obj.action_label or offered.id,
                },
                source="object",
                objectRef={"objectId": str(obj.id), "entityId": str(obj.entity_id)},
            )
    return found


def actions_expire_at(message: Message) -> datetime | None:
    stored = (message.action_data or {}).get("expiresAt")
    if stored:
        return datetime.fromisoformat(str(stored).replace("Z", "+00:00"))
    hours = message_type(message.type).actions_expire_after_hours
    return message.sent_at + timedelta(hours=hours) if hours and message.sent_at else None


def action_data(message: Message, objects: list[MessageObject]) -> dict[str, Any] | None:
    """The offered actions as the detail shows them (None when there are none)."""
    actions = resolved_actions(message, objects)
    expires = actions_expire_at(message)
    if not actions and expires is None:
        return None
    primary = (message.action_data or {}).get("primaryActionId")
    ids = [a["id"] for a in actions]
    return {
        "actions": actions,
        "primaryActionId": primary if primary in ids else (ids[0] if ids else None),
        "expiresAt": to_jsonable(expires),
    }


async def objects_of(session: Any, message_ids: list[uuid.UUID]) -> list[MessageObject]:
    if not message_ids:
        return []
    query = (
        select(MessageObject)
        .where(MessageObject.message_id.in_(message_ids))
        .order_by(MessageObject.created_at)
    )
    return list((await session.execute(query)).scalars())


def object_item(obj: Any) -> dict[str, Any]:
    return {
        "id": str(obj.id),
        "entityModule": obj.entity_module,
        "entityType": obj.entity_type,
        "entityId": str(obj.entity_id),
        "actionRequired": obj.action_required,
        "actionType": obj.action_type,
        "actionLabel": obj.action_label,
        "snapshot": obj.entity_snapshot,
    }


class ActionRun(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    actionId: required_text(200)
    payload: SafeDict | None = None


class MessageActionResult(BaseModel):
    ok: bool
    actionId: str
    result: Any | None = None


@operation(
    "run_message_action",
    MODULE,
    input=ActionRun,
    output=MessageActionResult,
    features=("messages.actions",),
    rest=Rest("POST", "/messages/{id}/actions/{actionId}"),
)
async def run_message_action(ctx: RequestContext, data: ActionRun) -> dict[str, Any]:
    """Run one of the message's actions as a recipient (404: no such action; 409: an action was
    already taken; 410: its actions expired). A terminal action is recorded on the message."""
    async with ctx.unit_of_work() as uow:
        message = await load_message(ctx, uow.session, data.id, lock=True)
        await require_copy(ctx, uow.session, message)
        action = next(
            (
                a
                for a in resolved_actions(message, await objects_of(uow.session, [message.id]))
                if a["id"] == data.actionId
            ),
            None,
        )
        if action is None:
            raise NotFound("Action not found")
        if message.action_taken is not None:
            raise Conflict("Action already taken", actionTaken=message.action_taken)
        expires = actions_expire_at(message)
        if expires is not None and expires < datetime.now(UTC):
            raise ActionsExpired("Actions have expired")
        entity_id = (action.get("objectRef") or {}).get("entityId") or (
            str(message.source_entity_id) if message.source_entity_id else None
        )
        command_input = {**(data.payload or {}), "messageId": str(message.id), "actionId": action["id"]}
        if entity_id and "id" not in command_input:
            command_input["id"] = entity_id
        values = {
            "messageId": str(message.id),
            "entityId": entity_id,
            "sourceEntityId": entity_id,
            "threadId": str(message.thread_id),
        }
        result, _ = await run_action(ctx, action, command_input, values)
        if is_terminal(action):
            before = serialize(MESSAGE, message)
            message.action_taken, message.action_result = action["id"], result
            message.action_taken_by_user_id, message.action_taken_at = me(ctx), datetime.now(UTC)
            await uow.session.flush()
            await record(
                ctx, uow, MESSAGE, message, "take_action", "action_taken", before, {"actionId": action["id"]}
            )
    return {"ok": True, "actionId": action["id"], "result": result}


# --- confirmations ---------------------------------------------------------------------------


class ConfirmInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    messageId: uuid.UUID
    confirmed: bool = True


class MessageConfirmationReply(BaseModel):
    messageId: uuid.UUID
    confirmed: bool
    confirmedAt: str | None = None
    confirmedByUserId: uuid.UUID | None = None


def _confirmation(message_id: uuid.UUID, row: MessageConfirmation | None) -> dict[str, Any]:
    return {
        "messageId": str(message_id),
        "confirmed": bool(row and row.confirmed),
        "confirmedAt": to_jsonable(row.confirmed_at) if row else None,
        "confirmedByUserId": str(row.confirmed_by_user_id) if row and row.confirmed_by_user_id else None,
    }


@operation(
    "confirm_message",
    MODULE,
    input=ConfirmInput,
    output=MessageConfirmationReply,
    features=VIEW,
)
async def confirm_message(ctx: RequestContext, data: ConfirmInput) -> dict[str, Any]:
    """Confirm (or withdraw the confirmation of) a message the caller takes part in. Offered as the
    ``confirmation`` action of ``messages.confirmation`` messages."""
    async with ctx.unit_of_work() as uow:
        message = await load_message(ctx, uow.session, data.messageId)
        row = await uow.session.scalar(
            select(MessageConfirmation).where(MessageConfirmation.message_id == message.id).with_for_update()
        )
        before = _confirmation(message.id, row) if row is not None else None
        if row is None:
            row = MessageConfirmation(id=uuid.uuid4(), tenant_id=message.tenant_id, message_id=message.id)
            uow.session.add(row)
        row.confirmed = data.confirmed
        row.confirmed_by_user_id = me(ctx)
        row.confirmed_at = datetime.now(UTC) if data.confirmed else None
        await flush_or_conflict(uow)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="message_confirmation",
            verb="confirm",
            event="confirmed" if data.confirmed else "unconfirmed",
            resource_id=row.id,
            tenant_id=row.tenant_id,
            before=before,
            after=_confirmation(message.id, row),
            payload={"messageId": str(message.id)},
        )
    return _confirmation(message.id, row)


@operation(
    "message_confirmation",
    MODULE,
    input=MessageRef,
    output=MessageConfirmationReply,
    kind="query",
    features=VIEW,
    rest=Rest("GET", "/messages/{id}/confirmation"),
)
async def get_confirmation(ctx: RequestContext, data: MessageRef) -> dict[str, Any]:
    """Whether the message was confirmed, when and by whom."""
    async with ctx.read_session() as session:
        message = await load_message(ctx, session, data.id)
        row = await session.scalar(
            select(MessageConfirmation).where(MessageConfirmation.message_id == message.id)
        )
    return _confirmation(message.id, row)
