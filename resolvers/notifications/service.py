"""Sending notifications: the Python API other modules call inside their own unit of work.

    await notify(ctx, uow, [user_id], {"type": "cases.assigned", "title": "Case assigned to you",
                                      "sourceEntityType": "cases.case", "sourceEntityId": case.id})

Recipients must be live users of the tenant; each gets one notification (or, with a ``groupKey``,
the active one of that type and group is refreshed instead of piling up), and each delivery records
the domain event ``notifications.notification.created`` and an action-log step in the caller's
transaction. When the tenant enabled e-mail delivery, a mail goes out through the outbox too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.notifications import Notification
from resolvers.crud import flush_or_conflict
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.mail import queue_mail
from resolvers.notifications.actions import OfferedActionInput, check_href, checked_actions, required_text
from resolvers.notifications.entities import MODULE, NOTIFICATION
from resolvers.notifications.recipients import tenant_users
from resolvers.notifications.settings import NotificationDeliverySettings, delivery_settings, panel_url
from resolvers.scope import parse_uuid
from resolvers.validation import SafeDatetime, validate
from resolvers.validation import text as bounded_text

ACTIVE = ("unread", "read", "actioned")  # a grouped notification in these states is refreshed
Variables = dict[required_text(100), bounded_text(1000)]


class NotificationContent(BaseModel):
    """What a notification says and offers. The title falls back to ``titleKey``, then ``type``."""

    model_config = ConfigDict(extra="ignore")
    type: required_text(100)
    title: bounded_text(500) | None = None
    body: bounded_text(2000) | None = None
    titleKey: bounded_text(200) | None = None
    bodyKey: bounded_text(200) | None = None
    titleVariables: Variables | None = PydanticField(default=None, max_length=50)
    bodyVariables: Variables | None = PydanticField(default=None, max_length=50)
    icon: bounded_text(100) | None = None
    severity: Literal["info", "warning", "success", "error"] = "info"
    actions: list[OfferedActionInput] | None = PydanticField(default=None, max_length=10)
    primaryActionId: bounded_text(100) | None = None
    sourceModule: bounded_text(100) | None = None
    sourceEntityType: bounded_text(100) | None = None
    sourceEntityId: uuid.UUID | None = None
    linkHref: bounded_text(2000) | None = None
    groupKey: bounded_text(200) | None = None
    expiresAt: SafeDatetime | None = None

    @model_validator(mode="after")
    def _primary_is_offered(self) -> NotificationContent:
        if self.primaryActionId is not None and self.primaryActionId not in {
            a.id for a in self.actions or []
        }:
            raise ValueError("primaryActionId must be the id of one of the actions")
        return self


def content_of(raw: NotificationContent | Mapping[str, Any]) -> NotificationContent:
    return raw if isinstance(raw, NotificationContent) else validate(NotificationContent, dict(raw))


def _columns(content: NotificationContent, actions: list[dict[str, Any]]) -> dict[str, Any]:
    action_data = {"actions": actions, "primaryActionId": content.primaryActionId} if actions else None
    return {
        "type": content.type,
        "title": content.title or content.titleKey or content.type,
        "body": content.body,
        "title_key": content.titleKey,
        "body_key": content.bodyKey,
        "title_variables": content.titleVariables,
        "body_variables": content.bodyVariables,
        "icon": content.icon,
        "severity": content.severity,
        "action_data": action_data,
        "source_module": content.sourceModule,
        "source_entity_type": content.sourceEntityType,
        "source_entity_id": content.sourceEntityId,
        "link_href": content.linkHref,
        "group_key": content.groupKey,
        "expires_at": content.expiresAt,
        # a fresh delivery
        "status": "unread",
        "read_at": None,
        "actioned_at": None,
        "dismissed_at": None,
        "action_taken": None,
        "action_result": None,
    }


def recipient_ids(raw: Iterable[Any], path: str) -> list[uuid.UUID]:
    ids = []
    for index, value in enumerate(raw):
        parsed = parse_uuid(value)
        if parsed is None:
            raise ValidationFailed([issue([path, index], "Invalid id", "invalid_string")])
        ids.append(parsed)
    return ids


async def _grouped(uow: UnitOfWork, tenant_id: Any, user_id: uuid.UUID, content: NotificationContent) -> Any:
    """The active notification of the recipient with the same type and ``groupKey`` (serialized per
    group by a transaction-scoped advisory lock), or None."""
    key = f"notifications:{tenant_id}:{user_id}:{content.type}:{content.groupKey}"
    await uow.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    return await uow.session.scalar(
        select(Notification)
        .where(
            Notification.tenant_id == tenant_id,
            Notification.recipient_user_id == user_id,
            Notification.type == content.type,
            Notification.group_key == content.groupKey,
            Notification.status.in_(ACTIVE),
        )
        .order_by(Notification.created_at.desc())
        .limit(1)
        .with_for_update()
    )


async def notify(
    ctx: RequestContext,
    uow: UnitOfWork,
    recipients: Iterable[Any],
    content: NotificationContent | Mapping[str, Any],
    *,
    tenant_id: uuid.UUID | None = None,
    path: str = "recipientUserIds",
) -> list[Notification]:
    """Deliver ``content`` to each recipient (user ids of the tenant; any other id is a 400 naming
    ``path``) in the caller's unit of work; the delivered notifications, in recipient order."""
    content = content_of(content)
    tenant = tenant_id or ctx.tenant_id()
    actions = checked_actions(content.actions)
    check_href(content.linkHref, ["linkHref"])
    users = await tenant_users(uow.session, tenant, recipient_ids(recipients, path), path)
    settings = await delivery_settings(uow.session, tenant)
    creator = ctx.principal.user_id if ctx.principal else None
    delivered = []
    for user in users:
        columns = _columns(content, actions)
        existing = await _grouped(uow, tenant, user.id, content) if content.groupKey else None
        before = serialize(NOTIFICATION, existing) if existing is not None else None
        notification = existing or Notification(
            id=uuid.uuid4(), tenant_id=tenant, recipient_user_id=user.id, organization_id=user.organization_id
        )
        for name, value in columns.items():
            setattr(notification, name, value)
        notification.created_by_user_id = creator
        notification.created_at = datetime.now(UTC)  # a refreshed one comes back to the top
        if existing is None:
            uow.session.add(notification)
        _record(ctx, uow, notification, before)
        if settings.strategies.email.enabled and user.email:
            _mail(ctx, uow, notification, user.email, settings)
        delivered.append(notification)
    await flush_or_conflict(uow)  # one round trip for all of them
    return delivered


def _record(ctx: RequestContext, uow: UnitOfWork, notification: Notification, before: dict | None) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="notification",
        verb="create" if before is None else "update",
        event="created",
        resource_id=notification.id,
        tenant_id=notification.tenant_id,
        organization_id=notification.organization_id,
        before=before,
        after=serialize(NOTIFICATION, notification),
        # No content: the event says who it is for, the recipient reads it through the API.
        payload={
            "recipientUserId": str(notification.recipient_user_id),
            "type": notification.type,
            "severity": notification.severity,
        },
    )


def _mail(
    ctx: RequestContext,
    uow: UnitOfWork,
    notification: Notification,
    to: str,
    settings: NotificationDeliverySettings,
) -> None:
    link = notification.link_href
    if link is None:
        link = panel_url(ctx, settings)
    elif link.startswith("/"):
        link = (settings.appUrl or ctx.settings.public_url).rstrip("/") + link
    lines = [notification.title, "", notification.body or "", "", link]
    queue_mail(
        ctx,
        uow,
        tenant_id=notification.tenant_id,
        to=to,
        subject=(settings.strategies.email.subjectPrefix or "") + notification.title,
        body="\n".join(lines),
    )
