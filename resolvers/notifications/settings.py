"""The tenant's delivery settings: notifications are always stored for the recipient (``database``);
``email`` also mails each one to the recipient through the mail outbox."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from models.notifications import NotificationSettings
from resolvers.crud import flush_or_conflict
from resolvers.events import record_command
from resolvers.notifications.actions import safe_href
from resolvers.notifications.entities import MODULE
from resolvers.operations import Rest, operation
from resolvers.undo import Direction, undo_handler
from resolvers.validation import text

MANAGE = ("notifications.manage",)
DEFAULT_PANEL_PATH = "/backend/notifications"


class NotificationStoreStrategy(BaseModel):
    """Always on: a notification is stored for its recipient."""

    model_config = ConfigDict(extra="ignore")
    enabled: bool = True


class NotificationEmailStrategy(BaseModel):
    """Mail each new notification to its recipient (subject: the prefix, then the title)."""

    model_config = ConfigDict(extra="ignore")
    enabled: bool = False
    subjectPrefix: text(100) | None = None


class NotificationStrategies(BaseModel):
    model_config = ConfigDict(extra="ignore")
    database: NotificationStoreStrategy = PydanticField(default_factory=NotificationStoreStrategy)
    email: NotificationEmailStrategy = PydanticField(default_factory=NotificationEmailStrategy)


class NotificationDeliverySettings(BaseModel):
    """How notifications reach their recipients, and where the links in mails point."""

    model_config = ConfigDict(extra="ignore")
    appUrl: text(500) | None = None
    panelPath: text(200) = DEFAULT_PANEL_PATH
    strategies: NotificationStrategies = PydanticField(default_factory=NotificationStrategies)

    @field_validator("appUrl")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or not safe_href(value)):
            raise ValueError("An http(s) URL")
        return value

    @field_validator("panelPath")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or not safe_href(value):
            raise ValueError("A path starting with /")
        return value

    def normalized(self) -> NotificationDeliverySettings:
        self.strategies.database.enabled = True  # storing cannot be turned off
        return self


class NotificationSettingsReply(BaseModel):
    settings: NotificationDeliverySettings


class NotificationSettingsSaved(BaseModel):
    ok: bool
    settings: NotificationDeliverySettings


async def delivery_settings(session: Any, tenant_id: uuid.UUID | None) -> NotificationDeliverySettings:
    stored = await session.scalar(
        select(NotificationSettings.settings).where(NotificationSettings.tenant_id == tenant_id)
    )
    return NotificationDeliverySettings.model_validate(stored or {}).normalized()


def panel_url(ctx: RequestContext, settings: NotificationDeliverySettings) -> str:
    base = (settings.appUrl or ctx.settings.public_url).rstrip("/")
    return base + settings.panelPath


@operation(
    "notification_settings",
    MODULE,
    output=NotificationSettingsReply,
    kind="query",
    features=MANAGE,
    rest=Rest("GET", "/notifications/settings"),
)
async def get_settings(ctx: RequestContext) -> dict[str, Any]:
    """The tenant's notification delivery settings."""
    async with ctx.read_session() as session:
        settings = await delivery_settings(session, ctx.tenant_id())
    return {"settings": settings.model_dump()}


@operation(
    "save_notification_settings",
    MODULE,
    input=NotificationDeliverySettings,
    output=NotificationSettingsSaved,
    features=MANAGE,
    rest=Rest("POST", "/notifications/settings"),
)
async def save_settings(ctx: RequestContext, data: NotificationDeliverySettings) -> dict[str, Any]:
    """Replace the tenant's notification delivery settings (``strategies.email.enabled`` mails each
    new notification to its recipient)."""
    tenant_id = ctx.tenant_id()
    async with ctx.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(NotificationSettings).where(NotificationSettings.tenant_id == tenant_id).with_for_update()
        )
        before = dict(row.settings) if row is not None else None
        if row is None:
            row = NotificationSettings(id=uuid.uuid4(), tenant_id=tenant_id, settings={})
            uow.session.add(row)
        row.settings = data.normalized().model_dump()
        await flush_or_conflict(uow)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="settings",
            verb="update",
            event="updated",
            resource_id=row.id,
            tenant_id=tenant_id,
            before=before,
            after=row.settings,
        )
    return {"ok": True, "settings": row.settings}


@undo_handler("notifications.settings.update")
async def _undo_save(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Put back the settings as they were before (undo) or after (redo) the save."""
    row = await uow.session.get(NotificationSettings, uuid.UUID(step["resourceId"]), with_for_update=True)
    wanted = step.get("before") if direction == "undo" else step.get("after")
    if row is not None:
        row.settings = wanted or NotificationDeliverySettings().model_dump()
        await uow.session.flush()
