"""Payments and shipments of orders, and returns of order lines.

A payment changes the order's paid, refunded and outstanding amounts (the same recalculation as
every other change); a shipment takes a number from the organization's shipment sequence; a return
takes its lines' prices from the order lines and never returns more than was ordered.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound
from models.sales import (
    SalesOrderLine,
    SalesPaymentMethod,
    SalesPaymentStatus,
    SalesReturn,
    SalesReturnLine,
    SalesShipmentStatus,
    SalesShippingMethod,
)
from models.sales import SalesPayment as Payment
from models.sales import SalesShipment as Shipment
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Features, Field, Hooks, Relation, eq
from resolvers.operations import Rest, operation
from resolvers.sales.common import (
    MODULE,
    ORDER,
    ORDERS_MANAGE,
    ORDERS_VIEW,
    PAYMENTS_MANAGE,
    READONLY,
    RETURNS_VIEW,
    fail,
    load_document,
    metadata_fields,
    recalculate,
    recalculated_on_undo,
    record_history,
    stamps,
    visible_with,
)
from resolvers.sales.numbers import next_number
from resolvers.sales.totals import minor_units, rounder
from resolvers.scope import org_scope, parse_uuid, scope_conditions


def order_totals(order: Any) -> dict[str, Any]:
    """The order's money after a payment change (documented as ``orderTotals``)."""
    return {
        "orderId": str(order.id),
        "grandTotalGrossAmount": str(order.grand_total_gross_amount),
        "paidTotalAmount": str(order.paid_total_amount),
        "refundedTotalAmount": str(order.refunded_total_amount),
        "outstandingAmount": str(order.outstanding_amount),
    }


def custom_value_keys(model: Any) -> list[Computed]:
    """The documented spellings of the custom values column, all read from it."""
    return [
        Computed(key, lambda: model.custom_values)
        for key in ("customValues", "custom_fields", "customFields")
    ]


def label_of(model: Any, column: Any, target: Any, value: Any) -> Computed:
    """``label`` of the row of ``model`` whose ``column`` the entity's ``target`` names (SQL)."""
    return Computed(value, lambda: select(column).where(model.id == target).limit(1).scalar_subquery())


async def _status_entry(uow: UnitOfWork, model: Any, tenant: Any, org: Any, data: dict[str, Any]) -> None:
    if data.get("status") is None:
        return
    entry = await uow.session.scalar(
        select(model.id).where(
            model.tenant_id == tenant,
            model.organization_id.is_not_distinct_from(org),
            model.value == data["status"],
            model.deleted_at.is_(None),
        )
    )
    data["status_entry_id"] = entry


async def _method(ctx: RequestContext, uow: UnitOfWork, model: Any, ident: Any, path: str) -> None:
    if ident is None:
        return
    found = await uow.session.scalar(
        select(model.id).where(model.id == ident, *scope_conditions(model, await org_scope(ctx)))
    )
    if found is None:
        raise fail(path, "Not found", "not_found")


# --- payments -------------------------------------------------------------------------------------


def _payment_values(data: dict[str, Any]) -> None:
    for key in ("amount", "captured_amount", "refunded_amount"):
        if data.get(key) is not None and data[key] < 0:
            raise fail(key, "Must not be negative", "too_small")
    if data.get("currency_code") is not None:
        data["currency_code"] = data["currency_code"].strip().upper()


async def _payment_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _payment_values(data)
    if data.get("order_id") is not None:
        order = await load_document(ctx, uow.session, ORDER, data["order_id"], lock=True)
        data["organization_id"] = order.organization_id
        if data.get("currency_code") not in (None, order.currency_code):
            raise fail("currencyCode", f"Payments are in the order's currency ({order.currency_code})")
        data["currency_code"] = order.currency_code
    await _method(ctx, uow, SalesPaymentMethod, data.get("payment_method_id"), "paymentMethodId")
    await _status_entry(uow, SalesPaymentStatus, data["tenant_id"], data.get("organization_id"), data)


async def _payment_changed(
    ctx: RequestContext, uow: UnitOfWork, obj: Any, action: str, exclude: tuple = ()
) -> Any:
    if obj.order_id is None:
        return None
    order = await recalculate(ctx, uow, ORDER, obj.order_id, exclude=exclude, reason=action)
    record_history(ctx, uow, ORDER, order, "payments", f"{action}: {obj.amount} {obj.currency_code}")
    return order


async def _payment_after_create(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    order = await _payment_changed(ctx, uow, obj, "Payment recorded")
    data["_totals"] = order_totals(order) if order is not None else None


async def _payment_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    _payment_values(data)
    data.pop("currency_code", None) if obj.order_id is not None else None
    await _method(ctx, uow, SalesPaymentMethod, data.get("payment_method_id"), "paymentMethodId")
    await _status_entry(uow, SalesPaymentStatus, obj.tenant_id, obj.organization_id, data)


async def _payment_after_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    await _payment_changed(ctx, uow, obj, "Payment changed")


async def _payment_delete(ctx: RequestContext, uow: UnitOfWork, obj: Any) -> None:
    await _payment_changed(ctx, uow, obj, "Payment removed", exclude=(obj.id,))


PAYMENT = Entity(
    name="sales_payment",
    module=MODULE,
    model=Payment,
    path="/sales/payments",
    graphql_name="Payment",
    plural="payments",
    key_case="snake",
    features=Features(
        view=[ORDERS_VIEW], create=[PAYMENTS_MANAGE], update=[PAYMENTS_MANAGE], delete=[PAYMENTS_MANAGE]
    ),
    fields=[
        Field("order_id", uuid.UUID, update=False),
        Field("payment_method_id", uuid.UUID),
        Field("payment_reference", str, search=True),
        Field("status_entry_id", uuid.UUID, **READONLY),
        Field("status", str, sort=True),
        Field("amount", Decimal, required=True, sort=True),
        Field("currency_code", str, required=True),
        Field("captured_amount", Decimal),
        Field("refunded_amount", Decimal),
        Field("received_at", datetime, sort=True),
        Field("captured_at", datetime),
        Field("custom_field_set_id", uuid.UUID, aliases=("customFieldSetId",)),
        Field("custom_values", dict),
        *metadata_fields(Payment, snake=True)[0],
        *stamps(),
    ],
    computed=[
        *metadata_fields(Payment, snake=True)[1],
        label_of(
            SalesPaymentMethod, SalesPaymentMethod.name, Payment.payment_method_id, "payment_method_name"
        ),
        label_of(
            SalesPaymentMethod, SalesPaymentMethod.code, Payment.payment_method_id, "payment_method_code"
        ),
        label_of(SalesPaymentStatus, SalesPaymentStatus.label, Payment.status_entry_id, "status_label"),
        Computed("customFieldSetId", lambda: Payment.custom_field_set_id),
        *custom_value_keys(Payment),
    ],
    filters=[
        eq("orderId", Payment.order_id, uuid.UUID),
        eq("paymentMethodId", Payment.payment_method_id, uuid.UUID),
    ],
    relations=[
        Relation("order", "sales_order", "one", source_fk="order_id"),
        Relation("payment_method", "sales_payment_method", "one", source_fk="payment_method_id"),
    ],
    default_sort="created_at",
    hooks=guarded(
        Payment,
        Hooks(
            before_create=_payment_create,
            after_create=_payment_after_create,
            before_update=_payment_update,
            after_update=_payment_after_update,
            before_delete=_payment_delete,
            create_result=lambda _obj, data: {"orderTotals": data.get("_totals")},
        ),
    ),
    description="A payment received for an order (changes the order's paid and outstanding amounts).",
)


recalculated_on_undo(PAYMENT, ORDER, "order_id")


# --- shipments ------------------------------------------------------------------------------------


async def _shipment_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    ctx.require_features([ORDERS_MANAGE])
    order = await load_document(ctx, uow.session, ORDER, data.get("order_id"), lock=True)
    data["organization_id"] = order.organization_id
    data.setdefault("currency_code", order.currency_code)
    await _method(ctx, uow, SalesShippingMethod, data.get("shipping_method_id"), "shippingMethodId")
    await _status_entry(uow, SalesShipmentStatus, data["tenant_id"], order.organization_id, data)
    if not data.get("shipment_number"):
        data["shipment_number"], _, _ = await next_number(
            uow, data["tenant_id"], order.organization_id, "shipment"
        )


async def _shipment_after_create(
    ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]
) -> None:
    order = await load_document(ctx, uow.session, ORDER, obj.order_id)
    record_history(ctx, uow, ORDER, order, "shipments", f"Shipment {obj.shipment_number} created")


async def _shipment_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    ctx.require_features([ORDERS_MANAGE])
    await _method(ctx, uow, SalesShippingMethod, data.get("shipping_method_id"), "shippingMethodId")
    await _status_entry(uow, SalesShipmentStatus, obj.tenant_id, obj.organization_id, data)
    if data.get("status") not in (None, obj.status):
        order = await load_document(ctx, uow.session, ORDER, obj.order_id)
        record_history(
            ctx, uow, ORDER, order, "shipments", f"Shipment {obj.shipment_number}: {data['status']}"
        )


async def _shipment_delete(ctx: RequestContext, uow: UnitOfWork, obj: Any) -> None:
    ctx.require_features([ORDERS_MANAGE])


SHIPMENT = Entity(
    name="sales_shipment",
    module=MODULE,
    model=Shipment,
    path="/sales/shipments",
    graphql_name="Shipment",
    plural="shipments",
    key_case="snake",
    features=Features(),  # documented without features: the order's rights apply
    visibility=visible_with((ORDERS_VIEW, lambda _t: None)),
    fields=[
        Field("order_id", uuid.UUID, required=True, update=False),
        Field("shipment_number", str, sort=True, search=True, update=False),
        Field("shipping_method_id", uuid.UUID),
        Field("status_entry_id", uuid.UUID, **READONLY),
        Field("status", str, sort=True),
        Field("carrier_name", str, search=True),
        Field("tracking_numbers", list),
        Field("shipped_at", datetime, sort=True),
        Field("delivered_at", datetime, sort=True),
        Field("weight_value", Decimal),
        Field("weight_unit", str),
        Field("declared_value_net", Decimal),
        Field("declared_value_gross", Decimal),
        Field("currency_code", str),
        Field("notes", str, max_length=10000),
        Field("custom_values", dict),
        Field("items_snapshot", list),
        *metadata_fields(Shipment, snake=True)[0],
        *stamps(),
    ],
    computed=[
        *metadata_fields(Shipment, snake=True)[1],
        label_of(
            SalesShippingMethod, SalesShippingMethod.code, Shipment.shipping_method_id, "shipping_method_code"
        ),
        label_of(
            SalesShippingMethod, SalesShippingMethod.name, Shipment.shipping_method_id, "shipping_method_name"
        ),
        label_of(SalesShipmentStatus, SalesShipmentStatus.label, Shipment.status_entry_id, "status_label"),
        Computed("itemsSnapshot", lambda: Shipment.items_snapshot),
        *custom_value_keys(Shipment),
    ],
    filters=[eq("orderId", Shipment.order_id, uuid.UUID)],
    relations=[Relation("order", "sales_order", "one", source_fk="order_id")],
    default_sort="created_at",
    hooks=guarded(
        Shipment,
        Hooks(
            before_create=_shipment_create,
            after_create=_shipment_after_create,
            before_update=_shipment_update,
        ),
    ),
    description="A shipment of (part of) an order, with its carrier and tracking numbers.",
)


# --- returns --------------------------------------------------------------------------------------


class ReturnLineInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderLineId: uuid.UUID
    quantity: Decimal = PydanticField(gt=0, max_digits=18, decimal_places=6)


async def _return_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    ctx.require_features([ORDERS_MANAGE])  # a return changes what the order delivered
    order = await load_document(ctx, uow.session, ORDER, data.get("order_id"), lock=True)
    data["organization_id"] = order.organization_id
    raw_lines = data.get("lines") or []
    if not isinstance(raw_lines, list) or not raw_lines or len(raw_lines) > 500:
        raise fail("lines", "Between 1 and 500 lines", "too_small")
    try:
        lines = [ReturnLineInput.model_validate(item) for item in raw_lines]
    except ValueError:
        raise fail("lines", "Each line: {orderLineId, quantity > 0}", "invalid_type") from None
    wanted: dict[uuid.UUID, Decimal] = {}
    for line in lines:
        wanted[line.orderLineId] = wanted.get(line.orderLineId, Decimal(0)) + line.quantity
    ordered = {
        row.id: row
        for row in (
            await uow.session.execute(
                select(SalesOrderLine).where(
                    SalesOrderLine.order_id == order.id, SalesOrderLine.id.in_(wanted)
                )
            )
        ).scalars()
    }
    returned = dict(
        (
            await uow.session.execute(
                select(SalesReturnLine.order_line_id, func.sum(SalesReturnLine.quantity_returned))
                .join(SalesReturn, SalesReturn.id == SalesReturnLine.return_id)
                .where(SalesReturnLine.order_line_id.in_(wanted), SalesReturn.deleted_at.is_(None))
                .group_by(SalesReturnLine.order_line_id)
            )
        ).all()
    )
    round_ = rounder(minor_units(order.currency_code))
    prepared = []
    for line_id, quantity in wanted.items():
        line = ordered.get(line_id)
        if line is None:
            raise fail("lines", "Not a line of this order", "not_found")
        if quantity + returned.get(line_id, Decimal(0)) > line.quantity:
            raise fail(
                "lines",
                f"Line {line.line_number}: at most {line.quantity - returned.get(line_id, 0)} left to return",
                "too_big",
            )
        share = quantity / line.quantity
        prepared.append(
            (line, quantity, round_(line.total_net_amount * share), round_(line.total_gross_amount * share))
        )
    data["_lines"] = prepared
    data["total_net_amount"] = sum((p[2] for p in prepared), Decimal(0))
    data["total_gross_amount"] = sum((p[3] for p in prepared), Decimal(0))
    data["return_number"], _, _ = await next_number(uow, data["tenant_id"], order.organization_id, "return")
    data.setdefault("returned_at", datetime.now(UTC))


async def _return_after_create(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    for line, quantity, net, gross in data["_lines"]:
        uow.session.add(
            SalesReturnLine(
                id=uuid.uuid4(),
                tenant_id=obj.tenant_id,
                organization_id=obj.organization_id,
                return_id=obj.id,
                order_line_id=line.id,
                quantity_returned=quantity,
                unit_price_net=line.unit_price_net,
                unit_price_gross=line.unit_price_gross,
                total_net_amount=net,
                total_gross_amount=gross,
            )
        )
    order = await load_document(ctx, uow.session, ORDER, obj.order_id)
    record_history(ctx, uow, ORDER, order, "returns", f"Return {obj.return_number} created")


RETURN = Entity(
    name="sales_return",
    module=MODULE,
    model=SalesReturn,
    path="/sales/returns",
    graphql_name="SalesReturn",
    plural="salesReturns",
    key_case="snake",
    features=Features(),  # the list and create routes document no features: checked here instead
    visibility=visible_with((RETURNS_VIEW, lambda _t: None)),
    fields=[
        Field("order_id", uuid.UUID, required=True, update=False),
        Field("return_number", str, sort=True, search=True, **READONLY),
        Field("status_entry_id", uuid.UUID, **READONLY),
        Field("status", str, sort=True),
        Field("reason", str, max_length=4000),
        Field("notes", str, max_length=10000),
        Field("returned_at", datetime, sort=True),
        Field("total_net_amount", Decimal, **READONLY),
        Field("total_gross_amount", Decimal, **READONLY),
        Field("lines", list, update=False, read=False, description="[{orderLineId, quantity}]"),
        *stamps(),
    ],
    filters=[eq("orderId", SalesReturn.order_id, uuid.UUID)],
    relations=[Relation("order", "sales_order", "one", source_fk="order_id")],
    default_sort="created_at",
    rest_verbs=("GET", "POST"),
    mutations=("create",),
    hooks=guarded(SalesReturn, Hooks(before_create=_return_create, after_create=_return_after_create)),
    description="Goods a customer sends back: lines of an order and quantities, valued at the order's prices.",
)


class ReturnIdInput(BaseModel):
    id: str


def _camel_return(row: SalesReturn) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "orderId": str(row.order_id),
        "returnNumber": row.return_number,
        "statusEntryId": str(row.status_entry_id) if row.status_entry_id else None,
        "status": row.status,
        "reason": row.reason,
        "notes": row.notes,
        "returnedAt": _iso(row.returned_at),
        "createdAt": _iso(row.created_at),
        "updatedAt": _iso(row.updated_at),
        "totalNetAmount": str(row.total_net_amount),
        "totalGrossAmount": str(row.total_gross_amount),
    }


def _iso(value: datetime | None) -> str | None:
    from crmgraph.timefmt import format_datetime

    return format_datetime(value) if value else None


@operation(
    "sales_return_detail",
    MODULE,
    input=ReturnIdInput,
    kind="query",
    features=(RETURNS_VIEW,),
    rest=Rest("GET", "/sales/returns/{id}"),
)
async def return_detail(ctx: RequestContext, data: ReturnIdInput) -> dict[str, Any]:
    """A return with its lines (404 for unknown ids and other tenants' returns)."""
    ident = parse_uuid(data.id)
    if ident is None:
        raise NotFound("Return not found")
    async with ctx.read_session() as session:
        row = await session.scalar(
            select(SalesReturn).where(
                SalesReturn.id == ident, *scope_conditions(SalesReturn, await org_scope(ctx))
            )
        )
        if row is None:
            raise NotFound("Return not found")
        lines = (
            await session.execute(
                select(SalesReturnLine)
                .where(SalesReturnLine.return_id == row.id)
                .order_by(SalesReturnLine.created_at, SalesReturnLine.id)
            )
        ).scalars()
        return {
            "return": _camel_return(row),
            "lines": [
                {
                    "id": str(line.id),
                    "orderLineId": str(line.order_line_id),
                    "quantityReturned": str(line.quantity_returned),
                    "unitPriceNet": str(line.unit_price_net),
                    "unitPriceGross": str(line.unit_price_gross),
                    "totalNetAmount": str(line.total_net_amount),
                    "totalGrossAmount": str(line.total_gross_amount),
                }
                for line in lines
            ],
        }
