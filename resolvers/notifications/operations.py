"""The recipient's side of notifications: their list and unread count; read, dismiss, restore, run an
action, mark all read (sending is ``resolvers.notifications.sending``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, Conflict
from models.notifications import Notification
from resolvers.crud import service
from resolvers.entity import Entity, serialize
from resolvers.events import record_command
from resolvers.listing import parse_list_query
from resolvers.notifications.actions import required_text, run_action
from resolvers.notifications.entities import MODULE, NOTIFICATION, STATUS, live
from resolvers.operations import Rest, operation, reloaded
from resolvers.undo import Direction, undo_handler
from resolvers.validation import SafeDict, text

# --- reading -----------------------------------------------------------------------------------


class NotificationListQuery(BaseModel):
    """List filters (``status`` takes a comma-separated list); paging and sorting as everywhere."""

    model_config = ConfigDict(extra="allow")
    status: text(200) | None = None
    type: text(100) | None = None
    severity: text(20) | None = None
    sourceEntityType: text(100) | None = None
    sourceEntityId: text(64) | None = None
    since: text(64) | None = None
    page: text(32) | None = None
    pageSize: text(32) | None = None
    ids: text(10_000) | None = None


async def newest_first(ctx: RequestContext, entity: Entity, query: dict[str, str]) -> dict[str, Any]:
    """The documented list envelope of ``entity`` (rows rendered by PostgreSQL), newest first unless
    the query sorts."""
    params = parse_list_query(entity, query)
    if params.sort_field is None:
        params.sort_field, params.sort_dir = "created_at", "desc"
    page = await service(entity).list_json(ctx, params)
    return page.envelope([json.loads(row) for row in page.items])


@operation(
    "list_notifications",
    MODULE,
    input=NotificationListQuery,
    kind="query",
    rest=Rest("GET", "/notifications"),
    graphql=False,  # GraphQL: ``notifications(filter: {...})``
)
async def list_notifications(ctx: RequestContext, data: NotificationListQuery) -> dict[str, Any]:
    """The caller's notifications, newest first."""
    raw = {**data.model_dump(exclude_none=True), **(data.model_extra or {})}
    return await newest_first(ctx, NOTIFICATION, {k: v for k, v in raw.items() if isinstance(v, str)})


class NotificationUnreadCount(BaseModel):
    unreadCount: int


@operation(
    "notification_unread_count",
    MODULE,
    output=NotificationUnreadCount,
    kind="query",
    rest=Rest("GET", "/notifications/unread-count"),
)
async def unread_count(ctx: RequestContext) -> dict[str, Any]:
    """How many of the caller's notifications are unread."""
    user_id = ctx.require_auth().user_id
    async with ctx.read_session() as session:
        count = await session.scalar(
            select(func.count()).where(
                Notification.tenant_id == ctx.tenant_id(),
                Notification.recipient_user_id == user_id,
                Notification.status == "unread",
                live(Notification),
            )
        )
    return {"unreadCount": count or 0}


# --- the recipient's commands ------------------------------------------------------------------


class NotificationRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class RestoreInput(NotificationRef):
    status: Literal["read", "unread"] | None = None


class ActionRunInput(NotificationRef):
    actionId: required_text(100)
    payload: SafeDict | None = None


class NotificationActionResult(BaseModel):
    ok: bool
    result: Any | None = None
    href: str | None = None


Change = Callable[[Notification, datetime], Awaitable[str | None]]


async def change(ctx: RequestContext, ident: uuid.UUID, apply: Change) -> Notification:
    """Load the caller's own notification (404 for anyone else's), apply a change; when it changed
    something (``apply`` returns the event name), record the event and the action-log step."""
    async with ctx.unit_of_work() as uow:
        notification = await service(NOTIFICATION).fetch(ctx, uow.session, ident, lock=True)
        before = serialize(NOTIFICATION, notification)
        event = await apply(notification, datetime.now(UTC))
        if event is not None:
            await uow.session.flush()
            _record_change(ctx, uow, notification, event, before)
    return notification


def _record_change(ctx: RequestContext, uow: UnitOfWork, n: Notification, event: str, before: dict) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="notification",
        verb=event,
        resource_id=n.id,
        tenant_id=n.tenant_id,
        organization_id=n.organization_id,
        before=before,
        after=serialize(NOTIFICATION, n),
        payload={"recipientUserId": str(n.recipient_user_id), "status": n.status},
    )


NOTIFICATION_REPLY = {"output": NOTIFICATION, "graphql_result": reloaded(NOTIFICATION, lambda r: r["id"])}


def _ok(notification: Notification) -> dict[str, Any]:
    return {"ok": True, "id": str(notification.id)}


@operation(
    "mark_notification_read",
    MODULE,
    input=NotificationRef,
    rest=Rest("PUT", "/notifications/{id}/read", reply=lambda r: {"ok": True}),
    **NOTIFICATION_REPLY,
)
async def mark_read(ctx: RequestContext, data: NotificationRef) -> dict[str, Any]:
    """Mark one of the caller's notifications read (an unread one; others stay as they are)."""

    async def apply(n: Notification, now: datetime) -> str | None:
        if n.status != "unread":
            return None
        STATUS.check(n.status, "read")
        n.status, n.read_at = "read", now
        return "read"

    return _ok(await change(ctx, data.id, apply))


@operation(
    "dismiss_notification",
    MODULE,
    input=NotificationRef,
    rest=Rest("PUT", "/notifications/{id}/dismiss", reply=lambda r: {"ok": True}),
    **NOTIFICATION_REPLY,
)
async def dismiss(ctx: RequestContext, data: NotificationRef) -> dict[str, Any]:
    """Dismiss one of the caller's notifications (restore brings it back)."""

    async def apply(n: Notification, now: datetime) -> str | None:
        if n.status == "dismissed":
            return None
        STATUS.check(n.status, "dismissed")
        n.status, n.dismissed_at = "dismissed", now
        return "dismissed"

    return _ok(await change(ctx, data.id, apply))


@operation(
    "restore_notification",
    MODULE,
    input=RestoreInput,
    rest=Rest("PUT", "/notifications/{id}/restore", reply=lambda r: {"ok": True}),
    **NOTIFICATION_REPLY,
)
async def restore(ctx: RequestContext, data: RestoreInput) -> dict[str, Any]:
    """Undo a dismissal: back to ``read`` (default) or ``unread``. A notification that is not
    dismissed stays as it is."""

    async def apply(n: Notification, now: datetime) -> str | None:
        if n.status != "dismissed":
            return None
        target = data.status or "read"
        STATUS.check(n.status, target)
        n.status, n.dismissed_at = target, None
        n.read_at = None if target == "unread" else (n.read_at or now)
        return "restored"

    return _ok(await change(ctx, data.id, apply))


@operation(
    "run_notification_action",
    MODULE,
    input=ActionRunInput,
    output=NotificationActionResult,
    rest=Rest("POST", "/notifications/{id}/action"),
)
async def run_notification_action(ctx: RequestContext, data: ActionRunInput) -> dict[str, Any]:
    """Run one of the notification's actions (a command runs with the caller's rights and the
    notification's ``sourceEntityId`` as ``id``); the notification becomes ``actioned`` and keeps the
    result. An action runs once: a second attempt is a 409."""
    outcome: dict[str, Any] = {}

    async def apply(n: Notification, now: datetime) -> str | None:
        action = next(
            (a for a in (n.action_data or {}).get("actions", []) if a.get("id") == data.actionId), None
        )
        if action is None:
            raise BadRequest("Action not found")
        if n.action_taken is not None:
            raise Conflict("Action already executed", code="notification_action_already_executed")
        STATUS.check(n.status, "actioned")
        source = str(n.source_entity_id) if n.source_entity_id else None
        command_input = {"id": source, **(data.payload or {})} if source else dict(data.payload or {})
        values = {"sourceEntityId": source, "notificationId": str(n.id)}
        result, href = await run_action(ctx, action, command_input, values)
        n.status, n.actioned_at, n.action_taken, n.action_result = "actioned", now, action["id"], result
        n.read_at = n.read_at or now
        outcome.update(result=result, href=href)
        return "actioned"

    await change(ctx, data.id, apply)
    return {"ok": True, **outcome}


class NotificationsMarkedRead(BaseModel):
    ok: bool
    count: int


ALL_READ = "notifications.notification.mark_all_read"


@operation(
    "mark_all_notifications_read",
    MODULE,
    output=NotificationsMarkedRead,
    rest=Rest("PUT", "/notifications/mark-all-read"),
)
async def mark_all_read(ctx: RequestContext) -> dict[str, Any]:
    """Mark every unread notification of the caller read (nobody else's)."""
    principal = ctx.require_auth()
    tenant_id = ctx.tenant_id()
    async with ctx.unit_of_work() as uow:
        ids = list(
            (
                await uow.session.execute(
                    update(Notification)
                    .where(
                        Notification.tenant_id == tenant_id,
                        Notification.recipient_user_id == principal.user_id,
                        Notification.status == "unread",
                    )
                    .values(status="read", read_at=func.now())
                    .returning(Notification.id)
                )
            ).scalars()
        )
        if ids:
            listed = sorted(str(i) for i in ids)
            record_command(
                ctx,
                uow,
                module=MODULE,
                entity="notification",
                verb="mark_all_read",
                event="all_read",
                resource_id=None,
                tenant_id=tenant_id,
                before={"ids": listed, "status": "unread"},
                after={"ids": listed, "status": "read"},
                payload={"recipientUserId": str(principal.user_id), "count": len(ids)},
            )
    return {"ok": True, "count": len(ids)}


@undo_handler(ALL_READ)
async def _undo_all_read(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Undo: the notifications it marked (still read) become unread again; redo marks them read."""
    ids = [uuid.UUID(i) for i in (step.get("after") or {}).get("ids", [])]
    source, target = ("read", "unread") if direction == "undo" else ("unread", "read")
    await uow.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.recipient_user_id == ctx.require_auth().user_id,
            Notification.status == source,
        )
        .values(status=target, read_at=None if target == "unread" else func.now())
    )
