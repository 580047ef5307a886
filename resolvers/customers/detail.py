"""``GET /customers/people/{id}`` and ``/companies/{id}``: the customer with its profile, tags and the
related collections asked for in ``include`` (addresses, comments, activities, interactions, deals,
todos, and people for a company)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from crmgraph.context import OrgScope, RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.customers import (
    Activity,
    Address,
    Comment,
    CustomerEntity,
    Deal,
    DealCompany,
    DealPerson,
    Interaction,
    Person,
    Todo,
)
from resolvers.audit_logs import record_access
from resolvers.crud import service
from resolvers.customers.common import camel_dict, user_labels, viewer
from resolvers.customers.deals import DEAL_SUMMARY
from resolvers.customers.interactions import interaction_items
from resolvers.customers.people import COMMON_ATTRS, COMPANY, COMPANY_PROFILE, PERSON, PERSON_PROFILE
from resolvers.customers.tags import tags_of
from resolvers.entity import Entity
from resolvers.scope import org_scope, parse_uuid, scope_conditions

LIMIT = 50
ADDRESS_ATTRS = (
    "id",
    "name",
    "purpose",
    "address_line1",
    "address_line2",
    "building_number",
    "flat_number",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "is_primary",
    "created_at",
)
COMMENT_ATTRS = (
    "id",
    "body",
    "author_user_id",
    "deal_id",
    "created_at",
    "appearance_icon",
    "appearance_color",
)
ACTIVITY_ATTRS = (
    "id",
    "activity_type",
    "subject",
    "body",
    "occurred_at",
    "deal_id",
    "author_user_id",
    "created_at",
    "appearance_icon",
    "appearance_color",
)
PERSON_SUMMARY = (
    "id",
    "display_name",
    "primary_email",
    "primary_phone",
    "status",
    "lifecycle_stage",
    "job_title",
    "department",
    "created_at",
    "organization_id",
)


def _todo(todo: Todo) -> dict[str, Any]:
    return {
        **camel_dict(
            todo,
            (
                "id",
                "todo_id",
                "todo_source",
                "created_at",
                "created_by_user_id",
                "title",
                "is_done",
                "priority",
                "severity",
                "description",
                "due_at",
                "custom_values",
            ),
        ),
        "todoOrganizationId": str(todo.organization_id) if todo.organization_id else None,
    }


Loader = Callable[[RequestContext, Any, OrgScope, CustomerEntity], Awaitable[list[Any]]]


def _rows(model: Any, *order: Any) -> Loader:
    async def load(ctx: RequestContext, session: Any, scope: OrgScope, customer: CustomerEntity) -> list[Any]:
        query = select(model).where(model.entity_id == customer.id).order_by(*order).limit(LIMIT)
        return list((await session.execute(query.where(*scope_conditions(model, scope)))).scalars())

    return load


async def _deals(ctx: RequestContext, session: Any, scope: OrgScope, customer: CustomerEntity) -> list[Any]:
    link, column = (
        (DealPerson, DealPerson.person_entity_id)
        if customer.kind == "person"
        else (DealCompany, DealCompany.company_entity_id)
    )
    query = select(Deal).join(link, link.deal_id == Deal.id).where(column == customer.id)
    return list(
        (
            await session.execute(
                query.order_by(Deal.created_at.desc()).where(*scope_conditions(Deal, scope))
            )
        ).scalars()
    )


async def _people(ctx: RequestContext, session: Any, scope: OrgScope, customer: CustomerEntity) -> list[Any]:
    query = select(Person).where(Person.company_entity_id == customer.id).order_by(Person.display_name)
    return list((await session.execute(query.where(*scope_conditions(Person, scope)))).scalars())


INCLUDES: dict[str, Loader] = {
    "addresses": _rows(Address, Address.is_primary.desc(), Address.created_at.desc()),
    "comments": _rows(Comment, Comment.created_at.desc()),
    "activities": _rows(Activity, Activity.occurred_at.desc().nulls_last(), Activity.created_at.desc()),
    "interactions": _rows(
        Interaction, Interaction.scheduled_at.desc().nulls_last(), Interaction.created_at.desc()
    ),
    "deals": _deals,
    "todos": _rows(Todo, Todo.created_at.desc()),
    "people": _people,
}
ALIASES = {"notes": "comments", "tasks": "todos"}


def parse_include(raw: str | None) -> set[str]:
    tokens = {t.strip().lower() for t in (raw or "").split(",") if t.strip()}
    return {ALIASES.get(t, t) for t in tokens} & set(INCLUDES)


async def customer_detail(
    ctx: RequestContext, entity: Entity, ident: Any, include: set[str]
) -> dict[str, Any]:
    """The documented detail body; collections not in ``include`` are empty lists."""
    if parse_uuid(ident) is None:
        raise ValidationFailed(
            [issue("id", f"Invalid {entity.name} id", "invalid_string")], f"Invalid {entity.name} id"
        )
    customer = await service(entity).get(ctx, ident)
    wanted = include if entity is COMPANY else include - {"people"}
    scope = await org_scope(ctx)
    loaded: dict[str, list[Any]] = {}
    async with ctx.read_session() as session:
        tags = (await tags_of(session, [customer.id])).get(customer.id, [])
        for name in sorted(wanted):
            loaded[name] = await INCLUDES[name](ctx, session, scope, customer)
    authors = await user_labels(
        ctx, [r.author_user_id for r in loaded.get("comments", []) + loaded.get("activities", [])]
    )

    def authored(row: Any, attrs: tuple[str, ...]) -> dict[str, Any]:
        author = authors.get(row.author_user_id, {})
        return {
            **camel_dict(row, attrs),
            "authorName": author.get("name"),
            "authorEmail": author.get("email"),
        }

    profile_attrs = PERSON_PROFILE if entity is PERSON else COMPANY_PROFILE
    body: dict[str, Any] = {
        "interactionMode": "canonical",
        entity.name: {
            "id": str(customer.id),
            **camel_dict(customer, COMMON_ATTRS),
            "isActive": customer.is_active,
        },
        "profile": {"id": str(customer.id), **camel_dict(customer, profile_attrs)},
        "customFields": customer.custom_fields or {},
        "tags": tags,
        "addresses": [camel_dict(a, ADDRESS_ATTRS) for a in loaded.get("addresses", [])],
        "comments": [authored(c, COMMENT_ATTRS) for c in loaded.get("comments", [])],
        "activities": [authored(a, ACTIVITY_ATTRS) for a in loaded.get("activities", [])],
        "interactions": await interaction_items(ctx, loaded.get("interactions", [])),
        "deals": [camel_dict(d, DEAL_SUMMARY) for d in loaded.get("deals", [])],
        "todos": [_todo(t) for t in loaded.get("todos", [])],
    }
    if entity is COMPANY:
        body["people"] = [camel_dict(p, PERSON_SUMMARY) for p in loaded.get("people", [])]
    body["viewer"] = await viewer(ctx)
    await record_access(ctx, entity.event_prefix, customer.id, sorted(body), customer.organization_id)
    return body
