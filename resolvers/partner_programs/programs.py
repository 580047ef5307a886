"""Partner programs (CRUD at ``/partner_programs/programs``) and their memberships: customers taking
part in a program as referring partners (nested routes under ``/programs/{programId}/memberships``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.customers import CustomerEntity
from models.partner_programs import PartnerMembership, PartnerProgram
from resolvers.crud import guarded, service
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq, serialize
from resolvers.listing import list_params
from resolvers.operations import Rest, operation
from resolvers.scope import load_in_scope
from resolvers.validation import SafeDatetime, SafeDict, text

MODULE = "partner_programs"
READONLY = {"create": False, "update": False}
VIEW = "partner_programs.view"
MANAGE_MEMBERSHIPS = "partner_programs.manage_memberships"


def check_period(data: dict[str, Any], current: Any = None) -> None:
    """``validTo`` must not be before ``validFrom`` (either may come from the stored row)."""
    start = data.get("valid_from", getattr(current, "valid_from", None))
    end = data.get("valid_to", getattr(current, "valid_to", None))
    if start is not None and end is not None and end < start:
        raise ValidationFailed(
            [issue("validTo", "validTo must not be before validFrom", "invalid_date_range")]
        )


def stamps() -> list[Field]:
    """Scope and timestamp fields every entity of these modules ends with."""
    return [
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def _program_rules(data: dict[str, Any], program: PartnerProgram | None = None) -> None:
    if "name" in data and not (data["name"] or "").strip():
        raise ValidationFailed([issue("name", "Name is required", "too_small")])
    check_period(data, program)


async def _program_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _program_rules(data)


async def _program_update(
    ctx: RequestContext, uow: UnitOfWork, program: PartnerProgram, data: dict[str, Any]
) -> None:
    _program_rules(data, program)


PROGRAM = Entity(
    name="partner_program",
    module=MODULE,
    model=PartnerProgram,
    path="/partner_programs/programs",
    graphql_name="PartnerProgram",
    plural="partnerPrograms",
    features=Features(
        view=[VIEW],
        create=["partner_programs.create"],
        update=["partner_programs.edit"],
        delete=["partner_programs.delete"],
    ),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=10000),
        Field("valid_from", datetime, sort=True),
        Field("valid_to", datetime, sort=True),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        *stamps(),
    ],
    filters=[eq("isActive", PartnerProgram.is_active, bool)],
    relations=[Relation("memberships", "partner_membership", "many", target_fk="program_id")],
    hooks=guarded(PartnerProgram, Hooks(before_create=_program_create, before_update=_program_update)),
    description="A partner (referral) program of an organization.",
)


async def _membership_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    program = await load_in_scope(ctx, uow.session, PartnerProgram, data.get("program_id"), "Program")
    await load_in_scope(ctx, uow.session, CustomerEntity, data.get("partner_entity_id"), "Partner")
    data["organization_id"] = program.organization_id  # a membership lives with its program
    check_period(data)


async def _membership_update(
    ctx: RequestContext, uow: UnitOfWork, membership: PartnerMembership, data: dict[str, Any]
) -> None:
    data.pop("organization_id", None)
    check_period(data, membership)


MEMBERSHIP = Entity(
    name="partner_membership",
    module=MODULE,
    model=PartnerMembership,
    path=None,
    graphql_name="PartnerMembership",
    plural="partnerMemberships",
    features=Features(
        view=[VIEW], create=[MANAGE_MEMBERSHIPS], update=[MANAGE_MEMBERSHIPS], delete=[MANAGE_MEMBERSHIPS]
    ),
    fields=[
        Field("program_id", uuid.UUID, required=True, update=False),
        Field("partner_entity_id", uuid.UUID, required=True, update=False),
        Field("role", str, sort=True, max_length=100),
        Field("valid_from", datetime, sort=True),
        Field("valid_to", datetime, sort=True),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        *stamps(),
    ],
    filters=[
        eq("programId", PartnerMembership.program_id, uuid.UUID),
        eq("partnerEntityId", PartnerMembership.partner_entity_id, uuid.UUID),
        eq("isActive", PartnerMembership.is_active, bool),
    ],
    relations=[
        Relation("program", "partner_program", "one", source_fk="program_id"),
        Relation("partner", "person", "one", source_fk="partner_entity_id"),
    ],
    hooks=guarded(
        PartnerMembership, Hooks(before_create=_membership_create, before_update=_membership_update)
    ),
    description="A customer taking part in a partner program as a referring partner.",
)


class PartnerProgramRef(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    programId: uuid.UUID


class PartnerMembershipListInput(PartnerProgramRef):
    page: int = PydanticField(default=1, ge=1, le=1_000_000)
    pageSize: int = PydanticField(default=50, ge=1, le=100)
    isActive: bool | None = None


class PartnerMembershipInput(PartnerProgramRef):
    partnerEntityId: uuid.UUID
    role: text(100) | None = None
    validFrom: SafeDatetime | None = None
    validTo: SafeDatetime | None = None
    isActive: bool | None = None
    metadata: SafeDict | None = None


class PartnerMembershipRemovalInput(PartnerProgramRef):
    id: uuid.UUID | None = PydanticField(default=None, validation_alias=AliasChoices("id", "membershipId"))
    partnerEntityId: uuid.UUID | None = None


class PartnerProgramMembershipsPage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    page: int
    pageSize: int
    totalPages: int


async def load_program(ctx: RequestContext, program_id: uuid.UUID) -> PartnerProgram:
    """The program in the caller's scope, else 404 (also for another tenant's program)."""
    async with ctx.read_session() as session:
        return await load_in_scope(ctx, session, PartnerProgram, program_id, "Program")


@operation(
    "partner_program_memberships",
    MODULE,
    kind="query",
    input=PartnerMembershipListInput,
    output=PartnerProgramMembershipsPage,
    features=(VIEW,),
    rest=Rest("GET", "/partner_programs/programs/{programId}/memberships"),
)
async def list_memberships(ctx: RequestContext, data: PartnerMembershipListInput) -> dict[str, Any]:
    """The memberships of a program, a page at a time."""
    await load_program(ctx, data.programId)
    filters = {"programId": data.programId, "isActive": data.isActive}
    params = list_params(MEMBERSHIP, page=data.page, page_size=data.pageSize, filters=filters)
    page = await service(MEMBERSHIP).list(ctx, params)
    return page.envelope([serialize(MEMBERSHIP, row) for row in page.items])


class PartnerMembershipCreated(BaseModel):
    id: uuid.UUID


@operation(
    "add_partner_program_member",
    MODULE,
    input=PartnerMembershipInput,
    output=PartnerMembershipCreated,
    features=(MANAGE_MEMBERSHIPS,),
    rest=Rest("POST", "/partner_programs/programs/{programId}/memberships", status=201),
)
async def add_member(ctx: RequestContext, data: PartnerMembershipInput) -> dict[str, Any]:
    """Add a customer to the program as a referring partner (one live membership per customer)."""
    await load_program(ctx, data.programId)
    body = data.model_dump(exclude_unset=True, mode="json")
    obj, _ = await service(MEMBERSHIP).create(ctx, body)
    return {"id": str(obj.id)}


@operation(
    "remove_partner_program_member",
    MODULE,
    input=PartnerMembershipRemovalInput,
    output=bool,
    features=(MANAGE_MEMBERSHIPS,),
    rest=Rest(
        "DELETE", "/partner_programs/programs/{programId}/memberships", status=204, reply=lambda _: None
    ),
)
async def remove_member(ctx: RequestContext, data: PartnerMembershipRemovalInput) -> bool:
    """Remove a membership, named by its ``id`` or by the partner's ``partnerEntityId``."""
    if data.id is None and data.partnerEntityId is None:
        raise ValidationFailed([issue("id", "Provide id or partnerEntityId", "invalid_type")])
    await load_program(ctx, data.programId)
    filters = {"programId": data.programId, "partnerEntityId": data.partnerEntityId}
    params = list_params(MEMBERSHIP, page=1, page_size=1, ids=[data.id] if data.id else None, filters=filters)
    page = await service(MEMBERSHIP).list(ctx, params, count=False)
    if not page.items:
        raise NotFound("Membership not found")
    await service(MEMBERSHIP).delete(ctx, page.items[0].id)
    return True
