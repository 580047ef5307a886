"""Helpers shared by the customers resolvers: scoped lookups, audit of hand-written commands,
camelCase projections and the small value parsers the write paths share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.auth import User
from models.customers import CustomerEntity, Deal
from resolvers import events
from resolvers.entity import camel, to_jsonable
from resolvers.scope import load_in_scope

MODULE = "customers"
T = TypeVar("T")


async def load_customer(ctx: RequestContext, session: Any, ident: Any) -> CustomerEntity:
    """A person or company in scope."""
    return await load_in_scope(ctx, session, CustomerEntity, ident, "Customer")


async def load_deal(ctx: RequestContext, session: Any, ident: Any) -> Deal:
    return await load_in_scope(ctx, session, Deal, ident, "Deal")


def camel_dict(obj: Any, attrs: Iterable[str]) -> dict[str, Any]:
    """``{camelCaseAttr: json value}`` for the given attributes of a row."""
    return {camel(a): to_jsonable(getattr(obj, a)) for a in attrs}


async def user_labels(ctx: RequestContext, ids: Iterable[Any]) -> dict[uuid.UUID, dict[str, str | None]]:
    """Names and e-mails of users, for author columns (one query for the whole page)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    async with ctx.read_session() as session:
        rows = await session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: {"name": row.name, "email": row.email} for row in rows}


async def viewer(ctx: RequestContext) -> dict[str, Any]:
    """The ``viewer`` block of detail responses."""
    principal = ctx.require_auth()
    labels = await user_labels(ctx, [principal.user_id])
    label = labels.get(principal.user_id, {}) if principal.user_id else {}
    return {
        "userId": str(principal.user_id) if principal.user_id else None,
        "name": label.get("name"),
        "email": label.get("email") or principal.email,
    }


def parse_datetime(value: Any, field: str) -> datetime | None:
    """ISO-8601 (``Z`` allowed) to an aware datetime; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ValidationFailed([issue(field, "Invalid date", "invalid_date")]) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


record_command = partial(events.record_command, module=MODULE)
"""Outbox event ``customers.<entity>.<verb>`` and action-log entry for a hand-written command."""


def bounded_int(raw: str | None, default: int, low: int, high: int, field: str) -> int:
    """A query-string integer within ``[low, high]``; anything else is a 400."""
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(
            [issue(field, "Expected an integer", "invalid_type")], "Invalid query parameters"
        ) from None
    if not low <= value <= high:
        raise ValidationFailed(
            [issue(field, f"Must be between {low} and {high}", "out_of_range")], "Invalid query parameters"
        )
    return value


def flag(raw: Any) -> bool:
    return str(raw).strip().lower() in ("true", "1", "yes")
