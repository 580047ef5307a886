"""People and companies: one declaration each over the shared customer table, their list filters,
write rules (display name, company link, next interaction, tags, custom fields) and phone lookup."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import Select, exists, false, func, literal_column, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Unprocessable, ValidationFailed, issue
from models.customers import (
    Company,
    CustomerEntity,
    Deal,
    DealCompany,
    DealPerson,
    Person,
    TagAssignment,
)
from resolvers.crud import guarded
from resolvers.customers.common import parse_datetime
from resolvers.customers.tags import set_tags
from resolvers.entity import (
    Entity,
    Features,
    Field,
    Filter,
    Hooks,
    Relation,
    eq,
    has_value,
    one_of,
    since,
    until,
)
from resolvers.operations import Rest, operation, pick
from resolvers.scope import live_in_scope, load_in_scope

COMMON_ATTRS = (
    "referral_code",
    "display_name",
    "description",
    "owner_user_id",
    "primary_email",
    "primary_phone",
    "status",
    "lifecycle_stage",
    "source",
    "next_interaction_at",
    "next_interaction_name",
    "next_interaction_ref_id",
    "next_interaction_icon",
    "next_interaction_color",
    "organization_id",
    "tenant_id",
    "created_at",
    "updated_at",
)
PERSON_PROFILE = (
    "first_name",
    "last_name",
    "preferred_name",
    "job_title",
    "department",
    "seniority",
    "timezone",
    "linked_in_url",
    "twitter_url",
    "company_entity_id",
    "residence_street",
    "residence_postal_code",
    "residence_city",
    "pesel",
)
PERSON_SPECIAL = {"first_name", "last_name", "company_entity_id"}
COMPANY_PROFILE = (
    "legal_name",
    "brand_name",
    "domain",
    "website_url",
    "industry",
    "size_bucket",
    "annual_revenue",
    "nip",
    "regon",
)
NEXT_INTERACTION_KEYS = {
    "at": "next_interaction_at",
    "name": "next_interaction_name",
    "refId": "next_interaction_ref_id",
    "icon": "next_interaction_icon",
    "color": "next_interaction_color",
}


def _common_fields(*, name_required: bool) -> list[Field]:
    readonly = {"create": False, "update": False}
    return [
        Field("display_name", str, required=name_required, sort=True, search=True, max_length=300),
        Field("description", str, max_length=4000),
        Field("owner_user_id", uuid.UUID),
        Field("primary_email", str, sort=True, search=True, max_length=320),
        Field("primary_phone", str, max_length=64),
        Field("status", str, sort=True, max_length=100),
        Field("lifecycle_stage", str, sort=True, max_length=100),
        Field("source", str, sort=True, max_length=120),
        Field("is_active", bool),
        Field("crm_record_type", str, max_length=32),
        Field("referral_code", str, max_length=64),
        Field("custom_fields", dict, description="Custom field values by key."),
        Field("next_interaction_at", datetime, sort=True, **readonly),
        Field("next_interaction_name", str, **readonly),
        Field("next_interaction_ref_id", str, **readonly),
        Field("next_interaction_icon", str, **readonly),
        Field("next_interaction_color", str, **readonly),
        Field("next_interaction", dict, read=False, description="{at, name, refId?, icon?, color?} or null."),
        Field("tags", list, read=False, description="Tag ids; replaces the assigned tags."),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, **readonly),
        Field("created_at", datetime, sort=True, **readonly),
        Field("updated_at", datetime, sort=True, **readonly),
    ]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def customer_filters(model: type[CustomerEntity]) -> list[Filter]:
    """The documented list filters of people and companies (all combine with AND)."""

    def email_prefix(query: Select, value: str) -> Select:
        # lower(primary_email) LIKE 'x%' is served by the text_pattern_ops index.
        return query.where(func.lower(model.primary_email).like(_escape_like(value.strip().lower()) + "%"))

    def email_contains(query: Select, value: str) -> Select:
        return query.where(model.primary_email.ilike("%" + _escape_like(value.strip()) + "%"))

    def tagged(query: Select, tag_ids: list[uuid.UUID]) -> Select:
        assigned = exists().where(TagAssignment.entity_id == model.id, TagAssignment.tag_id.in_(tag_ids))
        return query.where(assigned)

    return [
        Filter(
            "email",
            str,
            lambda q, v: q.where(func.lower(model.primary_email) == v.strip().lower()),
            description="Exact e-mail, case-insensitive.",
        ),
        Filter("emailStartsWith", str, email_prefix, description="E-mail prefix, case-insensitive."),
        Filter("emailContains", str, email_contains, description="E-mail substring, case-insensitive."),
        eq("status", model.status),
        eq("lifecycleStage", model.lifecycle_stage),
        eq("source", model.source),
        has_value("hasEmail", model.primary_email),
        has_value("hasPhone", model.primary_phone),
        has_value("hasNextInteraction", model.next_interaction_at),
        since("createdFrom", model.created_at),
        until("createdTo", model.created_at),
        one_of("crmRecordTypes", model.crm_record_type),
        Filter("tagIds", uuid.UUID, tagged, many=True, description="Customers carrying any of these tags."),
        Filter(
            "tagIdsEmpty",
            bool,
            lambda q, v: q.where(false()) if v else q,
            description="true when the tag filter resolved to no tags: the result is empty.",
        ),
    ]


def _next_interaction(data: dict[str, Any]) -> None:
    """Map the ``nextInteraction`` object onto the next_interaction_* columns (null clears them)."""
    if "next_interaction" not in data:
        return
    value = data.pop("next_interaction")
    columns = dict.fromkeys(NEXT_INTERACTION_KEYS.values())
    if value:
        unknown = set(value) - set(NEXT_INTERACTION_KEYS)
        if unknown or not value.get("at") or not value.get("name"):
            raise ValidationFailed([issue("nextInteraction", "Expected {at, name, refId?, icon?, color?}")])
        for key, column in NEXT_INTERACTION_KEYS.items():
            columns[column] = value.get(key)
        columns["next_interaction_at"] = parse_datetime(value["at"], "nextInteraction.at")
        columns["next_interaction_ref_id"] = str(value["refId"]) if value.get("refId") else None
    data.update(columns)


def _derived_name(first: str | None, last: str | None) -> str:
    return " ".join(part.strip() for part in (first or "", last or "") if part.strip())


def _person_display_name(data: dict[str, Any], person: Person | None) -> None:
    """A blank display name is derived from first + last name. On update, a name change re-derives
    it only while it is still the derived one: a custom display name is kept (as the original)."""
    if (data.get("display_name") or "").strip():
        return
    cleared = data.pop("display_name", ...) is not ...
    if person is not None and not cleared:
        renamed = {"first_name", "last_name"} & set(data)
        if not renamed or person.display_name != _derived_name(person.first_name, person.last_name):
            return
    first = data.get("first_name", person.first_name if person else None)
    last = data.get("last_name", person.last_name if person else None)
    name = _derived_name(first, last)
    if not name:
        raise ValidationFailed(
            [issue("displayName", "A display name or first/last name is required", "too_small")]
        )
    data["display_name"] = name


async def _prepare(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _next_interaction(data)
    if data.get("primary_email"):
        data["primary_email"] = data["primary_email"].strip()
    if "custom_fields" in data and data["custom_fields"] is None:
        data["custom_fields"] = {}
    if data.get("company_entity_id"):
        await load_in_scope(ctx, uow.session, Company, data["company_entity_id"], "Company")


async def _after_write(
    ctx: RequestContext, uow: UnitOfWork, obj: CustomerEntity, data: dict[str, Any]
) -> None:
    if data.get("tags") is not None:
        await set_tags(ctx, uow, obj, data["tags"])


async def _person_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _person_display_name(data, None)
    await _prepare(ctx, uow, data)


async def _person_before_update(
    ctx: RequestContext, uow: UnitOfWork, person: Person, data: dict[str, Any]
) -> None:
    _person_display_name(data, person)
    await _prepare(ctx, uow, data)


async def _company_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if not (data.get("display_name") or "").strip():
        raise ValidationFailed([issue("displayName", "Display name is required", "too_small")])
    await _prepare(ctx, uow, data)


async def _company_before_update(ctx: RequestContext, uow: UnitOfWork, company: Company, data: dict) -> None:
    if "display_name" in data and not (data["display_name"] or "").strip():
        raise ValidationFailed([issue("displayName", "Display name is required", "too_small")])
    await _prepare(ctx, uow, data)


async def _company_before_delete(ctx: RequestContext, uow: UnitOfWork, company: Company) -> None:
    """As the original: a company still referenced by live people or deals is not deleted (422)."""
    people = await uow.session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.company_entity_id == company.id, Person.deleted_at.is_(None))
    )
    deals = await uow.session.scalar(
        select(func.count())
        .select_from(DealCompany)
        .join(Deal, Deal.id == DealCompany.deal_id)
        .where(DealCompany.company_entity_id == company.id, Deal.deleted_at.is_(None))
    )
    blockers = [
        f"{count} {label}"
        for count, label in ((deals, "linked deals"), (people, "persons whose primary company it is"))
        if count
    ]
    if blockers:
        raise Unprocessable(
            f"Cannot delete the company: it has {' and '.join(blockers)}.", code="COMPANY_HAS_DEPENDENTS"
        )


def _timeline_relations() -> list[Relation]:
    return [
        Relation("activities", "activity", "many", target_fk="entity_id"),
        Relation("comments", "comment", "many", target_fk="entity_id"),
        Relation("addresses", "address", "many", target_fk="entity_id"),
        Relation("todos", "todo", "many", target_fk="entity_id"),
        Relation("interactions", "interaction", "many", target_fk="entity_id"),
        Relation(
            "tags",
            "tag",
            "through",
            through=TagAssignment,
            through_source="entity_id",
            through_target="tag_id",
        ),
    ]


PERSON = Entity(
    name="person",
    module="customers",
    model=Person,
    path="/customers/people",
    graphql_name="Person",
    plural="people",
    key_case="snake",
    features=Features.view_manage("customers.people.view", "customers.people.manage"),
    fields=[
        *_common_fields(name_required=False),
        Field("first_name", str, required=True, sort=True, max_length=150),
        Field("last_name", str, required=True, sort=True, max_length=150),
        Field("company_entity_id", uuid.UUID),
        *(Field(attr, str, max_length=300) for attr in PERSON_PROFILE if attr not in PERSON_SPECIAL),
    ],
    filters=[*customer_filters(Person), eq("companyEntityId", Person.company_entity_id, uuid.UUID)],
    relations=[
        Relation(
            "company", "company", "one", source_fk="company_entity_id", description="The person's company."
        ),
        Relation(
            "deals",
            "deal",
            "through",
            through=DealPerson,
            through_source="person_entity_id",
            through_target="deal_id",
        ),
        *_timeline_relations(),
        Relation("resources", "resource", "many", target_fk="customer_entity_id"),  # resources module
    ],
    custom_fields="custom_fields",
    hooks=guarded(
        Person,
        Hooks(
            before_create=_person_before_create,
            before_update=_person_before_update,
            after_create=_after_write,
            after_update=_after_write,
            create_result=lambda obj, data: {"personId": str(obj.id)},
        ),
    ),
    description="A person customer (contact).",
)

COMPANY = Entity(
    name="company",
    module="customers",
    model=Company,
    path="/customers/companies",
    graphql_name="Company",
    plural="companies",
    key_case="snake",
    features=Features.view_manage("customers.companies.view", "customers.companies.manage"),
    fields=[
        *_common_fields(name_required=True),
        *(Field(attr, str, max_length=300) for attr in COMPANY_PROFILE if attr != "annual_revenue"),
        Field("annual_revenue", float),
    ],
    filters=customer_filters(Company),
    relations=[
        Relation(
            "people", "person", "many", target_fk="company_entity_id", description="People of the company."
        ),
        Relation(
            "deals",
            "deal",
            "through",
            through=DealCompany,
            through_source="company_entity_id",
            through_target="deal_id",
        ),
        *_timeline_relations(),
        Relation("resources", "resource", "many", target_fk="customer_entity_id"),  # resources module
    ],
    custom_fields="custom_fields",
    hooks=guarded(
        Company,
        Hooks(
            before_create=_company_before_create,
            before_update=_company_before_update,
            before_delete=_company_before_delete,
            after_create=_after_write,
            after_update=_after_write,
            create_result=lambda obj, data: {"companyId": str(obj.id)},
        ),
    ),
    description="A company customer.",
)

PHONE_DIGITS = literal_column("regexp_replace(customer_entities.primary_phone, '\\D', '', 'g')")


class PhoneInput(BaseModel):
    digits: str | None = PydanticField(default=None, max_length=64)


class PhoneMatch(BaseModel):
    id: uuid.UUID
    displayName: str | None = None


@operation(
    "person_by_phone",
    "customers",
    kind="query",
    input=PhoneInput,
    output=PhoneMatch | None,
    features=tuple(PERSON.features.view),
    rest=Rest("GET", "/customers/people/check-phone"),
    graphql_result=pick("match"),
)
async def check_phone(ctx: RequestContext, data: PhoneInput) -> dict[str, Any]:
    """The first person whose phone, stripped to digits, equals ``digits`` (4 or more digits)."""
    digits = data.digits
    if not digits or not re.fullmatch(r"\d{4,}", digits.strip()):
        return {"match": None}
    # The literal expression matches the functional index on the digits of primary_phone.
    query = await live_in_scope(
        ctx,
        Person,
        select(Person.id, Person.display_name)
        .where(digits.strip() == PHONE_DIGITS)
        .order_by(Person.created_at),
    )
    async with ctx.read_session() as session:
        row = (await session.execute(query.limit(1))).first()
    return {"match": {"id": str(row.id), "displayName": row.display_name} if row else None}
