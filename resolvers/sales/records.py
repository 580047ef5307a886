"""Notes and addresses attached to quotes and orders, and a document's history."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.timefmt import format_datetime
from models.sales import SalesDocumentAddress, SalesDocumentEvent, SalesNote
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, eq
from resolvers.operations import Rest, operation
from resolvers.sales.common import (
    KINDS,
    MODULE,
    ORDERS_VIEW,
    QUOTES_VIEW,
    READONLY,
    fail,
    load_document,
    record_history,
    stamps,
    visible_with,
)

CONTEXT_TYPES = ("order", "quote")
NOUNS = {"notes": "Note", "addresses": "Address"}


async def _attach(ctx: RequestContext, uow: UnitOfWork, kind_name: Any, ident: Any, path: str) -> Any:
    if kind_name not in KINDS:
        raise fail(path, "order or quote", "invalid_enum_value")
    ctx.require_features([KINDS[kind_name].manage])
    return await load_document(ctx, uow.session, KINDS[kind_name], ident, lock=True)


def may_change(kind_attr: str, id_attr: str, what: str) -> Any:
    """A hook: changing or removing a note or an address needs the rights to manage its document's
    kind, and goes into the document's history."""

    async def check(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: Any = None) -> None:
        kind = KINDS[getattr(obj, kind_attr)]
        ctx.require_features([kind.manage])
        document = await load_document(ctx, uow.session, kind, getattr(obj, id_attr))
        record_history(
            ctx,
            uow,
            kind,
            document,
            what,
            f"{NOUNS[what]} {'changed' if data is not None else 'removed'}",
        )

    return check


# --- notes ----------------------------------------------------------------------------------------


async def _note_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    context_type = data.get("context_type") or ("quote" if data.get("quote_id") else "order")
    context_id = data.get("context_id") or data.get("quote_id") or data.get("order_id")
    if context_id is None:
        raise fail("contextId", "Required", "invalid_type")
    document = await _attach(ctx, uow, context_type, context_id, "contextType")
    data.update(context_type=context_type, context_id=document.id, organization_id=document.organization_id)
    data["order_id"] = document.id if context_type == "order" else None
    data["quote_id"] = document.id if context_type == "quote" else None
    data["author_user_id"] = ctx.principal.user_id if ctx.principal else None
    record_history(ctx, uow, KINDS[context_type], document, "notes", "Note added")


NOTE = Entity(
    name="sales_note",
    module=MODULE,
    model=SalesNote,
    path="/sales/notes",
    graphql_name="SalesNote",
    plural="salesNotes",
    key_case="snake",
    features=Features(),  # documented without features: the document's rights apply
    visibility=visible_with(
        (ORDERS_VIEW, lambda t: t.context_type == "order"), (QUOTES_VIEW, lambda t: t.context_type == "quote")
    ),
    fields=[
        Field("context_type", str, update=False),
        Field("context_id", uuid.UUID, update=False),
        Field("order_id", uuid.UUID, update=False),
        Field("quote_id", uuid.UUID, update=False),
        Field("body", str, search=True, max_length=20000),
        Field("author_user_id", uuid.UUID, **READONLY),
        Field("appearance_icon", str),
        Field("appearance_color", str),
        *stamps(),
    ],
    filters=[
        eq("contextType", SalesNote.context_type),
        eq("contextId", SalesNote.context_id, uuid.UUID),
        eq("orderId", SalesNote.order_id, uuid.UUID),
        eq("quoteId", SalesNote.quote_id, uuid.UUID),
    ],
    default_sort="created_at",
    hooks=guarded(
        SalesNote,
        Hooks(
            before_create=_note_create,
            before_update=may_change("context_type", "context_id", "notes"),
            before_delete=may_change("context_type", "context_id", "notes"),
            create_result=lambda obj, _data: {
                "authorUserId": str(obj.author_user_id) if obj.author_user_id else None
            },
        ),
    ),
    description="A note on a quote or an order.",
)


# --- addresses ------------------------------------------------------------------------------------


def _address_values(data: dict[str, Any]) -> None:
    if data.get("country") is not None:
        data["country"] = data["country"].strip().upper()
        if len(data["country"]) != 2 or not data["country"].isalpha():
            raise fail("country", "A two-letter ISO country code", "invalid_string")
    if data.get("address_line1") is not None and not data["address_line1"].strip():
        raise fail("addressLine1", "Required", "too_small")
    for key, limit in (("latitude", 90), ("longitude", 180)):
        if data.get(key) is not None and abs(data[key]) > Decimal(limit):
            raise fail(key, f"Between -{limit} and {limit}", "out_of_range")


async def _address_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _address_values(data)
    document = await _attach(ctx, uow, data.get("document_kind"), data.get("document_id"), "documentKind")
    data["organization_id"] = document.organization_id
    record_history(ctx, uow, KINDS[data["document_kind"]], document, "addresses", "Address added")


async def _address_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    await may_change("document_kind", "document_id", "addresses")(ctx, uow, obj, data)
    _address_values(data)
    data.pop("document_id", None)
    data.pop("document_kind", None)


ADDRESS = Entity(
    name="sales_document_address",
    module=MODULE,
    model=SalesDocumentAddress,
    path="/sales/document-addresses",
    graphql_name="SalesDocumentAddress",
    plural="salesDocumentAddresses",
    key_case="snake",
    features=Features(),  # documented without features: the document's rights apply
    visibility=visible_with(
        (ORDERS_VIEW, lambda t: t.document_kind == "order"),
        (QUOTES_VIEW, lambda t: t.document_kind == "quote"),
    ),
    fields=[
        Field("document_id", uuid.UUID, required=True),
        Field("document_kind", str, required=True),
        Field("customer_address_id", uuid.UUID),
        Field("name", str, search=True),
        Field("purpose", str),
        Field("company_name", str, search=True),
        Field("address_line1", str, required=True, search=True),
        Field("address_line2", str),
        Field("building_number", str),
        Field("flat_number", str),
        Field("city", str, sort=True, search=True),
        Field("region", str),
        Field("postal_code", str),
        Field("country", str, sort=True),
        Field("latitude", Decimal),
        Field("longitude", Decimal),
        *stamps(),
    ],
    filters=[
        eq("documentId", SalesDocumentAddress.document_id, uuid.UUID),
        eq("documentKind", SalesDocumentAddress.document_kind),
    ],
    default_sort="created_at",
    hooks=guarded(
        SalesDocumentAddress,
        Hooks(
            before_create=_address_create,
            before_update=_address_update,
            before_delete=may_change("document_kind", "document_id", "addresses"),
        ),
    ),
    description="A billing or shipping address written on a quote or an order.",
)


# --- history --------------------------------------------------------------------------------------


class HistoryInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: Literal["order", "quote"]
    id: str = PydanticField(max_length=100)
    limit: int = PydanticField(50, ge=1, le=200)
    before: datetime | None = None
    after: datetime | None = None
    types: str | None = PydanticField(None, max_length=500)


class HistoryActor(BaseModel):
    id: str | None = None
    label: str


class HistoryItem(BaseModel):
    id: str
    occurredAt: str
    kind: str
    action: str
    actor: HistoryActor
    source: str


class HistoryPage(BaseModel):
    items: list[HistoryItem]


@operation(
    "sales_document_history",
    MODULE,
    input=HistoryInput,
    output=HistoryPage,
    kind="query",
    rest=Rest("GET", "/sales/document-history"),
)
async def document_history(ctx: RequestContext, data: HistoryInput) -> dict[str, Any]:
    """Every recorded change of a quote or an order, newest first (404 for other tenants' ids)."""
    kind = KINDS[data.kind]
    ctx.require_features([kind.view])
    async with ctx.read_session() as session:
        document = await load_document(ctx, session, kind, data.id)
        query = select(SalesDocumentEvent).where(
            SalesDocumentEvent.document_id == document.id, SalesDocumentEvent.tenant_id == document.tenant_id
        )
        if data.before is not None:
            query = query.where(SalesDocumentEvent.occurred_at < data.before)
        if data.after is not None:
            query = query.where(SalesDocumentEvent.occurred_at > data.after)
        if data.types:
            query = query.where(
                SalesDocumentEvent.kind.in_([t.strip() for t in data.types.split(",") if t.strip()])
            )
        rows = (
            await session.execute(
                query.order_by(SalesDocumentEvent.occurred_at.desc(), SalesDocumentEvent.id).limit(data.limit)
            )
        ).scalars()
        return {
            "items": [
                {
                    "id": str(row.id),
                    "occurredAt": format_datetime(row.occurred_at),
                    "kind": row.kind,
                    "action": row.action,
                    "actor": {
                        "id": str(row.actor_user_id) if row.actor_user_id else None,
                        "label": row.actor_label,
                    },
                    "source": "history",
                }
                for row in rows
            ]
        }
