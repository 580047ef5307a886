"""Records hung on a resource: service book entries, activities and comments.

All are bound to a resource in the caller's scope (``bound_to_resource``): documented writes name it
``entityId``, list rows show it as ``resource_id`` (and the service book as ``entityId`` too).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.resources import ResourceActivity, ResourceComment, ServiceBookEntry
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Field, contains, eq, since, until
from resolvers.resources.common import (
    FEATURES,
    appearance,
    bound_to_resource,
    resource_field,
    resource_relation,
    scope_fields,
)


def _resource_filters(model: Any) -> list[Any]:
    return [eq("entityId", model.resource_id, uuid.UUID), eq("resourceId", model.resource_id, uuid.UUID)]


def _author_result(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {"authorUserId": str(obj.author_user_id) if obj.author_user_id else None}


# --- service book ------------------------------------------------------------------------------


def _check_period(service_in: datetime | None, service_out: datetime | None) -> None:
    if service_in is not None and service_out is not None and service_out < service_in:
        raise ValidationFailed(
            [issue("serviceOutAt", "Service out date must not be before the service in date", "invalid_date")]
        )


async def _entry_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check_period(data.get("service_in_at"), data.get("service_out_at"))


async def _entry_before_update(
    ctx: RequestContext, uow: UnitOfWork, entry: ServiceBookEntry, data: dict[str, Any]
) -> None:
    _check_period(
        data.get("service_in_at", entry.service_in_at), data.get("service_out_at", entry.service_out_at)
    )


SERVICE_BOOK_ENTRY = Entity(
    name="service_book_entry",
    module="resources",
    model=ServiceBookEntry,
    path="/resources/service-book",
    graphql_name="ServiceBookEntry",
    plural="service_book_entries",
    features=FEATURES,
    fields=[
        resource_field(),
        Field("service_type", str, required=True, sort=True, search=True, max_length=100),
        Field("service_activity", str, required=True, sort=True, search=True, max_length=200),
        Field("service_in_at", datetime, required=True, sort=True),
        Field("service_out_at", datetime, sort=True),
        Field("description", str, search=True, max_length=20000),
        *scope_fields(),
    ],
    filters=[
        *_resource_filters(ServiceBookEntry),
        eq("filterServiceType", ServiceBookEntry.service_type),
        contains("filterServiceActivity", ServiceBookEntry.service_activity),
        since("filterServiceInFrom", ServiceBookEntry.service_in_at),
        until("filterServiceInTo", ServiceBookEntry.service_in_at),
        since("filterServiceOutFrom", ServiceBookEntry.service_out_at),
        until("filterServiceOutTo", ServiceBookEntry.service_out_at),
    ],
    relations=[resource_relation()],
    computed=[Computed("entityId", lambda: ServiceBookEntry.resource_id)],
    default_sort="service_in_at",
    hooks=guarded(
        ServiceBookEntry,
        bound_to_resource(before_create=_entry_before_create, before_update=_entry_before_update),
    ),
    description="A workshop visit of a resource: when it came in and out, and what was done.",
)

# --- activities and comments -------------------------------------------------------------------

RESOURCE_ACTIVITY = Entity(
    name="resource_activity",
    module="resources",
    model=ResourceActivity,
    path="/resources/activities",
    graphql_name="ResourceActivity",
    plural="resource_activities",
    key_case="snake",
    features=FEATURES,
    fields=[
        resource_field(),
        Field("activity_type", str, required=True, sort=True, max_length=100),
        Field("subject", str, search=True, max_length=300),
        Field("body", str, search=True, max_length=20000),
        Field("occurred_at", datetime, sort=True),
        Field("author_user_id", uuid.UUID, update=False),
        *appearance(),
        *scope_fields(),
    ],
    filters=[*_resource_filters(ResourceActivity), eq("activityType", ResourceActivity.activity_type)],
    relations=[resource_relation()],
    default_sort="created_at",
    hooks=guarded(
        ResourceActivity, bound_to_resource(author_attr="author_user_id", create_result=_author_result)
    ),
    description="An activity on a resource's timeline.",
)

RESOURCE_COMMENT = Entity(
    name="resource_comment",
    module="resources",
    model=ResourceComment,
    path="/resources/comments",
    graphql_name="ResourceComment",
    plural="resource_comments",
    key_case="snake",
    features=FEATURES,
    fields=[
        resource_field(),
        Field("body", str, required=True, search=True, max_length=20000),
        Field("author_user_id", uuid.UUID, update=False),
        *appearance(),
        *scope_fields(),
    ],
    filters=_resource_filters(ResourceComment),
    relations=[resource_relation()],
    default_sort="created_at",
    hooks=guarded(
        ResourceComment, bound_to_resource(author_attr="author_user_id", create_result=_author_result)
    ),
    description="A note on a resource's timeline.",
)
