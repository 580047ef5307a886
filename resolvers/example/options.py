"""Option lists of the todo form (assignees, organizations, tags) and the todo event probe.

- assignees: users the caller can see (``q`` matches name or e-mail);
- organizations: names of the tenant's organizations the caller can see (``ids`` narrows);
- tags: the declared label options merged with the labels used on the caller's todos;
- ``POST /example/assignees``: emit an ``example.todo.*`` event for clients to broadcast, with
  recipient filters that must name users, roles and organizations of the caller's tenant.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import case, func, literal_column, or_, select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.auth import Role, User
from models.example import ExampleTodo
from resolvers.auth.entities import USER
from resolvers.directory import visible_organizations
from resolvers.entity import search_clause
from resolvers.events import emit, record_action
from resolvers.example.todos import TODO
from resolvers.listing import parse_ids
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions, org_scope, tenant_tree
from resolvers.validation import SafeDict, text

MAX_OPTIONS = 50
LABEL_OPTIONS = ("bug", "feature", "parts", "customer-call", "warranty", "urgent")


class Option(BaseModel):
    model_config = ConfigDict(title="ExampleOption")
    value: str
    label: str


class OptionList(BaseModel):
    model_config = ConfigDict(title="ExampleOptionList")
    items: list[Option]


class AssigneeQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", title="ExampleAssigneeQuery")
    q: text(200) | None = None


@operation(
    "example_assignees",
    "example",
    input=AssigneeQuery,
    output=OptionList,
    kind="query",
    features=("example.todos.view",),
    rest=Rest("GET", "/example/assignees"),
)
async def assignees(ctx: RequestContext, data: AssigneeQuery) -> dict[str, Any]:
    """Users a todo may be assigned to (those the caller can see), by name; ``q`` filters."""
    query = select(User.id, User.name, User.email).where(*await entity_conditions(ctx, USER))
    if data.q and data.q.strip():
        query = query.where(search_clause([User.name, User.email], data.q.strip()))
    label = func.coalesce(func.nullif(User.name, ""), User.email)
    async with ctx.read_session() as session:
        rows = (await session.execute(query.order_by(label, User.id).limit(MAX_OPTIONS))).all()
    return {"items": [{"value": str(row.id), "label": row.name or row.email} for row in rows]}


class OrganizationQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", title="ExampleOrganizationQuery")
    ids: text(8000) | None = None


@operation(
    "example_organizations",
    "example",
    input=OrganizationQuery,
    output=OptionList,
    kind="query",
    features=("example.todos.view",),
    rest=Rest("GET", "/example/organizations"),
)
async def organizations(ctx: RequestContext, data: OrganizationQuery) -> dict[str, Any]:
    """Names of the tenant's organizations the caller can see; ``ids`` (comma-separated) narrows
    to those (ids of other tenants or out of scope are simply absent)."""
    wanted = parse_ids(data.ids)
    orgs = await visible_organizations(ctx, include_inactive=True)
    if wanted is not None:
        orgs = [o for o in orgs if o.id in set(wanted)]
    orgs.sort(key=lambda o: (o.name.lower(), str(o.id)))
    return {"items": [{"value": str(o.id), "label": o.name} for o in orgs]}


@operation(
    "example_tags",
    "example",
    output=OptionList,
    kind="query",
    features=("example.todos.view",),
    rest=Rest("GET", "/example/tags"),
)
async def tags(ctx: RequestContext) -> dict[str, Any]:
    """Label options: the declared ones and every label used on a todo the caller can see."""
    labels = ExampleTodo.custom_values["labels"]
    as_array = case((func.jsonb_typeof(labels) == "array", labels), else_=literal_column("'[]'::jsonb"))
    used = (
        select(func.jsonb_array_elements_text(as_array).label("value"))
        .where(*await entity_conditions(ctx, TODO))
        .distinct()
        .limit(500)
    )
    async with ctx.read_session() as session:
        found = set((await session.execute(used)).scalars())
    values = sorted(set(LABEL_OPTIONS) | found, key=str.lower)
    return {"items": [{"value": value, "label": value} for value in values]}


# --- the todo event probe ----------------------------------------------------------------------

TodoEvent = Literal["example.todo.created", "example.todo.updated", "example.todo.deleted"]


class BroadcastInput(BaseModel):
    model_config = ConfigDict(extra="ignore", title="ExampleBroadcastInput")
    eventId: TodoEvent = "example.todo.updated"
    payload: SafeDict = PydanticField(default_factory=dict, max_length=50)
    organizationId: uuid.UUID | None = None
    organizationIds: list[uuid.UUID] | None = PydanticField(None, max_length=100)
    recipientUserId: uuid.UUID | None = None
    recipientUserIds: list[uuid.UUID] | None = PydanticField(None, max_length=100)
    recipientRoleId: uuid.UUID | None = None
    recipientRoleIds: list[uuid.UUID] | None = PydanticField(None, max_length=100)


class Broadcast(BaseModel):
    model_config = ConfigDict(title="ExampleBroadcast")
    ok: bool
    eventId: str
    payload: dict[str, Any]


def _all(one: uuid.UUID | None, many: list[uuid.UUID] | None) -> list[uuid.UUID]:
    return list(dict.fromkeys([*([one] if one else []), *(many or [])]))


async def _check_targets(ctx: RequestContext, session: Any, data: BroadcastInput) -> None:
    """Every named organization, user and role must belong to the caller's tenant (and its scope)."""
    scope = await org_scope(ctx)
    tree = await tenant_tree(ctx, scope.tenant_id)
    details = []
    for org_id in _all(data.organizationId, data.organizationIds):
        if org_id not in tree or not scope.allows_org(org_id):
            details.append(issue("organizationIds", f"Unknown organization: {org_id}", "not_found"))
    users = _all(data.recipientUserId, data.recipientUserIds)
    if users:
        query = select(User.id).where(User.id.in_(users), *await entity_conditions(ctx, USER))
        found = set((await session.execute(query)).scalars())
        details += [
            issue("recipientUserIds", f"Unknown user: {u}", "not_found") for u in users if u not in found
        ]
    roles = _all(data.recipientRoleId, data.recipientRoleIds)
    if roles:
        query = select(Role.id).where(
            Role.id.in_(roles),
            Role.deleted_at.is_(None),
            or_(Role.tenant_id == scope.tenant_id, Role.tenant_id.is_(None)),
        )
        found = set((await session.execute(query)).scalars())
        details += [
            issue("recipientRoleIds", f"Unknown role: {r}", "not_found") for r in roles if r not in found
        ]
    if details:
        raise ValidationFailed(details)


@operation(
    "broadcast_example_todo_event",
    "example",
    input=BroadcastInput,
    output=Broadcast,
    features=("example.todos.manage",),
    rest=Rest("POST", "/example/assignees"),
)
async def broadcast(ctx: RequestContext, data: BroadcastInput) -> dict[str, Any]:
    """Emit an example todo event marked for client broadcast, optionally only to some users, roles
    or organizations (all of the caller's tenant)."""
    principal = ctx.require_auth()
    scope = await org_scope(ctx)
    async with ctx.unit_of_work() as uow:
        await _check_targets(ctx, uow.session, data)
        organization_id = data.organizationId or scope.selected_org_id or principal.org_id
        payload: dict[str, Any] = {
            **data.payload,
            "clientBroadcast": True,
            "tenantId": str(scope.tenant_id),
            "organizationId": str(organization_id) if organization_id else None,
        }
        filters = {
            "organizationIds": data.organizationIds,
            "recipientUserId": data.recipientUserId,
            "recipientUserIds": data.recipientUserIds,
            "recipientRoleId": data.recipientRoleId,
            "recipientRoleIds": data.recipientRoleIds,
        }
        for key, value in filters.items():
            if value:
                payload[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
        emit(ctx, uow, data.eventId, payload, scope.tenant_id, organization_id)
        record_action(
            ctx,
            uow,
            command_id="example.todo_event.broadcast",
            label="Broadcast todo event",
            resource_kind="example.todo_event",
            resource_id=None,
            before=None,
            after={"eventId": data.eventId, "payload": payload},
            tenant_id=scope.tenant_id,
            organization_id=organization_id,
        )
    return {"ok": True, "eventId": data.eventId, "payload": payload}
