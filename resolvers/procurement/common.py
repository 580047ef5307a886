"""Shared by the procurement resolvers: features, scoped lookups, user checks, audit helper."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.auth import User
from models.procurement import ProcurementProcess
from resolvers import events
from resolvers.entity import Features, camel
from resolvers.scope import load_in_scope, org_scope

MODULE = "procurement"
VIEW = "procurement.processes.view"
MANAGE = "procurement.processes.manage"
SETTINGS = "procurement.settings.manage"
# Documented: writes on a process's records need only a login; reads need the view feature.
CHILD_FEATURES = Features(view=[VIEW])
READONLY = {"create": False, "update": False}

record_command = partial(events.record_command, module=MODULE)
"""Outbox event ``procurement.<entity>.<verb>`` and action-log entry for a hand-written command."""


async def load_process(
    ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False
) -> ProcurementProcess:
    """A live process in the caller's scope, else 404."""
    return await load_in_scope(ctx, session, ProcurementProcess, ident, "Procurement process", lock=lock)


async def check_users(ctx: RequestContext, session: Any, data: dict[str, Any], *attrs: str) -> None:
    """Each user id given in ``data[attr]`` must be a live user of the caller's tenant (else 400)."""
    tenant_id = (await org_scope(ctx)).tenant_id
    for attr in attrs:
        value = data.get(attr)
        if value is None:
            continue
        found = await session.scalar(
            select(User.id).where(User.id == value, User.tenant_id == tenant_id, User.deleted_at.is_(None))
        )
        if found is None:
            raise ValidationFailed([issue(camel(attr), "User not found", "not_found")])


async def actor(ctx: RequestContext, session: Any) -> tuple[uuid.UUID | None, str | None]:
    """The calling user and a label for timeline rows (name, else e-mail)."""
    principal = ctx.require_auth()
    if principal.user_id is None:
        return None, principal.email
    row = (await session.execute(select(User.name, User.email).where(User.id == principal.user_id))).first()
    return principal.user_id, (row.name or row.email) if row else principal.email
