"""Flags that at most one row of a group may carry (the base currency of an organization, the
default entry of a dictionary, a user's default view of a table).

Setting the flag on one row clears it on the others in the same unit of work, each cleared row
recorded as an update of its own (event and a ``secondary`` action-log step: the entry stays filed
under the command's own row), so the command is undone whole. The database backs the rule with a
partial unique index: the others are cleared (and flushed) before the row taking the flag is
written, and undo, which reverses steps last first, gives the flag back only after taking it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from resolvers.entity import Entity, serialize
from resolvers.events import record_command


async def take_flag(
    ctx: RequestContext, uow: UnitOfWork, entity: Entity, flag: str, group: list[Any], keep: Any = None
) -> list[Any]:
    """Clear ``flag`` on the live rows of ``entity`` matching ``group`` (WHERE conditions), except
    the row ``keep`` (an id); returns the rows cleared."""
    model = entity.model
    query = select(model).where(getattr(model, flag).is_(True), *group)
    if keep is not None:
        query = query.where(model.id != keep)
    if entity.soft_delete:
        query = query.where(model.deleted_at.is_(None))
    cleared = list((await uow.session.execute(query.with_for_update())).scalars())
    for row in cleared:
        before = serialize(entity, row)
        setattr(row, flag, False)
        await uow.session.flush()
        await uow.session.refresh(row)
        record_command(
            ctx,
            uow,
            module=entity.module,
            entity=entity.name,
            verb="update",
            event="updated",
            resource_id=row.id,
            tenant_id=getattr(row, "tenant_id", None),
            organization_id=getattr(row, "organization_id", None),
            before=before,
            after=serialize(entity, row),
            secondary=True,
        )
    return cleared
