"""Helpers of the cases module: scoped loads, reference checks, timeline entries, audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.auth import User
from models.cases import Case, CaseTimelineEntry
from resolvers import events
from resolvers.scope import load_in_scope

record_command = partial(events.record_command, module="cases")
"""Outbox event ``cases.<entity>.<verb>`` and action-log entry for a hand-written command."""


async def load_case(ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False) -> Case:
    """A live case in the caller's scope, else 404 (also another tenant's)."""
    return await load_in_scope(ctx, session, Case, ident, "Case", lock=lock)


async def check_user(ctx: RequestContext, session: Any, user_id: uuid.UUID | None, field: str) -> None:
    """``user_id`` must be a live user of the caller's tenant (400 otherwise, whatever the reason)."""
    if user_id is None:
        return
    found = await session.scalar(
        select(User.id).where(
            User.id == user_id, User.tenant_id == ctx.tenant_id(), User.deleted_at.is_(None)
        )
    )
    if found is None:
        raise ValidationFailed([issue(field, "User not found", "not_found")])


def add_entry(
    ctx: RequestContext,
    uow: UnitOfWork,
    case: Case,
    kind: str,
    body: str | None = None,
    data: dict[str, Any] | None = None,
    direction: str | None = None,
) -> CaseTimelineEntry:
    """A timeline entry on ``case`` by the caller, added to the unit of work."""
    entry = CaseTimelineEntry(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind,
        body=body,
        data=data,
        direction=direction,
        author_user_id=ctx.require_auth().user_id,
        tenant_id=case.tenant_id,
        organization_id=case.organization_id,
        created_at=datetime.now(UTC),  # entries of one transaction keep their order
    )
    uow.session.add(entry)
    return entry
