"""Quotes and orders: declarations and the rules of every write path (numbers, customer and method
references with their snapshots, quote status machine, order-editing settings, tags, history)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict
from models.customers import CustomerEntity, Deal
from models.sales import (
    SalesChannel,
    SalesDocumentTag,
    SalesOrder,
    SalesOrderStatus,
    SalesPaymentMethod,
    SalesQuote,
    SalesShippingMethod,
    SalesTag,
)
from resolvers.crud import guarded
from resolvers.customers.deals import DEAL
from resolvers.customers.people import COMPANY, PERSON
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, eq, since, until
from resolvers.sales.common import (
    KINDS,
    MODULE,
    ORDER,
    QUOTE,
    READONLY,
    DocKind,
    decimal_bound,
    fail,
    int_bound,
    recalculate,
    record_history,
    stamps,
)
from resolvers.sales.numbers import next_number, settings_row
from resolvers.scope import org_scope, parse_uuid, scope_conditions
from resolvers.statemachine import machine

CURRENCY = re.compile(r"^[A-Z]{3}$")
QUOTE_STATUS = machine(
    "sales_quote",
    "status",
    "draft",
    draft=("sent", "declined", "canceled", "converted"),
    sent=("draft", "accepted", "declined", "expired", "canceled", "converted"),
    accepted=("converted", "canceled"),
    declined=("draft",),
    expired=("draft", "sent"),
    canceled=(),
    converted=(),
)
ADDRESS_KEYS = (
    "billing_address_id",
    "shipping_address_id",
    "billing_address_snapshot",
    "shipping_address_snapshot",
)
TOTAL_FIELDS = (
    "line_item_count",
    "subtotal_net_amount",
    "subtotal_gross_amount",
    "discount_total_amount",
    "tax_total_amount",
    "shipping_net_amount",
    "shipping_gross_amount",
    "surcharge_total_amount",
    "grand_total_net_amount",
    "grand_total_gross_amount",
    "paid_total_amount",
    "refunded_total_amount",
    "outstanding_amount",
)


async def _in_scope(ctx: RequestContext, uow: UnitOfWork, model: Any, ident: Any, path: str) -> Any:
    """A live row of ``model`` in the caller's scope, else a 400 naming ``path``."""
    parsed = parse_uuid(ident)
    row = None
    if parsed is not None:
        row = await uow.session.scalar(
            select(model).where(model.id == parsed, *scope_conditions(model, await org_scope(ctx)))
        )
    if row is None:
        raise fail(path, "Not found", "not_found")
    return row


async def _references(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """Check referenced records and take their snapshots."""
    if data.get("customer_entity_id") is not None:
        customer = await _in_scope(ctx, uow, CustomerEntity, data["customer_entity_id"], "customerEntityId")
        data["customer_snapshot"] = {
            "id": str(customer.id),
            "displayName": customer.display_name,
            "kind": customer.kind,
            "primaryEmail": customer.primary_email,
        }
    if data.get("deal_id") is not None:
        await _in_scope(ctx, uow, Deal, data["deal_id"], "dealId")
    if data.get("channel_id") is not None:
        await _in_scope(ctx, uow, SalesChannel, data["channel_id"], "channelId")
    for attr, model, path in (
        ("shipping_method", SalesShippingMethod, "shippingMethodId"),
        ("payment_method", SalesPaymentMethod, "paymentMethodId"),
    ):
        if f"{attr}_id" not in data:
            continue
        if data[f"{attr}_id"] is None:
            data[f"{attr}_code"] = data[f"{attr}_snapshot"] = None
            continue
        method = await _in_scope(ctx, uow, model, data[f"{attr}_id"], path)
        data[f"{attr}_code"] = method.code
        data[f"{attr}_snapshot"] = {"id": str(method.id), "code": method.code, "name": method.name}


def _values(data: dict[str, Any]) -> None:
    if data.get("currency_code") is not None:
        data["currency_code"] = data["currency_code"].strip().upper()
        if not CURRENCY.match(data["currency_code"]):
            raise fail("currencyCode", "A three-letter ISO code (e.g., PLN)", "invalid_string")
    if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
        raise fail("validUntil", "Must not be before validFrom", "invalid_date")
    for key in ("number", "status"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()


async def _order_status(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """An order status must be one of the organization's order statuses (when it defines any)."""
    value = data.get("status")
    if value is None:
        return
    scope = await org_scope(ctx)
    entries = list(
        (
            await uow.session.execute(
                select(SalesOrderStatus.id, SalesOrderStatus.value).where(
                    *scope_conditions(SalesOrderStatus, scope)
                )
            )
        ).all()
    )
    if not entries:
        return
    match = next((row for row in entries if row.value == value), None)
    if match is None:
        raise fail("status", "Unknown order status", "invalid_enum_value")
    data["status_entry_id"] = match.id


async def _tags(ctx: RequestContext, uow: UnitOfWork, kind: DocKind, doc: Any, tag_ids: Any) -> None:
    if tag_ids is None:
        return
    ids = []
    for raw in tag_ids:
        tag = await _in_scope(ctx, uow, SalesTag, raw, "tagIds")
        if tag.id not in ids:
            ids.append(tag.id)
    await uow.session.execute(delete(SalesDocumentTag).where(SalesDocumentTag.document_id == doc.id))
    for tag_id in ids:
        uow.session.add(
            SalesDocumentTag(
                id=uuid.uuid4(),
                tenant_id=doc.tenant_id,
                organization_id=doc.organization_id,
                document_id=doc.id,
                document_kind=kind.name,
                tag_id=tag_id,
            )
        )


def document_hooks(kind: DocKind) -> Hooks:
    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        _values(data)
        await _references(ctx, uow, data)
        if kind is QUOTE:
            data["status"] = QUOTE_STATUS.validate_state(data.get("status") or QUOTE_STATUS.initial)
        else:
            await _order_status(ctx, uow, data)
        if not data.get(kind.number_attr):
            data[kind.number_attr], _, _ = await next_number(
                uow, data["tenant_id"], data.get("organization_id"), kind.name
            )

    async def after_create(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        await _tags(ctx, uow, kind, obj, data.get("tag_ids"))
        record_history(
            ctx,
            uow,
            kind,
            obj,
            "created",
            f"{kind.name.capitalize()} {getattr(obj, kind.number_attr)} created",
        )

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        _values(data)
        if kind is QUOTE and obj.status == "converted":
            raise Conflict("A converted quote cannot change")
        if kind is ORDER:
            settings = await settings_row(uow.session, obj.tenant_id, obj.organization_id)
            if settings is not None:
                _editable(
                    settings.order_customer_editable_statuses, obj, data, ("customer_entity_id",), "customer"
                )
                _editable(settings.order_address_editable_statuses, obj, data, ADDRESS_KEYS, "addresses")
            await _order_status(ctx, uow, data)
        elif data.get("status") is not None:
            QUOTE_STATUS.check(obj.status, data["status"])
        await _references(ctx, uow, data)
        data["_before"] = {"status": obj.status, "currency_code": obj.currency_code}

    async def after_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        before = data.get("_before", {})
        await _tags(ctx, uow, kind, obj, data.get("tag_ids"))
        if before.get("status") != obj.status:
            record_history(ctx, uow, kind, obj, "status", f"Status changed to {obj.status}",
                           {"from": before.get("status"), "to": obj.status})  # fmt: skip
        changed = sorted(k for k in data if not k.startswith("_") and k not in ("status", "tag_ids"))
        if changed:
            record_history(ctx, uow, kind, obj, "fields", "Updated " + ", ".join(changed))
        if before.get("currency_code") != obj.currency_code:
            await recalculate(ctx, uow, kind, obj.id, reason="Currency changed")

    async def before_delete(ctx: RequestContext, uow: UnitOfWork, obj: Any) -> None:
        record_history(ctx, uow, kind, obj, "deleted", f"{kind.name.capitalize()} deleted")

    return guarded(
        kind.model,
        Hooks(
            before_create=before_create,
            after_create=after_create,
            before_update=before_update,
            after_update=after_update,
            before_delete=before_delete,
        ),
    )


def _editable(
    statuses: list[str] | None, obj: Any, data: dict[str, Any], keys: tuple[str, ...], what: str
) -> None:
    if statuses is None:
        return
    changing = any(k in data and data[k] != getattr(obj, k) for k in keys)
    if changing and (obj.status or "") not in statuses:
        raise Conflict(f"The order's {what} cannot change in status {obj.status or 'none'}")


def _tag_filter(model: Any) -> list[Filter]:
    def any_tag(query: Any, ids: list[uuid.UUID]) -> Any:
        return query.where(
            exists().where(SalesDocumentTag.document_id == model.id, SalesDocumentTag.tag_id.in_(ids))
        )

    def untagged(query: Any, empty: bool) -> Any:
        tagged = exists().where(SalesDocumentTag.document_id == model.id)
        return query.where(~tagged if empty else tagged)

    return [Filter("tagIds", uuid.UUID, any_tag, many=True), Filter("tagIdsEmpty", bool, untagged)]


def document_fields(kind: DocKind) -> list[Field]:
    return [
        Field("status", str, sort=True),
        Field("status_entry_id", uuid.UUID, **READONLY),
        Field("customer_entity_id", uuid.UUID, aliases=("customerId",)),
        Field("customer_contact_id", uuid.UUID),
        Field("deal_id", uuid.UUID),
        Field("billing_address_id", uuid.UUID),
        Field("shipping_address_id", uuid.UUID),
        Field("customer_reference", str, search=True),
        Field("external_reference", str, search=True),
        Field("comment", str, max_length=10000),
        Field("placed_at", datetime, sort=True),
        Field("expected_delivery_at", datetime, sort=True),
        Field("customer_snapshot", dict, **READONLY),
        Field("billing_address_snapshot", dict),
        Field("shipping_address_snapshot", dict),
        Field("shipping_method_id", uuid.UUID),
        Field("shipping_method_code", str, **READONLY),
        Field("shipping_method_snapshot", dict, **READONLY),
        Field("payment_method_id", uuid.UUID),
        Field("payment_method_code", str, **READONLY),
        Field("payment_method_snapshot", dict, **READONLY),
        Field("currency_code", str, required=True, sort=True),
        Field("channel_id", uuid.UUID),
        Field("valid_from", datetime, sort=True),
        Field("valid_until", datetime, sort=True),
        *[
            Field(
                attr,
                int if attr == "line_item_count" else Decimal,
                sort=attr.startswith(("grand", "line")),
                **READONLY,
            )
            for attr in TOTAL_FIELDS
        ],
        Field("tag_ids", list, read=False, description="Tags of the document (replaces them)."),
        *stamps(),
    ]


def document_filters(model: Any) -> list[Filter]:
    return [
        eq("customerId", model.customer_entity_id, uuid.UUID),
        eq("channelId", model.channel_id, uuid.UUID),
        eq("status", model.status),
        int_bound("lineItemCountMin", model.line_item_count, "min"),
        int_bound("lineItemCountMax", model.line_item_count, "max"),
        decimal_bound("totalNetMin", model.grand_total_net_amount, "min"),
        decimal_bound("totalNetMax", model.grand_total_net_amount, "max"),
        decimal_bound("totalGrossMin", model.grand_total_gross_amount, "min"),
        decimal_bound("totalGrossMax", model.grand_total_gross_amount, "max"),
        since("dateFrom", model.created_at),
        until("dateTo", model.created_at),
        *_tag_filter(model),
    ]


QUOTE_ENTITY = Entity(
    name="sales_quote",
    module=MODULE,
    model=SalesQuote,
    path="/sales/quotes",
    graphql_name="Quote",
    plural="quotes",
    features=Features.view_manage(QUOTE.view, QUOTE.manage),
    fields=[
        Field("quote_number", str, sort=True, search=True, update=False),
        *document_fields(QUOTE),
        Field("converted_order_id", uuid.UUID, **READONLY),
        Field("sent_at", datetime, **READONLY),
        Field("accepted_at", datetime, **READONLY),
        Field("public_token_expires_at", datetime, **READONLY),
    ],
    filters=document_filters(SalesQuote),
    relations=[
        Relation("lines", "sales_quote_line", "many", target_fk="quote_id"),
        Relation("adjustments", "sales_quote_adjustment", "many", target_fk="quote_id"),
        Relation("channel", "sales_channel", "one", source_fk="channel_id"),
    ],
    default_sort="created_at",
    hooks=document_hooks(QUOTE),
    description="A quote for a customer: lines, adjustments and totals; sent, accepted, converted.",
)

ORDER_ENTITY = Entity(
    name="sales_order",
    module=MODULE,
    model=SalesOrder,
    path="/sales/orders",
    graphql_name="Order",
    plural="orders",
    features=Features.view_manage(ORDER.view, ORDER.manage),
    fields=[
        Field("order_number", str, sort=True, search=True, update=False),
        *document_fields(ORDER),
        Field("fulfillment_status", str, sort=True),
        Field("payment_status", str, sort=True),
        Field("quote_id", uuid.UUID, **READONLY),
    ],
    filters=document_filters(SalesOrder),
    relations=[
        Relation("lines", "sales_order_line", "many", target_fk="order_id"),
        Relation("adjustments", "sales_order_adjustment", "many", target_fk="order_id"),
        Relation("payments", "sales_payment", "many", target_fk="order_id"),
        Relation("shipments", "sales_shipment", "many", target_fk="order_id"),
        Relation("returns", "sales_return", "many", target_fk="order_id"),
        Relation("channel", "sales_channel", "one", source_fk="channel_id"),
    ],
    default_sort="created_at",
    hooks=document_hooks(ORDER),
    description="A customer's order: lines, adjustments, totals, payments, shipments and returns.",
)

ENTITIES_BY_KIND = {"quote": QUOTE_ENTITY, "order": ORDER_ENTITY}
assert set(ENTITIES_BY_KIND) == set(KINDS)

# Edges from the customers' side, declared through the relation machinery.
PERSON.relations.append(Relation("orders", "sales_order", "many", target_fk="customer_entity_id"))
PERSON.relations.append(Relation("quotes", "sales_quote", "many", target_fk="customer_entity_id"))
COMPANY.relations.append(Relation("orders", "sales_order", "many", target_fk="customer_entity_id"))
COMPANY.relations.append(Relation("quotes", "sales_quote", "many", target_fk="customer_entity_id"))
DEAL.relations.append(Relation("quotes", "sales_quote", "many", target_fk="deal_id"))
DEAL.relations.append(Relation("orders", "sales_order", "many", target_fk="deal_id"))
