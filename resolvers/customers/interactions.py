"""Interactions (calls, meetings, tasks...) with complete/cancel commands, a cursor-paginated list,
and upkeep of the customer's ``next_interaction_*`` projection after every change."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Select, and_, func, literal, or_, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest, ValidationFailed, issue
from models.customers import CustomerEntity, Deal, Interaction
from resolvers.crud import guarded, service
from resolvers.customers.common import bounded_int, camel_dict, parse_datetime, record_command, user_labels
from resolvers.customers.timeline import bound_to_customer, customer_relations
from resolvers.entity import Entity, Features, Field, Filter, Hooks, eq, serialize
from resolvers.operations import Rest, operation
from resolvers.scope import load_in_scope, org_scope, parse_uuid, scope_conditions
from resolvers.statemachine import machine

FEATURES = Features.view_manage("customers.interactions.view", "customers.interactions.manage")
TERMINAL = ("done", "canceled")

READONLY = {"create": False, "update": False}
ITEM_ATTRS = (
    "id",
    "entity_id",
    "deal_id",
    "interaction_type",
    "title",
    "body",
    "status",
    "scheduled_at",
    "occurred_at",
    "priority",
    "author_user_id",
    "owner_user_id",
    "appearance_icon",
    "appearance_color",
    "source",
    "organization_id",
    "tenant_id",
    "created_at",
    "updated_at",
    "custom_values",
)


async def manual_next_interaction(uow: UnitOfWork, entity_id: uuid.UUID) -> datetime | None:
    """When the customer's next interaction was set by hand (``nextInteraction`` on the customer,
    not pointing at an interaction), its time; else None."""
    row = (
        await uow.session.execute(
            select(CustomerEntity.next_interaction_at, CustomerEntity.next_interaction_ref_id).where(
                CustomerEntity.id == entity_id
            )
        )
    ).first()
    if row is None or row.next_interaction_at is None:
        return None
    ref = parse_uuid(row.next_interaction_ref_id)
    from_interaction = ref is not None and (
        await uow.session.scalar(select(Interaction.id).where(Interaction.id == ref)) is not None
    )
    return None if from_interaction else row.next_interaction_at


async def refresh_next_interaction(uow: UnitOfWork, entity_id: uuid.UUID | None) -> None:
    """Project the customer's earliest open scheduled interaction onto its ``next_interaction_*`` columns.

    Open = not done/canceled and not deleted; ties break on priority (high first), creation, id.
    A next interaction set by hand stays until the user changes it or an earlier one is scheduled.
    """
    if entity_id is None:
        return
    candidate = await uow.session.scalar(
        select(Interaction)
        .where(
            Interaction.entity_id == entity_id,
            Interaction.deleted_at.is_(None),
            Interaction.scheduled_at.is_not(None),
            Interaction.status.not_in(TERMINAL),
        )
        .order_by(
            Interaction.scheduled_at,
            Interaction.priority.desc().nulls_last(),
            Interaction.created_at,
            Interaction.id,
        )
        .limit(1)
    )
    manual = await manual_next_interaction(uow, entity_id)
    if manual is not None and (candidate is None or candidate.scheduled_at >= manual):
        return
    values: dict[str, Any] = dict.fromkeys(
        (
            "next_interaction_at",
            "next_interaction_name",
            "next_interaction_ref_id",
            "next_interaction_icon",
            "next_interaction_color",
        )
    )
    if candidate is not None:
        values = {
            "next_interaction_at": candidate.scheduled_at,
            "next_interaction_name": (candidate.title or "").strip() or candidate.interaction_type,
            "next_interaction_ref_id": str(candidate.id),
            "next_interaction_icon": candidate.appearance_icon,
            "next_interaction_color": candidate.appearance_color,
        }
    await uow.session.execute(update(CustomerEntity).where(CustomerEntity.id == entity_id).values(**values))


STATUS = machine(
    "customers.interaction.status",
    "status",
    "planned",
    planned=("in_progress", "done", "canceled"),
    in_progress=("planned", "done", "canceled"),
    done=("planned",),  # reopened; a done interaction cannot be canceled
    canceled=("planned",),  # reopened; a canceled interaction cannot be completed
)


def _check_status(data: dict[str, Any], current: str | None = None) -> None:
    if data.get("status") is not None:
        STATUS.check(current, data["status"])


_bind = bound_to_customer(with_deal=True, author_attr="author_user_id")


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["status"] = data.get("status") or STATUS.initial
    _check_status(data)
    await _bind.before_create(ctx, uow, data)


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, obj: Interaction, data: dict[str, Any]
) -> None:
    if "status" in data and data["status"] is None:
        data.pop("status")
    _check_status(data, obj.status)
    data["_previous_entity"] = obj.entity_id
    await _bind.before_update(ctx, uow, obj, data)


async def _after_write(ctx: RequestContext, uow: UnitOfWork, obj: Interaction, data: dict[str, Any]) -> None:
    await uow.session.flush()
    await refresh_next_interaction(uow, obj.entity_id)
    if data.get("_previous_entity") not in (None, obj.entity_id):
        await refresh_next_interaction(uow, data["_previous_entity"])


async def _before_delete(ctx: RequestContext, uow: UnitOfWork, obj: Interaction) -> None:
    obj.deleted_at = func.now()
    await uow.session.flush()
    await refresh_next_interaction(uow, obj.entity_id)


INTERACTION = Entity(
    name="interaction",
    module="customers",
    model=Interaction,
    path="/customers/interactions",
    graphql_name="Interaction",
    plural="interactions",
    features=FEATURES,
    fields=[
        Field("entity_id", uuid.UUID, required=True),
        Field("deal_id", uuid.UUID),
        Field("interaction_type", str, required=True, sort=True, max_length=100),
        Field("title", str, sort=True, search=True, max_length=300),
        Field("body", str, search=True, max_length=20000),
        Field("status", str, sort=True, max_length=30),
        Field("scheduled_at", datetime, sort=True),
        Field("occurred_at", datetime, sort=True),
        Field("priority", int, sort=True),
        Field("author_user_id", uuid.UUID),
        Field("owner_user_id", uuid.UUID),
        Field("appearance_icon", str, max_length=64),
        Field("appearance_color", str, max_length=32),
        Field("source", str, update=False, max_length=120),
        Field("custom_values", dict),
        Field("procurement_process_id", uuid.UUID),
        Field("procurement_process_task_id", uuid.UUID),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("entityId", Interaction.entity_id, uuid.UUID),
        eq("dealId", Interaction.deal_id, uuid.UUID),
        eq("status", Interaction.status),
        eq("interactionType", Interaction.interaction_type),
        Filter("excludeInteractionType", str, lambda q, v: q.where(Interaction.interaction_type != v)),
    ],
    relations=customer_relations(),
    default_sort="scheduled_at",
    hooks=guarded(
        Interaction,
        Hooks(
            before_create=_before_create,
            before_update=_before_update,
            after_create=_after_write,
            after_update=_after_write,
            before_delete=_before_delete,
        ),
    ),
    description="A planned or logged contact with a customer; open scheduled ones set its next interaction.",
)


# --- complete / cancel ---------------------------------------------------------------------


class StatusCommand(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    id: uuid.UUID
    occurred_at: datetime | None = PydanticField(default=None, alias="occurredAt")


async def _set_status(ctx: RequestContext, data: StatusCommand, status: str, verb: str) -> dict[str, Any]:
    async with ctx.unit_of_work() as uow:
        interaction = await load_in_scope(ctx, uow.session, Interaction, data.id, "Interaction", lock=True)
        before = serialize(INTERACTION, interaction)
        STATUS.check(interaction.status, status)
        interaction.status = status
        if status == "done":
            occurred = data.occurred_at or datetime.now(UTC)
            interaction.occurred_at = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
        await uow.session.flush()
        await refresh_next_interaction(uow, interaction.entity_id)
        await uow.session.refresh(interaction)
        record_command(
            ctx,
            uow,
            entity="interaction",
            verb=verb,
            resource_id=interaction.id,
            tenant_id=interaction.tenant_id,
            organization_id=interaction.organization_id,
            before=before,
            after=serialize(INTERACTION, interaction),
            payload={"entityId": str(interaction.entity_id), "status": status},
        )
    return {"ok": True}


async def _reloaded(ctx: RequestContext, data: StatusCommand, _result: Any) -> Any:
    """GraphQL answers with the interaction as it now is."""
    return await service(INTERACTION).get(ctx, data.id)


STATUS_OPERATION = {
    "module": "customers",
    "input": StatusCommand,
    "output": INTERACTION,
    "features": tuple(FEATURES.update),
    "graphql_result": _reloaded,
}


@operation("complete_interaction", rest=Rest("POST", "/customers/interactions/complete"), **STATUS_OPERATION)
async def complete_interaction(ctx: RequestContext, data: StatusCommand) -> dict[str, Any]:
    """Mark an interaction done; ``occurredAt`` defaults to now."""
    return await _set_status(ctx, data, "done", "completed")


@operation("cancel_interaction", rest=Rest("POST", "/customers/interactions/cancel"), **STATUS_OPERATION)
async def cancel_interaction(ctx: RequestContext, data: StatusCommand) -> dict[str, Any]:
    """Mark an interaction canceled."""
    return await _set_status(ctx, data, "canceled", "canceled")


# --- list (cursor pagination) --------------------------------------------------------------

SORTS: dict[str, tuple[Any, str]] = {
    "scheduledAt": (Interaction.scheduled_at, "asc"),
    "occurredAt": (Interaction.occurred_at, "desc"),
    "createdAt": (Interaction.created_at, "desc"),
    "updatedAt": (Interaction.updated_at, "desc"),
    "status": (Interaction.status, "asc"),
    "priority": (Interaction.priority, "desc"),
    "interactionType": (Interaction.interaction_type, "asc"),
    "title": (Interaction.title, "asc"),
}
SENTINELS = {
    "date": (datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)),
    "number": (2**31 - 1, -(2**31)),
    "text": ("~~~~~~~~~~", ""),
}


def _kind(column: Any) -> str:
    python_type = column.type.python_type
    return "date" if python_type is datetime else "number" if python_type is int else "text"


def _sort_key(column: Any, direction: str) -> Any:
    """``coalesce(column, sentinel)`` so NULLs sort last and cursors compare plain values."""
    kind = _kind(column)
    high, low = SENTINELS[kind]
    return func.coalesce(column, literal(high if direction == "asc" else low, type_=column.type))


def _encode_cursor(value: Any, ident: uuid.UUID) -> str:
    raw = json.dumps(
        {"id": str(ident), "sortValue": value.isoformat() if isinstance(value, datetime) else value}
    )
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(token: str, column: Any) -> tuple[Any, uuid.UUID]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
        ident = uuid.UUID(payload["id"])
        value = payload["sortValue"]
        if _kind(column) == "date":
            value = parse_datetime(value, "cursor")
        return value, ident
    except (ValueError, KeyError, TypeError, binascii.Error, ValidationFailed):
        raise BadRequest("Invalid cursor") from None


def _query_filters(query: Select, params: Any) -> Select:
    for name, flt in (("entityId", INTERACTION.filter("entityId")), ("dealId", INTERACTION.filter("dealId"))):
        if params.get(name):
            ident = parse_uuid(params[name])
            if ident is None:
                raise ValidationFailed(
                    [issue(name, "Invalid id", "invalid_string")], "Invalid query parameters"
                )
            query = flt.apply(query, ident)
    for name in ("status", "interactionType", "excludeInteractionType"):
        if params.get(name):
            query = INTERACTION.filter(name).apply(query, params[name])
    if params.get("type"):
        query = query.where(
            Interaction.interaction_type.in_([t.strip() for t in params["type"].split(",") if t])
        )
    if params.get("search"):
        term = "%" + params["search"].strip() + "%"
        query = query.where(or_(Interaction.title.ilike(term), Interaction.body.ilike(term)))
    moment = func.coalesce(Interaction.occurred_at, Interaction.scheduled_at, Interaction.created_at)
    if params.get("from"):
        query = query.where(moment >= parse_datetime(params["from"], "from"))
    if params.get("to"):
        query = query.where(moment <= parse_datetime(params["to"], "to"))
    if params.get("ids"):
        ids = [parse_uuid(p) for p in params["ids"].split(",")]
        query = query.where(Interaction.id.in_([i for i in ids if i][:200]))
    return query


async def list_interactions(ctx: RequestContext, params: Any) -> dict[str, Any]:
    """``{items, nextCursor}``: ``limit`` (1..100, default 25) rows after ``cursor`` in the chosen sort."""
    ctx.require_features(FEATURES.view)
    limit = bounded_int(params.get("limit") or params.get("pageSize"), 25, 1, 100, "limit")
    sort_field = params.get("sortField") or "scheduledAt"
    if sort_field not in SORTS:
        raise ValidationFailed([issue("sortField", f"One of {', '.join(SORTS)}", "invalid_enum_value")])
    column, default_dir = SORTS[sort_field]
    direction = (params.get("sortDir") or default_dir).lower()
    if direction not in ("asc", "desc"):
        raise ValidationFailed([issue("sortDir", "asc or desc", "invalid_enum_value")])
    key = _sort_key(column, direction)
    query = _query_filters(
        select(Interaction, key.label("sort_value")).where(
            *scope_conditions(Interaction, await org_scope(ctx))
        ),
        params,
    )
    if params.get("cursor"):
        value, ident = _decode_cursor(params["cursor"], column)
        after = key > value if direction == "asc" else key < value
        tie = Interaction.id > ident if direction == "asc" else Interaction.id < ident
        query = query.where(or_(after, and_(key == value, tie)))
    ordered = (key.asc(), Interaction.id.asc()) if direction == "asc" else (key.desc(), Interaction.id.desc())
    async with ctx.read_session() as session:
        rows = (await session.execute(query.order_by(*ordered).limit(limit + 1))).all()
    page, more = rows[:limit], len(rows) > limit
    items = await interaction_items(ctx, [row[0] for row in page])
    next_cursor = _encode_cursor(page[-1].sort_value, page[-1][0].id) if more else None
    return {"items": items, "nextCursor": next_cursor}


async def interaction_items(ctx: RequestContext, rows: list[Interaction]) -> list[dict[str, Any]]:
    """The documented item shape: camelCase columns plus author and deal title."""
    users = await user_labels(ctx, [r.author_user_id for r in rows])
    deal_ids = {r.deal_id for r in rows if r.deal_id}
    titles: dict[uuid.UUID, str] = {}
    if deal_ids:
        async with ctx.read_session() as session:
            titles = dict(
                (await session.execute(select(Deal.id, Deal.title).where(Deal.id.in_(deal_ids)))).all()
            )
    items = []
    for row in rows:
        item = camel_dict(row, ITEM_ATTRS)
        author = users.get(row.author_user_id, {})
        item.update(
            authorName=author.get("name"), authorEmail=author.get("email"), dealTitle=titles.get(row.deal_id)
        )
        items.append(item)
    return items
