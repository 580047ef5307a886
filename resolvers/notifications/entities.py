"""The notification entity (each user reads only their own) and its status machine."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, literal_column, or_

from crmgraph.context import RequestContext
from models.notifications import Notification
from resolvers.entity import Computed, Entity, Features, Field, Filter, Relation, eq, one_of
from resolvers.statemachine import machine

MODULE = "notifications"
READONLY = {"create": False, "update": False}
STATUSES = ("unread", "read", "actioned", "dismissed")
SEVERITIES = ("info", "warning", "success", "error")

STATUS = machine(
    "notifications.notification.status",
    "status",
    "unread",
    unread=("read", "actioned", "dismissed"),
    read=("actioned", "dismissed"),
    actioned=("dismissed",),
    dismissed=("read", "unread"),  # restored
)


def live(target: Any) -> Any:
    """Not past its expiry."""
    return or_(target.expires_at.is_(None), target.expires_at > func.now())


async def _own(ctx: RequestContext, target: Any) -> Any:
    """A user sees only the live notifications addressed to them (an API key sees none)."""
    user_id = ctx.require_auth().user_id
    if user_id is None:
        return false()
    return (target.recipient_user_id == user_id) & live(target)


def _actions() -> Any:
    """The offered actions as the list shows them (``[]`` when none)."""
    return func.coalesce(Notification.action_data.op("->")("actions"), literal_column("'[]'::jsonb"))


def _primary_action() -> Any:
    return Notification.action_data.op("->>")("primaryActionId")


def _field(attr: str, type_: type = str, **options: Any) -> Field:
    return Field(attr, type_, **READONLY, **options)


NOTIFICATION = Entity(
    name="notification",
    module=MODULE,
    model=Notification,
    path=None,  # REST: the declared operations in ``resolvers.notifications.operations``
    graphql_name="Notification",
    plural="notifications",
    scope="tenant",
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    features=Features(),  # every signed-in user reads their own
    visibility=_own,
    fields=[
        _field("type", sort=True),
        _field("title", search=True),
        _field("body", search=True),
        _field("title_key"),
        _field("body_key"),
        _field("title_variables", dict),
        _field("body_variables", dict),
        _field("icon"),
        _field("severity", sort=True),
        _field("status", sort=True),
        _field("action_data", dict, description="Offered actions: {actions: [...], primaryActionId}."),
        _field("source_module"),
        _field("source_entity_type"),
        _field("source_entity_id", uuid.UUID),
        _field("link_href"),
        _field("group_key"),
        _field("action_taken"),
        _field("action_result", dict),
        _field("recipient_user_id", uuid.UUID),
        _field("created_by_user_id", uuid.UUID),
        _field("organization_id", uuid.UUID),
        _field("tenant_id", uuid.UUID),
        _field("created_at", datetime, sort=True),
        _field("read_at", datetime, sort=True),
        _field("actioned_at", datetime),
        _field("dismissed_at", datetime),
        _field("expires_at", datetime),
    ],
    filters=[
        one_of("status", Notification.status),
        eq("type", Notification.type),
        eq("severity", Notification.severity),
        eq("sourceEntityType", Notification.source_entity_type),
        eq("sourceEntityId", Notification.source_entity_id, uuid.UUID),
        Filter(
            "since", datetime, lambda q, v: q.where(Notification.created_at > v), description="Created after."
        ),
    ],
    relations=[Relation("recipient", "user", "one", source_fk="recipient_user_id")],
    computed=[Computed("actions", _actions), Computed("primaryActionId", _primary_action)],
    default_sort="created_at",
    description="A notification addressed to the signed-in user.",
)
