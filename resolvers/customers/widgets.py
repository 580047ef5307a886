"""Dashboard widgets: each is a declaration (features, query, item shape) run by one helper."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select

from crmgraph.context import RequestContext
from crmgraph.errors import Forbidden, ValidationFailed, issue
from models.customers import CustomerEntity, Deal, Todo
from resolvers.customers.common import bounded_int, camel_dict, flag, live_in_scope
from resolvers.entity import to_jsonable
from resolvers.scope import org_scope, parse_uuid

CUSTOMER_KINDS = ("person", "company")


@dataclass
class WidgetQuery:
    """What a widget's query builder gets: the moment of the request and the raw query string."""

    now: datetime
    params: Mapping[str, str]


@dataclass
class Widget:
    feature: str
    model: type
    query: Callable[[WidgetQuery], Select]
    item: Callable[[Any], dict[str, Any]]
    with_now: bool = False
    features: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.features = ["dashboards.view", self.feature]


def _new_customers(q: WidgetQuery) -> Select:
    query = select(CustomerEntity).order_by(CustomerEntity.created_at.desc(), CustomerEntity.id)
    kind = q.params.get("kind")
    if kind:
        if kind not in CUSTOMER_KINDS:
            raise ValidationFailed(
                [issue("kind", "person or company", "invalid_enum_value")], "Invalid query parameters"
            )
        query = query.where(CustomerEntity.kind == kind)
    return query


def _next_interactions(q: WidgetQuery) -> Select:
    due = CustomerEntity.next_interaction_at
    window = due.is_not(None) if flag(q.params.get("includePast")) else due >= q.now
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
        with_now=True,
    ),
    "customer-todos": Widget("customers.widgets.todos", Todo, _customer_todos, _todo_item),
}


async def _widget_scope(ctx: RequestContext, params: Mapping[str, str], model: type, query: Select) -> Select:
    """Caller's scope, optionally narrowed by ``tenantId``/``organizationId`` (which must be in scope)."""
    scope = await org_scope(ctx)
    requested_tenant = params.get("tenantId")
    if requested_tenant and parse_uuid(requested_tenant) != scope.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    query = live_in_scope(model, query, scope)
    requested_org = params.get("organizationId")
    if requested_org:
        org_id = parse_uuid(requested_org)
        if org_id is None:
            raise ValidationFailed(
                [issue("organizationId", "Invalid id", "invalid_string")], "Invalid query parameters"
            )
        if not scope.allows_org(org_id):
            raise Forbidden(message="Organization outside your scope")
        query = query.where(model.organization_id == org_id)
    return query


async def run_widget(ctx: RequestContext, name: str, params: Mapping[str, str]) -> dict[str, Any]:
    """``{items}`` (and ``now`` where documented): the latest ``limit`` (1..20, default 5) rows."""
    widget = WIDGETS[name]
    ctx.require_features(widget.features)
    limit = bounded_int(params.get("limit"), 5, 1, 20, "limit")
    now = datetime.now(UTC)
    query = await _widget_scope(ctx, params, widget.model, widget.query(WidgetQuery(now, params)))
    async with ctx.read_session() as session:
        rows = (await session.execute(query.limit(limit))).all()
    body: dict[str, Any] = {"items": [widget.item(row) for row in rows]}
    if widget.with_now:
        body["now"] = now.isoformat()
    return body
