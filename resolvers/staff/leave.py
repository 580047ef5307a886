"""Leave requests: a member asks for time off (pending); a manager approves it, which adds the
member's unavailability for the period, or rejects it with an optional comment. Decided requests
are a record: they can no longer be changed or withdrawn."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.staff import StaffLeaveRequest, StaffTeamMember, StaffUnavailability
from resolvers.cases.common import check_user
from resolvers.crud import guarded, service
from resolvers.entity import Computed, Entity, Features, Field, Relation, eq, serialize
from resolvers.operations import Rest, operation
from resolvers.staff.common import (
    LEAVE_MANAGE,
    MODULE,
    READONLY,
    VIEW,
    bound_to_member,
    brief,
    member_relation,
    record_command,
    scope_fields,
)
from resolvers.statemachine import machine

STATUS = machine(
    "staff.leave_request.status",
    "status",
    "pending",
    pending=("approved", "rejected"),
    approved=(),
    rejected=(),
)


def _check_period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed(
            [issue("endDate", "End date must not be before the start date", "invalid_date")]
        )


def _check_timezone(name: str | None) -> None:
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed([issue("timezone", "Unknown time zone", "invalid_string")]) from None


def _still_pending(request: StaffLeaveRequest, action: str) -> None:
    if request.status != STATUS.initial:
        raise Conflict(f"Only a pending leave request can be {action}", code="invalid_transition")


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check_period(data.get("start_date"), data.get("end_date"))
    _check_timezone(data.get("timezone"))
    await check_user(ctx, uow.session, data.get("submitted_by_user_id"), "submittedByUserId")
    data["status"] = STATUS.initial


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, request: StaffLeaveRequest, data: dict[str, Any]
) -> None:
    _still_pending(request, "changed")
    _check_period(data.get("start_date", request.start_date), data.get("end_date", request.end_date))
    _check_timezone(data.get("timezone"))


async def _before_delete(ctx: RequestContext, uow: UnitOfWork, request: StaffLeaveRequest) -> None:
    _still_pending(request, "withdrawn")


STAFF_LEAVE_REQUEST = Entity(
    name="staff_leave_request",
    module=MODULE,
    model=StaffLeaveRequest,
    path="/staff/leave-requests",
    graphql_name="StaffLeaveRequest",
    plural="staff_leave_requests",
    key_case="snake",
    features=Features(),  # documented without features: any signed-in user of the organization
    fields=[
        Field("member_id", uuid.UUID, required=True, update=False),
        Field("start_date", datetime, required=True, sort=True),
        Field("end_date", datetime, required=True, sort=True),
        Field("timezone", str, required=True, max_length=100),
        Field("status", str, sort=True, **READONLY),
        Field("unavailability_reason_entry_id", uuid.UUID),
        Field("unavailability_reason_value", str, max_length=200),
        Field("note", str, search=True, max_length=10000),
        Field("decision_comment", str, **READONLY),
        Field("submitted_by_user_id", uuid.UUID, update=False),
        Field("decided_by_user_id", uuid.UUID, **READONLY),
        Field("decided_at", datetime, sort=True, **READONLY),
        *scope_fields(),
    ],
    filters=[
        eq("status", StaffLeaveRequest.status),
        eq("memberId", StaffLeaveRequest.member_id, uuid.UUID),
    ],
    relations=[
        member_relation(),
        Relation("unavailabilities", "staff_unavailability", "many", target_fk="leave_request_id"),
    ],
    computed=[
        Computed(
            "member",
            lambda: brief(
                StaffTeamMember, StaffLeaveRequest.member_id, display_name=StaffTeamMember.display_name
            ),
        )
    ],
    default_sort="start_date",
    hooks=guarded(
        StaffLeaveRequest,
        bound_to_member(
            author_attr="submitted_by_user_id",
            before_create=_before_create,
            before_update=_before_update,
            before_delete=_before_delete,
        ),
    ),
    description="Time off a member asks for: pending, then approved (adds unavailability) or rejected.",
)

STAFF_UNAVAILABILITY = Entity(
    name="staff_unavailability",
    module=MODULE,
    model=StaffUnavailability,
    path=None,
    graphql_name="StaffUnavailability",
    plural="staff_unavailabilities",
    soft_delete=False,
    features=Features(view=[VIEW]),
    fields=[
        Field("member_id", uuid.UUID, **READONLY),
        Field("leave_request_id", uuid.UUID, **READONLY),
        Field("starts_at", datetime, sort=True, **READONLY),
        Field("ends_at", datetime, sort=True, **READONLY),
        Field("timezone", str, **READONLY),
        Field("reason", str, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("memberId", StaffUnavailability.member_id, uuid.UUID)],
    relations=[
        member_relation(),
        Relation("leave_request", "staff_leave_request", "one", source_fk="leave_request_id"),
    ],
    rest_verbs=(),
    mutations=(),
    default_sort="starts_at",
    description="A period a member is unavailable, added when their leave request is approved.",
)

# --- decisions ---------------------------------------------------------------------------------


class LeaveDecisionInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    id: uuid.UUID
    decision_comment: str | None = PydanticField(
        default=None, max_length=10000, validation_alias=AliasChoices("decisionComment", "decision_comment")
    )
    decided_by_user_id: uuid.UUID | None = PydanticField(
        default=None, validation_alias=AliasChoices("decidedByUserId", "decided_by_user_id")
    )


class LeaveDecisionResult(BaseModel):
    ok: bool
    id: uuid.UUID


async def decide(ctx: RequestContext, data: LeaveDecisionInput, target: str) -> dict[str, Any]:
    """Move a pending request to ``target`` (409 from the state machine otherwise); approving adds
    the member's unavailability for the period. One unit of work, one action-log entry."""
    async with ctx.unit_of_work() as uow:
        request = await service(STAFF_LEAVE_REQUEST).fetch(ctx, uow.session, data.id, lock=True)
        STATUS.check(request.status, target)
        if request.status == target:
            raise Conflict(f"Leave request is already {target}", code="invalid_transition")
        await check_user(ctx, uow.session, data.decided_by_user_id, "decidedByUserId")
        before = serialize(STAFF_LEAVE_REQUEST, request)
        request.status = target
        request.decision_comment = data.decision_comment
        request.decided_by_user_id = data.decided_by_user_id or ctx.require_auth().user_id
        request.decided_at = datetime.now(UTC)
        if target == "approved":
            uow.session.add(
                StaffUnavailability(
                    id=uuid.uuid4(),
                    member_id=request.member_id,
                    leave_request_id=request.id,
                    starts_at=request.start_date,
                    ends_at=request.end_date,
                    timezone=request.timezone,
                    reason=request.unavailability_reason_value,
                    tenant_id=request.tenant_id,
                    organization_id=request.organization_id,
                )
            )
        await uow.session.flush()
        await uow.session.refresh(request)
        record_command(
            ctx,
            uow,
            entity="staff_leave_request",
            verb=target,
            resource_id=request.id,
            tenant_id=request.tenant_id,
            organization_id=request.organization_id,
            before=before,
            after=serialize(STAFF_LEAVE_REQUEST, request),
        )
    return {"ok": True, "id": str(request.id)}


@operation(
    "accept_staff_leave_request",
    MODULE,
    input=LeaveDecisionInput,
    output=LeaveDecisionResult,
    features=(LEAVE_MANAGE,),
    rest=Rest("POST", "/staff/leave-requests/accept"),
)
async def accept(ctx: RequestContext, data: LeaveDecisionInput) -> dict[str, Any]:
    """Approve a pending leave request and add the member's unavailability for its period."""
    return await decide(ctx, data, "approved")


@operation(
    "reject_staff_leave_request",
    MODULE,
    input=LeaveDecisionInput,
    output=LeaveDecisionResult,
    features=(LEAVE_MANAGE,),
    rest=Rest("POST", "/staff/leave-requests/reject"),
)
async def reject(ctx: RequestContext, data: LeaveDecisionInput) -> dict[str, Any]:
    """Reject a pending leave request, with an optional comment."""
    return await decide(ctx, data, "rejected")
