"""Dashboard widgets: the latest orders and quotes of a date period, contributed to the dashboards'
widget registry (the pattern of ``resolvers.customers.widgets``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import Forbidden
from crmgraph.timefmt import format_datetime
from models.sales import SalesOrder, SalesQuote
from resolvers.dashboards.registry import WidgetSpec, register_widget
from resolvers.operations import Operation, Rest
from resolvers.sales.common import MODULE, fail
from resolvers.scope import org_scope, scope_conditions

PERIODS = {"last24h": timedelta(hours=24), "last7d": timedelta(days=7), "last30d": timedelta(days=30)}
PERIODS["last90d"] = timedelta(days=90)


class SalesWidgetInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = PydanticField(5, ge=1, le=20)
    datePeriod: Literal["last24h", "last7d", "last30d", "last90d", "custom"] = "last24h"
    customFrom: datetime | None = None
    customTo: datetime | None = None
    tenantId: uuid.UUID | None = None
    organizationId: uuid.UUID | None = None


def date_range(params: SalesWidgetInput, now: datetime) -> tuple[datetime, datetime]:
    if params.datePeriod != "custom":
        return now - PERIODS[params.datePeriod], now
    if params.customFrom is None or params.customTo is None:
        raise fail("customFrom", "A custom period needs customFrom and customTo", "invalid_type")
    start, end = params.customFrom.astimezone(UTC), params.customTo.astimezone(UTC)
    if end < start:
        raise fail("customTo", "Must not be before customFrom", "invalid_date")
    return start, end


def _money(value: Any) -> str:
    return str(value)


def _order_item(order: SalesOrder) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "orderNumber": order.order_number,
        "status": order.status,
        "fulfillmentStatus": order.fulfillment_status,
        "paymentStatus": order.payment_status,
        "customerName": (order.customer_snapshot or {}).get("displayName"),
        "customerEntityId": str(order.customer_entity_id) if order.customer_entity_id else None,
        "netAmount": _money(order.grand_total_net_amount),
        "grossAmount": _money(order.grand_total_gross_amount),
        "currency": order.currency_code,
        "createdAt": format_datetime(order.created_at),
    }


def _quote_item(quote: SalesQuote) -> dict[str, Any]:
    return {
        "id": str(quote.id),
        "quoteNumber": quote.quote_number,
        "status": quote.status,
        "customerName": (quote.customer_snapshot or {}).get("displayName"),
        "customerEntityId": str(quote.customer_entity_id) if quote.customer_entity_id else None,
        "validFrom": format_datetime(quote.valid_from) if quote.valid_from else None,
        "validUntil": format_datetime(quote.valid_until) if quote.valid_until else None,
        "netAmount": _money(quote.grand_total_net_amount),
        "grossAmount": _money(quote.grand_total_gross_amount),
        "currency": quote.currency_code,
        "createdAt": format_datetime(quote.created_at),
        "convertedOrderId": str(quote.converted_order_id) if quote.converted_order_id else None,
    }


async def run_widget(ctx: RequestContext, model: Any, item: Any, params: SalesWidgetInput) -> dict[str, Any]:
    """``{items, total, dateRange}``: the latest ``limit`` documents created in the period."""
    start, end = date_range(params, datetime.now(UTC))
    scope = await org_scope(ctx)
    if params.tenantId and params.tenantId != scope.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    conditions = [*scope_conditions(model, scope), model.created_at >= start, model.created_at <= end]
    if params.organizationId:
        if not scope.allows_org(params.organizationId):
            raise Forbidden(message="Organization outside your scope")
        conditions.append(model.organization_id == params.organizationId)
    from sqlalchemy import func

    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(model).where(*conditions))
        rows = (
            await session.execute(
                select(model)
                .where(*conditions)
                .order_by(model.created_at.desc(), model.id)
                .limit(params.limit)
            )
        ).scalars()
        items = [item(row) for row in rows]
    return {
        "items": items,
        "total": total,
        "dateRange": {"from": format_datetime(start), "to": format_datetime(end)},
    }


WIDGETS = {
    "new-orders": (SalesOrder, _order_item, "New orders", "shopping-cart"),
    "new-quotes": (SalesQuote, _quote_item, "New quotes", "file-text"),
}


def _declare(name: str, model: Any, item: Any, title: str, icon: str) -> None:
    features = ("dashboards.view", f"sales.widgets.{name}")

    async def handler(ctx: RequestContext, params: SalesWidgetInput) -> dict[str, Any]:
        return await run_widget(ctx, model, item, params)

    Operation(
        f"sales_widget_{name.replace('-', '_')}",
        MODULE,
        handler,
        input=SalesWidgetInput,
        kind="query",
        features=features,
        rest=(Rest("GET", f"/sales/dashboard/widgets/{name}"),),
        description=f"Dashboard widget {name}: the latest documents of a date period in the caller's scope.",
    )
    register_widget(
        WidgetSpec(
            id=f"sales.dashboard.{name}",
            title=title,
            module_id=MODULE,
            features=features,
            icon=icon,
            default_settings={"limit": 5, "datePeriod": "last24h"},
            loader_key=f"/api/sales/dashboard/widgets/{name}",
        )
    )


for _name, (_model, _item, _title, _icon) in WIDGETS.items():
    _declare(_name, _model, _item, _title, _icon)
