"""Records hung on a team member: activities, comments, addresses and job history.

All are bound to a member in the caller's scope (``bound_to_member``): documented writes name it
``entityId``, list rows show it as ``member_id`` and lists filter by ``entityId``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.staff import StaffActivity, StaffAddress, StaffComment, StaffJobHistory
from resolvers.crud import guarded
from resolvers.entity import Entity, Field, eq
from resolvers.flags import take_flag
from resolvers.staff.common import (
    FEATURES,
    MODULE,
    appearance,
    bound_to_member,
    member_field,
    member_relation,
    scope_fields,
)


def _member_filters(model: Any) -> list[Any]:
    return [eq("entityId", model.member_id, uuid.UUID), eq("memberId", model.member_id, uuid.UUID)]


def _author_result(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {"authorUserId": str(obj.author_user_id) if obj.author_user_id else None}


def _on_member(
    name: str,
    model: Any,
    path: str,
    graphql_name: str,
    plural: str,
    fields: list[Field],
    description: str,
    *,
    filters: tuple[Any, ...] = (),
    default_sort: str = "created_at",
    author: bool = False,
    **hooks: Any,
) -> Entity:
    """An entity of records hung on a member, with the module's features and scope fields."""
    return Entity(
        name=name,
        module=MODULE,
        model=model,
        path=path,
        graphql_name=graphql_name,
        plural=plural,
        key_case="snake",
        features=FEATURES,
        fields=[member_field(), *fields, *scope_fields()],
        filters=[*_member_filters(model), *filters],
        relations=[member_relation()],
        default_sort=default_sort,
        hooks=guarded(
            model,
            bound_to_member(
                author_attr="author_user_id" if author else None,
                **({"create_result": _author_result} if author else {}),
                **hooks,
            ),
        ),
        description=description,
    )


STAFF_ACTIVITY = _on_member(
    "staff_activity",
    StaffActivity,
    "/staff/activities",
    "StaffActivity",
    "staff_activities",
    [
        Field("activity_type", str, required=True, sort=True, max_length=100),
        Field("subject", str, search=True, max_length=300),
        Field("body", str, search=True, max_length=20000),
        Field("occurred_at", datetime, sort=True),
        Field("author_user_id", uuid.UUID, update=False),
        *appearance(),
    ],
    "An activity on a team member's timeline.",
    filters=(eq("activityType", StaffActivity.activity_type),),
    author=True,
)

STAFF_COMMENT = _on_member(
    "staff_comment",
    StaffComment,
    "/staff/comments",
    "StaffComment",
    "staff_comments",
    [
        Field("body", str, required=True, search=True, max_length=20000),
        Field("author_user_id", uuid.UUID, update=False),
        *appearance(),
    ],
    "A note on a team member's timeline.",
    author=True,
)

# --- addresses ---------------------------------------------------------------------------------


def _check_coordinates(data: dict[str, Any]) -> None:
    for key, limit in (("latitude", 90), ("longitude", 180)):
        value = data.get(key)
        if value is not None and abs(value) > limit:
            raise ValidationFailed([issue(key, f"Must be between -{limit} and {limit}", "too_big")])


async def _address_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check_coordinates(data)
    if data.get("is_primary"):
        await take_flag(ctx, uow, STAFF_ADDRESS, "is_primary", [StaffAddress.member_id == data["member_id"]])


async def _address_before_update(
    ctx: RequestContext, uow: UnitOfWork, address: StaffAddress, data: dict[str, Any]
) -> None:
    _check_coordinates(data)
    if data.get("is_primary") and not address.is_primary:
        await take_flag(
            ctx,
            uow,
            STAFF_ADDRESS,
            "is_primary",
            [StaffAddress.member_id == address.member_id],
            keep=address.id,
        )


STAFF_ADDRESS = _on_member(
    "staff_address",
    StaffAddress,
    "/staff/addresses",
    "StaffAddress",
    "staff_addresses",
    [
        Field("name", str, sort=True, search=True, max_length=200),
        Field("purpose", str, max_length=100),
        Field("company_name", str, search=True, max_length=200),
        Field("address_line1", str, required=True, search=True, max_length=300),
        Field("address_line2", str, max_length=300),
        Field("building_number", str, max_length=50),
        Field("flat_number", str, max_length=50),
        Field("city", str, sort=True, search=True, max_length=150),
        Field("region", str, max_length=150),
        Field("postal_code", str, max_length=30),
        Field("country", str, sort=True, max_length=100),
        Field("latitude", Decimal),
        Field("longitude", Decimal),
        Field("is_primary", bool, sort=True, description="The member's primary address (one per member)."),
    ],
    "A postal address of a team member (one of them primary).",
    filters=(eq("isPrimary", StaffAddress.is_primary, bool),),
    before_create=_address_before_create,
    before_update=_address_before_update,
)

# --- job history -------------------------------------------------------------------------------


def _check_period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed(
            [issue("endDate", "End date must not be before the start date", "invalid_date")]
        )


async def _job_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check_period(data.get("start_date"), data.get("end_date"))


async def _job_before_update(
    ctx: RequestContext, uow: UnitOfWork, job: StaffJobHistory, data: dict[str, Any]
) -> None:
    _check_period(data.get("start_date", job.start_date), data.get("end_date", job.end_date))


STAFF_JOB_HISTORY = _on_member(
    "staff_job_history",
    StaffJobHistory,
    "/staff/job-histories",
    "StaffJobHistory",
    "staff_job_histories",
    [
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("company_name", str, search=True, max_length=200),
        Field("description", str, search=True, max_length=10000),
        Field("start_date", datetime, required=True, sort=True),
        Field("end_date", datetime, sort=True),
    ],
    "A past or current position of a team member.",
    default_sort="start_date",
    before_create=_job_before_create,
    before_update=_job_before_update,
)
