"""Helpers of the messages module: loading what the caller may see, checking references (recipients,
records, cases), and recording the domain event + action-log step of each write."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import DomainError, Forbidden, NotFound, ValidationFailed, issue
from models.messages import Message, MessageRecipient
from resolvers.crud import service
from resolvers.entity import ENTITIES, Entity, serialize
from resolvers.events import record_command
from resolvers.messages.entities import MESSAGE, MODULE
from resolvers.messages.types import OBJECT_TYPES, MessageType
from resolvers.notifications.actions import required_text
from resolvers.notifications.recipients import tenant_users
from resolvers.validation import text

VIEW = ("messages.view",)
COMPOSE = ("messages.compose",)


class MessageRef(BaseModel):
    """A message by id (the path's ``{id}``)."""

    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class RecipientInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    userId: uuid.UUID
    type: Literal["to", "cc", "bcc"] = "to"


class ObjectInput(BaseModel):
    """A record the message is about; ``actionRequired`` asks the recipient to run ``actionType``."""

    model_config = ConfigDict(extra="ignore")
    entityModule: required_text(100)
    entityType: required_text(100)
    entityId: uuid.UUID
    actionRequired: bool = False
    actionType: text(100) | None = None
    actionLabel: text(200) | None = None


def me(ctx: RequestContext) -> uuid.UUID | None:
    return ctx.require_auth().user_id


async def load_message(ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False) -> Message:
    """A message the caller takes part in (404 for any other, of this tenant or another)."""
    return await service(MESSAGE).fetch(ctx, session, ident, lock=lock)


async def my_copy(session: Any, message: Message, user_id: uuid.UUID | None, *, lock: bool = False) -> Any:
    """The caller's recipient row of ``message`` (None when they only sent it)."""
    query = select(MessageRecipient).where(
        MessageRecipient.message_id == message.id,
        MessageRecipient.recipient_user_id == user_id,
        MessageRecipient.deleted_at.is_(None),
    )
    return await session.scalar(query.with_for_update() if lock else query)


async def require_copy(ctx: RequestContext, session: Any, message: Message, *, lock: bool = False) -> Any:
    copy = await my_copy(session, message, me(ctx), lock=lock)
    if copy is None:  # the sender's own message is not in their inbox
        raise NotFound("Message not found")
    return copy


def require_sender(ctx: RequestContext, message: Message) -> None:
    if message.sender_user_id != me(ctx):
        raise Forbidden(message="Only the sender may change this message")


async def checked_recipients(
    ctx: RequestContext, session: Any, recipients: Sequence[RecipientInput], path: str = "recipients"
) -> list[RecipientInput]:
    """Recipients when each is a distinct live user of the caller's tenant (400 otherwise)."""
    ids = [r.userId for r in recipients]
    if len(set(ids)) != len(ids):
        raise ValidationFailed([issue(path, "Recipient user ids must be unique", "duplicate")])
    await tenant_users(session, ctx.tenant_id(), ids, path)
    return list(recipients)


async def visible_case(ctx: RequestContext, case_id: uuid.UUID | None) -> bool:
    """Whether the caller may see the case (its features, tenant and organizations)."""
    case = ENTITIES.get("case")
    return case_id is not None and case is not None and await visible_record(ctx, case, case_id) is not None


async def checked_case(ctx: RequestContext, case_id: uuid.UUID | None) -> uuid.UUID | None:
    """``case_id`` when the caller may see that case; any other id is a 400."""
    if case_id is not None and not await visible_case(ctx, case_id):
        raise ValidationFailed([issue("caseId", "Case not found", "not_found")])
    return case_id


LABEL_ATTRIBUTES = ("display_name", "title", "name", "label", "policy_number", "email")


def record_label(obj: Any) -> str:
    for attr in LABEL_ATTRIBUTES:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(obj.id)


async def visible_record(ctx: RequestContext, entity: Entity, entity_id: uuid.UUID) -> Any | None:
    """The record when the caller may see it (its features, tenant, organizations), else None."""
    try:
        return await service(entity).get(ctx, entity_id)
    except DomainError:
        return None


async def checked_objects(
    ctx: RequestContext, kind: MessageType, objects: Sequence[ObjectInput] | None
) -> list[dict[str, Any]]:
    """The records as stored (with a small snapshot: id and label), each of a kind the message type
    accepts and visible to the caller; anything else is a 400."""
    if kind.objects_only and not objects:
        raise ValidationFailed(
            [issue("objects", f"At least one record is required for {kind.type}", "too_small")]
        )
    stored = []
    for index, item in enumerate(objects or []):
        path = ["objects", index]
        object_type = OBJECT_TYPES.get((item.entityModule, item.entityType))
        entity = object_type.entity() if object_type else None
        accepted = object_type is not None and (
            object_type.message_types is None or kind.type in object_type.message_types
        )
        if entity is None or not accepted:
            raise ValidationFailed(
                [issue([*path, "entityType"], "Unsupported record type", "invalid_enum_value")]
            )
        if kind.objects_only and (item.actionRequired or item.actionType):
            raise ValidationFailed([issue([*path, "actionType"], f"No actions for {kind.type}", "invalid")])
        if item.actionRequired and object_type.action(item.actionType) is None:
            raise ValidationFailed([issue([*path, "actionType"], "Unknown action", "invalid_enum_value")])
        record = await visible_record(ctx, entity, item.entityId)
        if record is None:
            raise ValidationFailed([issue([*path, "entityId"], "Record not found", "not_found")])
        stored.append(
            {
                "entity_module": item.entityModule,
                "entity_type": item.entityType,
                "entity_id": item.entityId,
                "action_required": item.actionRequired,
                "action_type": item.actionType if item.actionRequired else None,
                "action_label": item.actionLabel,
                "entity_snapshot": {"id": str(item.entityId), "label": record_label(record)},
            }
        )
    return stored


async def record(
    ctx: RequestContext,
    uow: UnitOfWork,
    entity: Entity,
    obj: Any,
    verb: str,
    event: str,
    before: dict[str, Any] | None,
    payload: dict[str, Any] | None = None,
    deleted: bool = False,
) -> None:
    """The domain event ``messages.<entity>.<event>`` and the action-log step of one row's change
    (flushed, it is read back first: the database fills timestamps)."""
    if not deleted:
        await uow.session.refresh(obj)
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=entity.name,
        verb=verb,
        event=event,
        resource_id=obj.id,
        tenant_id=obj.tenant_id,
        organization_id=getattr(obj, "organization_id", None),
        before=before,
        after=None if deleted else serialize(entity, obj),
        payload=payload,
    )


async def add_row(ctx: RequestContext, uow: UnitOfWork, entity: Entity, row: Any) -> Any:
    """Insert a part of a message (recipient, record, file) and record it."""
    uow.session.add(row)
    await uow.session.flush()
    await record(ctx, uow, entity, row, "create", "created", None, {"messageId": str(row.message_id)})
    return row


async def remove_rows(ctx: RequestContext, uow: UnitOfWork, entity: Entity, query: Any) -> list[Any]:
    """Delete the parts of a message ``query`` selects, recording each."""
    rows = list((await uow.session.execute(query)).scalars())
    for row in rows:
        before = serialize(entity, row)
        await uow.session.delete(row)
        await uow.session.flush()
        payload = {"messageId": str(row.message_id)}
        await record(ctx, uow, entity, row, "delete", "deleted", before, payload, deleted=True)
    return rows
