"""Records hung on a customer: activities, comments, addresses and todos.

They share one rule set (:func:`bound_to_customer`): the customer (and deal) must be in the caller's
scope, the record lives in the customer's organization, and the author defaults to the caller.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.customers import (
    Activity,
    Address,
    Comment,
    CustomerEntity,
    Deal,
    DealCompany,
    DealPerson,
    DictionaryEntry,
    Todo,
)
from resolvers.crud import guarded
from resolvers.customers.common import load_customer, load_deal, user_labels
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, eq

READONLY = {"create": False, "update": False}
ACTIVITY_FEATURES = Features.view_manage("customers.activities.view", "customers.activities.manage")


def customer_relations(with_deal: bool = True) -> list[Relation]:
    """Edges from a timeline record back to its customer (one of the two is set) and deal."""
    relations = [
        Relation(
            "person", "person", "one", source_fk="entity_id", description="Set when the customer is a person."
        ),
        Relation(
            "company",
            "company",
            "one",
            source_fk="entity_id",
            description="Set when the customer is a company.",
        ),
    ]
    if with_deal:
        relations.append(Relation("deal", "deal", "one", source_fk="deal_id"))
    return relations


async def _customer_of_deal(uow: UnitOfWork, deal: Deal) -> uuid.UUID | None:
    for link, column in (
        (DealPerson, DealPerson.person_entity_id),
        (DealCompany, DealCompany.company_entity_id),
    ):
        found = await uow.session.scalar(select(column).where(link.deal_id == deal.id).limit(1))
        if found is not None:
            return found
    return None


def bound_to_customer(
    *, with_deal: bool, author_attr: str | None = None, derive_from_deal: bool = False, **extra: Any
) -> Hooks:
    """Hooks binding a record to a customer (and, ``with_deal``, an optional deal) in scope.

    ``author_attr`` defaults to the calling user on create; ``derive_from_deal`` lets a record name
    only a deal and inherit the deal's first person or company as its customer. ``extra`` are more
    hooks (e.g. ``after_create``).
    """

    async def bind(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any], current: Any = None) -> None:
        deal = (
            await load_deal(ctx, uow.session, data["deal_id"]) if with_deal and data.get("deal_id") else None
        )
        if derive_from_deal and current is None and not data.get("entity_id") and deal is not None:
            data["entity_id"] = await _customer_of_deal(uow, deal)
        if data.get("entity_id"):
            customer: CustomerEntity = await load_customer(ctx, uow.session, data["entity_id"])
            data["organization_id"] = customer.organization_id
        elif current is None or "entity_id" in data:
            raise ValidationFailed([issue("entityId", "A customer (entityId) is required", "invalid_type")])

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        await bind(ctx, uow, data)
        if author_attr and not data.get(author_attr):
            data[author_attr] = ctx.require_auth().user_id

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        data.pop("organization_id", None)
        await bind(ctx, uow, data, obj)

    return Hooks(before_create=before_create, before_update=before_update, **extra)


def _appearance() -> list[Field]:
    return [Field("appearance_icon", str, max_length=64), Field("appearance_color", str, max_length=32)]


def _scope_fields() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


async def _activity_enrich(
    ctx: RequestContext, entity: Entity, rows: list[Activity], items: list[dict]
) -> None:
    """Author name/e-mail, deal title and the activity type's dictionary label."""
    users = await user_labels(ctx, [r.author_user_id for r in rows])
    deal_ids = {r.deal_id for r in rows if r.deal_id}
    types = {r.activity_type for r in rows}
    async with ctx.read_session() as session:
        titles = dict((await session.execute(select(Deal.id, Deal.title).where(Deal.id.in_(deal_ids)))).all())
        labels = dict(
            (
                await session.execute(
                    select(DictionaryEntry.value, DictionaryEntry.label).where(
                        DictionaryEntry.tenant_id == rows[0].tenant_id,
                        DictionaryEntry.kind == "activity_type",
                        DictionaryEntry.value.in_(types),
                    )
                )
            ).all()
        )
    for row, item in zip(rows, items, strict=True):
        author = users.get(row.author_user_id, {})
        item.update(
            authorName=author.get("name"),
            authorEmail=author.get("email"),
            dealTitle=titles.get(row.deal_id),
            activityTypeLabel=labels.get(row.activity_type),
        )


ACTIVITY = Entity(
    name="activity",
    module="customers",
    model=Activity,
    path="/customers/activities",
    graphql_name="Activity",
    plural="activities",
    features=ACTIVITY_FEATURES,
    fields=[
        Field("entity_id", uuid.UUID, required=True),
        Field("deal_id", uuid.UUID),
        Field("activity_type", str, required=True, sort=True, max_length=100),
        Field("subject", str, search=True, max_length=300),
        Field("body", str, search=True, max_length=20000),
        Field("occurred_at", datetime, sort=True),
        Field("author_user_id", uuid.UUID),
        *_appearance(),
        Field("custom_values", dict),
        *_scope_fields(),
    ],
    filters=[
        eq("entityId", Activity.entity_id, uuid.UUID),
        eq("dealId", Activity.deal_id, uuid.UUID),
        eq("activityType", Activity.activity_type),
    ],
    relations=customer_relations(),
    default_sort="created_at",
    hooks=guarded(Activity, bound_to_customer(with_deal=True, author_attr="author_user_id")),
    enrich=_activity_enrich,
    description="A timeline activity (deprecated in favour of interactions).",
)

COMMENT = Entity(
    name="comment",
    module="customers",
    model=Comment,
    path="/customers/comments",
    graphql_name="Comment",
    plural="comments",
    key_case="snake",
    features=ACTIVITY_FEATURES,
    fields=[
        Field("entity_id", uuid.UUID),
        Field("deal_id", uuid.UUID),
        Field("body", str, required=True, search=True, max_length=20000),
        Field("author_user_id", uuid.UUID, update=False),
        *_appearance(),
        *_scope_fields(),
    ],
    filters=[eq("entityId", Comment.entity_id, uuid.UUID), eq("dealId", Comment.deal_id, uuid.UUID)],
    relations=customer_relations(),
    default_sort="created_at",
    hooks=guarded(
        Comment,
        bound_to_customer(
            with_deal=True,
            author_attr="author_user_id",
            derive_from_deal=True,
            create_result=lambda obj, data: {
                "authorUserId": str(obj.author_user_id) if obj.author_user_id else None
            },
        ),
    ),
    description="A note on a customer's timeline, optionally about one of its deals.",
)


async def _address_primary(
    ctx: RequestContext, uow: UnitOfWork, address: Address, data: dict[str, Any]
) -> None:
    """One primary address per customer: marking one primary clears the flag on the others."""
    if data.get("is_primary"):
        await uow.session.execute(
            update(Address)
            .where(
                Address.entity_id == address.entity_id, Address.id != address.id, Address.deleted_at.is_(None)
            )
            .values(is_primary=False)
        )


ADDRESS = Entity(
    name="address",
    module="customers",
    model=Address,
    path="/customers/addresses",
    graphql_name="Address",
    plural="addresses",
    key_case="snake",
    features=Features(),
    fields=[
        Field("entity_id", uuid.UUID, required=True),
        Field("name", str, sort=True, max_length=150),
        Field("purpose", str, max_length=100),
        Field("company_name", str, max_length=300),
        Field("address_line1", str, required=True, search=True, max_length=300),
        Field("address_line2", str, max_length=300),
        Field("building_number", str, max_length=30),
        Field("flat_number", str, max_length=30),
        Field("city", str, sort=True, search=True, max_length=150),
        Field("region", str, max_length=150),
        Field("postal_code", str, sort=True, max_length=30),
        Field("country", str, sort=True, max_length=150),
        Field("latitude", float),
        Field("longitude", float),
        Field("is_primary", bool, sort=True),
        *_scope_fields(),
    ],
    filters=[eq("entityId", Address.entity_id, uuid.UUID)],
    relations=customer_relations(with_deal=False),
    default_sort="created_at",
    hooks=guarded(
        Address,
        bound_to_customer(with_deal=False, after_create=_address_primary, after_update=_address_primary),
    ),
    description="A postal address of a customer.",
)


async def _todo_enrich(ctx: RequestContext, entity: Entity, rows: list[Todo], items: list[dict]) -> None:
    """The documented list shape: ``todo*`` aliases of the task fields plus the customer summary."""
    ids = {r.entity_id for r in rows}
    async with ctx.read_session() as session:
        customers = {
            row.id: row
            for row in await session.execute(
                select(CustomerEntity.id, CustomerEntity.display_name, CustomerEntity.kind).where(
                    CustomerEntity.id.in_(ids)
                )
            )
        }
    for row, item in zip(rows, items, strict=True):
        for key in ("title", "isDone", "priority", "severity", "description", "dueAt", "customValues"):
            item["todo" + key[0].upper() + key[1:]] = item[key]
        item["todoOrganizationId"] = item["organizationId"]
        customer = customers.get(row.entity_id)
        item["customer"] = {
            "id": str(row.entity_id),
            "displayName": customer.display_name if customer else None,
            "kind": customer.kind if customer else None,
        }


TODO = Entity(
    name="todo",
    module="customers",
    model=Todo,
    path="/customers/todos",
    graphql_name="Todo",
    plural="todos",
    features=Features(
        view=["customers.view"],
        create=["customers.interactions.manage"],
        update=["customers.interactions.manage"],
        delete=["customers.interactions.manage"],
    ),
    fields=[
        Field("entity_id", uuid.UUID, required=True),
        Field("todo_id", uuid.UUID, **READONLY),
        Field("todo_source", str, update=False, max_length=100),
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("is_done", bool, sort=True),
        Field("priority", int, sort=True),
        Field("severity", str, search=True, max_length=50),
        Field("description", str, search=True, max_length=10000),
        Field("due_at", datetime, sort=True),
        Field("custom_values", dict),
        Field("created_by_user_id", uuid.UUID, **READONLY),
        *_scope_fields(),
    ],
    filters=[
        eq("entityId", Todo.entity_id, uuid.UUID),
        eq("isDone", Todo.is_done, bool),
        Filter(
            "all",
            bool,
            lambda q, v: q,
            description="Accepted for compatibility; lists cover the whole scope.",
        ),
    ],
    relations=customer_relations(with_deal=False),
    default_sort="created_at",
    hooks=guarded(
        Todo,
        bound_to_customer(
            with_deal=False,
            author_attr="created_by_user_id",
            create_result=lambda obj, data: {"linkId": str(obj.id), "todoId": str(obj.todo_id)},
        ),
    ),
    enrich=_todo_enrich,
    description="A task linked to a customer (deprecated in favour of interactions).",
)
