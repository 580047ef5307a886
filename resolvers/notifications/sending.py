"""Sending notifications over the API: to one user, to several, to the holders of a role or of a
feature — always users of the caller's tenant (``resolvers.notifications.service.notify``)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.notifications import Notification
from resolvers.features import known
from resolvers.notifications.actions import required_text
from resolvers.notifications.entities import MODULE
from resolvers.notifications.recipients import feature_holders, role_holders
from resolvers.notifications.service import NotificationContent, notify
from resolvers.operations import Rest, operation

CREATE = ("notifications.create",)


class NotificationCreateInput(NotificationContent):
    recipientUserId: uuid.UUID


class NotificationBatchInput(NotificationContent):
    recipientUserIds: list[uuid.UUID] = PydanticField(min_length=1, max_length=1000)


class NotificationRoleInput(NotificationContent):
    roleId: uuid.UUID


class NotificationFeatureInput(NotificationContent):
    requiredFeature: required_text(200)


class NotificationCreated(BaseModel):
    id: uuid.UUID


class NotificationsCreated(BaseModel):
    ok: bool
    count: int
    ids: list[uuid.UUID]


def _created(notifications: list[Notification]) -> dict[str, Any]:
    return {"ok": True, "count": len(notifications), "ids": [str(n.id) for n in notifications]}


@operation(
    "create_notification",
    MODULE,
    input=NotificationCreateInput,
    output=NotificationCreated,
    features=CREATE,
    rest=Rest("POST", "/notifications", status=201),
)
async def create_notification(ctx: RequestContext, data: NotificationCreateInput) -> dict[str, Any]:
    """Send a notification to one user of the tenant."""
    async with ctx.unit_of_work() as uow:
        (notification,) = await notify(ctx, uow, [data.recipientUserId], data, path="recipientUserId")
    return {"id": str(notification.id)}


@operation(
    "create_notifications_batch",
    MODULE,
    input=NotificationBatchInput,
    output=NotificationsCreated,
    features=CREATE,
    rest=Rest("POST", "/notifications/batch", status=201),
)
async def create_batch(ctx: RequestContext, data: NotificationBatchInput) -> dict[str, Any]:
    """Send one notification to each of the given users (all of the tenant, or nothing is sent)."""
    async with ctx.unit_of_work() as uow:
        return _created(await notify(ctx, uow, data.recipientUserIds, data))


@operation(
    "notify_role",
    MODULE,
    input=NotificationRoleInput,
    output=NotificationsCreated,
    features=CREATE,
    rest=Rest("POST", "/notifications/role", status=201),
)
async def notify_role(ctx: RequestContext, data: NotificationRoleInput) -> dict[str, Any]:
    """Send a notification to every user of the tenant holding the role."""
    async with ctx.unit_of_work() as uow:
        holders = await role_holders(uow.session, ctx.tenant_id(), data.roleId)
        return _created(await notify(ctx, uow, holders, data))


@operation(
    "notify_feature",
    MODULE,
    input=NotificationFeatureInput,
    output=NotificationsCreated,
    features=CREATE,
    rest=Rest("POST", "/notifications/feature", status=201),
)
async def notify_feature(ctx: RequestContext, data: NotificationFeatureInput) -> dict[str, Any]:
    """Send a notification to every user of the tenant whose rights grant ``requiredFeature``."""
    if not known(data.requiredFeature):
        raise ValidationFailed([issue("requiredFeature", "Unknown feature", "not_found")])
    async with ctx.unit_of_work() as uow:
        holders = await feature_holders(uow.session, ctx.tenant_id(), data.requiredFeature)
        return _created(await notify(ctx, uow, holders, data))
