"""Shared pieces of the workflows module: the ``{data, pagination}`` offset page, the action-log and
domain-event record of each write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from resolvers.entity import Entity, serialize
from resolvers.events import record_command
from resolvers.operations import reloaded
from resolvers.scope import entity_conditions
from resolvers.validation import text

MAX_LIMIT = 100


class WorkflowOffsetQuery(BaseModel):
    """``limit`` (1..100, 50 by default) and ``offset`` of a ``{data, pagination}`` list."""

    model_config = ConfigDict(extra="ignore")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


class WorkflowItemRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


def reply_as(entity: Entity, key: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """GraphQL answers a command with the typed row (with its edges) its REST ``data`` names."""
    return {"output": entity, "graphql_result": reloaded(entity, key or (lambda r: r["data"]["id"]))}


async def offset_page(
    ctx: RequestContext,
    entity: Entity,
    conditions: list[Any],
    query: WorkflowOffsetQuery,
    *,
    order: list[Any],
    render: Callable[[Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One page of ``entity`` rows in the caller's scope matching ``conditions``."""
    base = select(entity.model).where(*await entity_conditions(ctx, entity), *conditions)
    async with ctx.read_session() as session:
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        rows = list(
            (await session.execute(base.order_by(*order).limit(query.limit).offset(query.offset))).scalars()
        )
    show = render or (lambda row: serialize(entity, row))
    return {
        "data": [show(row) for row in rows],
        "pagination": {
            "total": total or 0,
            "limit": query.limit,
            "offset": query.offset,
            "hasMore": query.offset + len(rows) < (total or 0),
        },
    }


def record(
    ctx: RequestContext,
    uow: UnitOfWork,
    entity: Entity,
    verb: str,
    obj: Any,
    before: dict[str, Any] | None,
    *,
    event: str | None = None,
    deleted: bool = False,
    payload: dict[str, Any] | None = None,
) -> None:
    """The outbox event and action-log entry of one write of ``obj``."""
    record_command(
        ctx,
        uow,
        module=entity.module,
        entity=entity.name.removeprefix("workflow_"),
        verb=verb,
        event=event,
        resource_id=obj.id,
        tenant_id=obj.tenant_id,
        organization_id=obj.organization_id,
        before=before,
        after=None if deleted else serialize(entity, obj),
        payload=payload,
    )
