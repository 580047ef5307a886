"""Customer priorities: how urgently a customer (a person or a company of the customers module) is
served. One live priority per customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.customers import CustomerEntity
from models.example import ExampleCustomerPriority
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq, one_of
from resolvers.scope import live_in_scope

PRIORITIES = ("low", "normal", "high", "critical")
READONLY = {"create": False, "update": False}


def _check_priority(data: dict[str, Any]) -> None:
    if data.get("priority") is not None and data["priority"] not in PRIORITIES:
        raise ValidationFailed([issue("priority", f"One of {', '.join(PRIORITIES)}", "invalid_enum_value")])


async def _check_customer(ctx: RequestContext, uow: UnitOfWork, customer_id: uuid.UUID) -> None:
    """The customer must be a live person or company the caller can see (400 otherwise, the same for
    another tenant's id and a random one)."""
    query = await live_in_scope(
        ctx, CustomerEntity, select(CustomerEntity.id).where(CustomerEntity.id == customer_id)
    )
    if await uow.session.scalar(query) is None:
        raise ValidationFailed([issue("customerId", "Customer not found", "not_found")])


async def _check_unique(uow: UnitOfWork, tenant_id: Any, customer_id: uuid.UUID, own_id: Any = None) -> None:
    query = select(ExampleCustomerPriority.id).where(
        ExampleCustomerPriority.tenant_id == tenant_id,
        ExampleCustomerPriority.customer_id == customer_id,
        ExampleCustomerPriority.deleted_at.is_(None),
    )
    if own_id is not None:
        query = query.where(ExampleCustomerPriority.id != own_id)
    if await uow.session.scalar(query) is not None:
        raise Conflict("Customer already has a priority")


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _check_priority(data)
    data["priority"] = data.get("priority") or "normal"
    await _check_customer(ctx, uow, data["customer_id"])
    await _check_unique(uow, data["tenant_id"], data["customer_id"])


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, row: ExampleCustomerPriority, data: dict[str, Any]
) -> None:
    _check_priority(data)
    for key in ("priority", "customer_id"):
        if key in data and data[key] is None:
            data.pop(key)  # absent and null both mean "unchanged" (the original's PUT)
    if data.get("customer_id") not in (None, row.customer_id):
        await _check_customer(ctx, uow, data["customer_id"])
        await _check_unique(uow, row.tenant_id, data["customer_id"], row.id)


CUSTOMER_PRIORITY = Entity(
    name="example_customer_priority",
    module="example",
    model=ExampleCustomerPriority,
    path="/example/customer-priorities",
    graphql_name="ExampleCustomerPriority",
    plural="example_customer_priorities",
    features=Features(
        view=["example.view"],
        create=["example.todos.manage"],
        update=["example.todos.manage"],
        delete=["example.todos.manage"],
    ),
    fields=[
        Field("customer_id", uuid.UUID, required=True, sort=True),
        Field("priority", str, sort=True, max_length=20, description="low, normal, high or critical"),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("customerId", ExampleCustomerPriority.customer_id, uuid.UUID),
        one_of("priorityIn", ExampleCustomerPriority.priority),
    ],
    relations=[  # the customer is a person or a company: one edge per kind (the other is null)
        Relation(
            "person", "person", "one", source_fk="customer_id", description="The customer, if a person."
        ),
        Relation(
            "company", "company", "one", source_fk="customer_id", description="The customer, if a company."
        ),
    ],
    key_case="snake",
    default_sort="created_at",
    hooks=guarded(ExampleCustomerPriority, Hooks(before_create=_before_create, before_update=_before_update)),
    description="How urgently a customer is served: low, normal, high or critical.",
)
