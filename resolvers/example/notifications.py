"""The example actionable notification: ``POST /example/notifications`` addresses one to the caller,
with an "Open" action on a same-origin link and a "Dismiss" action. Each user reads only their own
(GraphQL ``exampleNotifications``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict
from sqlalchemy import false

from crmgraph.context import RequestContext
from crmgraph.errors import Unauthorized
from models.example import ExampleNotification
from resolvers.entity import Entity, Features, Field, Relation, serialize
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope
from resolvers.validation import text

READONLY = {"create": False, "update": False}
TYPE = "example.umes.actionable"
DEFAULT_LINK = "/backend/example/todos"


async def _own(ctx: RequestContext, notification: Any) -> Any:
    """A user reads only the notifications addressed to them (API keys have none)."""
    user_id = ctx.require_auth().user_id
    return notification.recipient_user_id == user_id if user_id is not None else false()


NOTIFICATION = Entity(
    name="example_notification",
    module="example",
    model=ExampleNotification,
    path=None,
    graphql_name="ExampleNotification",
    plural="example_notifications",
    visibility=_own,
    soft_delete=False,
    fields=[
        Field("type", str, **READONLY),
        Field("title", str, **READONLY),
        Field("body", str, **READONLY),
        Field("severity", str, **READONLY),
        Field("link_href", str, **READONLY),
        Field("actions", list, **READONLY),
        Field("primary_action_id", str, **READONLY),
        Field("recipient_user_id", uuid.UUID, **READONLY),
        Field("read_at", datetime, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
    ],
    features=Features(),  # every signed-in user reads their own
    relations=[Relation("recipient", "user", "one", source_fk="recipient_user_id")],
    mutations=(),
    default_sort="created_at",
    description="An actionable notification addressed to the signed-in user.",
)


def same_origin_path(candidate: str | None, default: str = DEFAULT_LINK) -> str:
    """``candidate`` when it is a path on this site (``/...``, no scheme, host or ``//``), else
    ``default``: a notification link never leads elsewhere."""
    if not candidate or any(ch in candidate for ch in "\\\r\n\t"):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return candidate


class NotificationInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    linkHref: text(1000) | None = None


class NotificationCreated(BaseModel):
    model_config = ConfigDict(title="ExampleNotificationCreated")
    id: uuid.UUID
    linkHref: str


@operation(
    "create_example_notification",
    "example",
    input=NotificationInput,
    output=NotificationCreated,
    features=("example.todos.manage",),
    rest=Rest("POST", "/example/notifications", status=201),
)
async def create_notification(ctx: RequestContext, data: NotificationInput) -> dict[str, Any]:
    """Address an actionable notification to the caller; ``linkHref`` must be a path on this site
    (anything else is replaced by the default link)."""
    principal = ctx.require_auth()
    if principal.user_id is None:
        raise Unauthorized()  # a notification needs a user to receive it
    link = same_origin_path(data.linkHref)
    scope = await org_scope(ctx)
    notification = ExampleNotification(
        id=uuid.uuid4(),
        tenant_id=scope.tenant_id,
        organization_id=scope.selected_org_id or principal.org_id,
        recipient_user_id=principal.user_id,
        type=TYPE,
        title="Example actionable notification",
        body=f"Open {link} or dismiss this notification.",
        severity="info",
        link_href=link,
        actions=[
            {"id": "open", "label": "Open", "variant": "outline", "href": link},
            {"id": "dismiss", "label": "Dismiss", "variant": "ghost"},
        ],
        primary_action_id="open",
    )
    async with ctx.unit_of_work() as uow:  # the operation's own
        uow.session.add(notification)
        await uow.session.flush()
        await uow.session.refresh(notification)
        record_command(
            ctx,
            uow,
            module="example",
            entity="example_notification",
            verb="create",
            event="created",
            resource_id=notification.id,
            tenant_id=notification.tenant_id,
            organization_id=notification.organization_id,
            after=serialize(NOTIFICATION, notification),
        )
    return {"id": notification.id, "linkHref": link}
