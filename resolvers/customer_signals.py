"""Customer signals: events about a customer reported by another system (a website visit, a form,
a payment...), listed at ``GET /customer_signals/signals`` and ingested at ``POST`` idempotently:
the same ``(source, externalId)`` twice is one signal (201 when created, 200 when it existed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, NotFound
from models.customer_signals import CustomerSignal
from models.customers import Person
from resolvers.crud import guarded, service
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq, since, until
from resolvers.insurance.entities import check_references
from resolvers.operations import Rest, created_or_found, operation, pick
from resolvers.scope import live_in_scope, org_scope
from resolvers.validation import SafeDatetime, SafeDict

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
MODULE = "customer_signals"
READONLY = {"create": False, "update": False}
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


async def _references(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await check_references(ctx, uow, data)


SIGNAL = Entity(
    name="signal",
    module=MODULE,
    model=CustomerSignal,
    path="/customer_signals/signals",
    graphql_name="CustomerSignal",
    plural="customerSignals",
    features=Features(view=["customer_signals.view"], create=["customer_signals.ingest"]),
    fields=[
        Field("signal_type", str, required=True, sort=True, search=True, max_length=100),
        Field("source", str, required=True, sort=True, max_length=120),
        Field("external_id", str, required=True, search=True, max_length=191),
        Field("customer_entity_id", uuid.UUID),
        Field("deal_id", uuid.UUID),
        Field("title", str, search=True, max_length=300),
        Field("occurred_at", datetime, required=True, sort=True),
        Field("payload", dict),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("signalType", CustomerSignal.signal_type),
        eq("source", CustomerSignal.source),
        eq("externalId", CustomerSignal.external_id),
        eq("customerEntityId", CustomerSignal.customer_entity_id, uuid.UUID),
        eq("dealId", CustomerSignal.deal_id, uuid.UUID),
        since("occurredFrom", CustomerSignal.occurred_at),
        until("occurredTo", CustomerSignal.occurred_at),
    ],
    relations=[
        Relation("customer", "person", "one", source_fk="customer_entity_id"),
        Relation("deal", "deal", "one", source_fk="deal_id"),
    ],
    hooks=guarded(CustomerSignal, Hooks(before_create=_references)),
    rest_verbs=("GET",),
    mutations=(),
    default_sort="occurred_at",
    description="An event about a customer reported by another system.",
)


class CustomerSignalInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    signalType: Annotated[Text, StringConstraints(max_length=100)] = PydanticField(
        validation_alias=AliasChoices("signalType", "type")
    )
    source: Annotated[Text, StringConstraints(max_length=120)] = "api"
    externalId: Annotated[Text, StringConstraints(max_length=191)]
    customerEntityId: uuid.UUID | None = None
    customerEmail: Email | None = None
    dealId: uuid.UUID | None = None
    title: Annotated[Text, StringConstraints(max_length=300)] | None = None
    occurredAt: SafeDatetime | None = None
    payload: SafeDict | None = None
    organizationId: uuid.UUID | None = None
    tenantId: uuid.UUID | None = None


class IngestedCustomerSignal(BaseModel):
    id: uuid.UUID
    created: bool


async def _existing(ctx: RequestContext, data: CustomerSignalInput, org_id: uuid.UUID) -> str | None:
    query = select(CustomerSignal.id).where(
        CustomerSignal.organization_id == org_id,
        CustomerSignal.source == data.source,
        CustomerSignal.external_id == data.externalId,
    )
    async with ctx.read_session() as session:
        found = await session.scalar(await live_in_scope(ctx, CustomerSignal, query))
    return str(found) if found else None


async def _customer_by_email(ctx: RequestContext, email: str) -> uuid.UUID:
    query = (
        select(Person.id).where(func.lower(Person.primary_email) == email.lower()).order_by(Person.created_at)
    )
    async with ctx.read_session() as session:
        found = await session.scalar(await live_in_scope(ctx, Person, query.limit(1)))
    if found is None:
        raise NotFound("Customer not found")
    return found


@operation(
    "ingest_customer_signal",
    MODULE,
    input=CustomerSignalInput,
    output=IngestedCustomerSignal,
    features=("customer_signals.ingest",),
    transaction=False,
    rest=Rest("POST", "/customer_signals/signals", status=201, reply=created_or_found),
    graphql_result=pick(0),
)
async def ingest(ctx: RequestContext, data: CustomerSignalInput) -> tuple[dict[str, Any], bool]:
    """Record a signal once per ``(source, externalId)`` in the organization; the customer is named
    by ``customerEntityId`` or found by ``customerEmail``."""
    scope = await org_scope(ctx)
    if data.tenantId is not None and data.tenantId != scope.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    org_id = data.organizationId or scope.selected_org_id or ctx.require_auth().org_id
    existing = await _existing(ctx, data, org_id) if org_id else None
    if existing is not None:
        return {"id": existing, "created": False}, False
    customer = data.customerEntityId
    if customer is None and data.customerEmail:
        customer = await _customer_by_email(ctx, data.customerEmail)
    record = {
        "signalType": data.signalType,
        "source": data.source,
        "externalId": data.externalId,
        "customerEntityId": str(customer) if customer else None,
        "dealId": str(data.dealId) if data.dealId else None,
        "title": data.title,
        "occurredAt": (data.occurredAt or datetime.now(UTC)).isoformat(),
        "payload": data.payload,
        "organizationId": str(org_id) if org_id else None,
    }
    try:
        obj, _ = await service(SIGNAL).create(ctx, record)
    except Conflict:
        existing = await _existing(ctx, data, org_id)  # a concurrent ingest of the same signal won
        if existing is None:
            raise
        return {"id": existing, "created": False}, False
    return {"id": str(obj.id), "created": True}, True
