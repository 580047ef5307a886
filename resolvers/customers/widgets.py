"""Dashboard widgets: each is a declaration (features, query, item shape) run by one helper."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Select, select

from crmgraph.context import RequestContext
from crmgraph.errors import Forbidden
from crmgraph.timefmt import format_datetime
from models.customers import CustomerEntity, Deal, Todo
from resolvers.customers.common import camel_dict
from resolvers.entity import to_jsonable
from resolvers.operations import Operation, Rest
from resolvers.scope import org_scope, scope_conditions


class WidgetInput(BaseModel):
    """Query parameters every widget takes: how many rows, and an optional narrower scope."""

    model_config = ConfigDict(extra="ignore")
    limit: int = PydanticField(5, ge=1, le=20)
    tenantId: uuid.UUID | None = None
    organizationId: uuid.UUID | None = None


class NewCustomersInput(WidgetInput):
    kind: Literal["person", "company"] | None = None


class NextInteractionsInput(WidgetInput):
    includePast: bool = False


@dataclass
class WidgetQuery:
    """What a widget's query builder gets: the moment of the request and the validated parameters."""

    now: datetime
    params: Any


@dataclass
class Widget:
    feature: str
    model: type
    query: Callable[[WidgetQuery], Select]
    item: Callable[[Any], dict[str, Any]]
    params: type[WidgetInput] = WidgetInput
    with_now: bool = False
    features: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.features = ["dashboards.view", self.feature]


def _new_customers(q: WidgetQuery) -> Select:
    query = select(CustomerEntity).order_by(CustomerEntity.created_at.desc(), CustomerEntity.id)
    if q.params.kind:
        query = query.where(CustomerEntity.kind == q.params.kind)
    return query


def _next_interactions(q: WidgetQuery) -> Select:
    due = CustomerEntity.next_interaction_at
    window = due.is_not(None) if q.params.includePast else due >= q.now
    return select(CustomerEntity).where(window).order_by(due.asc(), CustomerEntity.id)


def _customer_todos(q: WidgetQuery) -> Select:
    return (
        select(Todo, CustomerEntity.display_name, CustomerEntity.kind, CustomerEntity.owner_user_id)
        .join(CustomerEntity, CustomerEntity.id == Todo.entity_id)
        .where(CustomerEntity.deleted_at.is_(None))
        .order_by(Todo.created_at.desc(), Todo.id)
    )


def _todo_item(row: Any) -> dict[str, Any]:
    todo = row[0]
    return {
        "id": str(todo.id),
        "todoId": str(todo.todo_id),
        "todoSource": todo.todo_source,
        "todoTitle": todo.title,
        "createdAt": to_jsonable(todo.created_at),
        "organizationId": to_jsonable(todo.organization_id),
        "entity": {
            "id": str(todo.entity_id),
            "displayName": row.display_name,
            "kind": row.kind,
            "ownerUserId": to_jsonable(row.owner_user_id),
        },
    }


WIDGETS: dict[str, Widget] = {
    "new-customers": Widget(
        "customers.widgets.new-customers",
        CustomerEntity,
        _new_customers,
        lambda row: camel_dict(
            row[0], ("id", "display_name", "kind", "organization_id", "created_at", "owner_user_id")
        ),
        params=NewCustomersInput,
    ),
    "new-deals": Widget(
        "customers.widgets.new-deals",
        Deal,
        lambda q: select(Deal).order_by(Deal.created_at.desc(), Deal.id),
        lambda row: camel_dict(
            row[0],
            (
                "id",
                "title",
                "status",
                "organization_id",
                "created_at",
                "owner_user_id",
                "value_amount",
                "value_currency",
            ),
        ),
    ),
    "next-interactions": Widget(
        "customers.widgets.next-interactions",
        CustomerEntity,
        _next_interactions,
        lambda row: camel_dict(
            row[0],
            (
                "id",
                "display_name",
                "kind",
                "organization_id",
                "next_interaction_at",
                "next_interaction_name",
                "next_interaction_icon",
                "next_interaction_color",
                "owner_user_id",
            ),
        ),
        params=NextInteractionsInput,
        with_now=True,
    ),
    "customer-todos": Widget("customers.widgets.todos", Todo, _customer_todos, _todo_item),
}


async def _widget_scope(ctx: RequestContext, params: WidgetInput, model: type, query: Select) -> Select:
    """Caller's scope, optionally narrowed by ``tenantId``/``organizationId`` (which must be in scope)."""
    scope = await org_scope(ctx)
    if params.tenantId and params.tenantId != scope.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    query = query.where(*scope_conditions(model, scope))
    if params.organizationId:
        if not scope.allows_org(params.organizationId):
            raise Forbidden(message="Organization outside your scope")
        query = query.where(model.organization_id == params.organizationId)
    return query


async def run_widget(ctx: RequestContext, name: str, params: WidgetInput) -> dict[str, Any]:
    """``{items}`` (and ``now`` where documented): the latest ``limit`` (1..20, default 5) rows."""
    widget = WIDGETS[name]
    now = datetime.now(UTC)
    query = await _widget_scope(ctx, params, widget.model, widget.query(WidgetQuery(now, params)))
    async with ctx.read_session() as session:
        rows = (await session.execute(query.limit(params.limit))).all()
    body: dict[str, Any] = {"items": [widget.item(row) for row in rows]}
    if widget.with_now:
        body["now"] = format_datetime(now)
    return body


def _declare(name: str, widget: Widget) -> None:
    async def handler(ctx: RequestContext, params: WidgetInput) -> dict[str, Any]:
        return await run_widget(ctx, name, params)

    Operation(
        f"customers_widget_{name.replace('-', '_')}",
        "customers",
        handler,
        input=widget.params,
        kind="query",
        features=tuple(widget.features),
        rest=(Rest("GET", f"/customers/dashboard/widgets/{name}"),),
        description=f"Dashboard widget {name}: the latest rows in the caller's scope.",
    )


for _name, _widget in WIDGETS.items():
    _declare(_name, _widget)
