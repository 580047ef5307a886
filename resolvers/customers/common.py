"""Helpers shared by the customers resolvers: scoped lookups, audit of hand-written commands,
camelCase projections and the small value parsers the write paths share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Select, inspect, select
from sqlalchemy.exc import IntegrityError

from crmgraph.context import OrgScope, RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.auth import User
from models.customers import CustomerEntity, Deal
from resolvers import events
from resolvers.entity import Hooks, camel, to_jsonable
from resolvers.scope import org_scope, parse_uuid

MODULE = "customers"
T = TypeVar("T")


def live_in_scope(model: Any, query: Select, scope: OrgScope) -> Select:
    """Restrict ``query`` to live rows of ``model`` in the caller's tenant and organizations."""
    query = query.where(model.tenant_id == scope.tenant_id)
    if scope.org_ids is not None:
        query = query.where(model.organization_id.in_(scope.org_ids))
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return query


async def load_in_scope(
    ctx: RequestContext, session: Any, model: type[T], ident: Any, what: str, *, lock: bool = False
) -> T:
    """One live row of ``model`` visible to the caller, else 404 (also for other tenants' ids)."""
    parsed = parse_uuid(ident)
    if parsed is None:
        raise NotFound(f"{what} not found")
    query = live_in_scope(model, select(model).where(model.id == parsed), await org_scope(ctx))
    if lock:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{what} not found")
    return found


async def load_customer(ctx: RequestContext, session: Any, ident: Any) -> CustomerEntity:
    """A person or company in scope."""
    return await load_in_scope(ctx, session, CustomerEntity, ident, "Customer")


async def load_deal(ctx: RequestContext, session: Any, ident: Any) -> Deal:
    return await load_in_scope(ctx, session, Deal, ident, "Deal")


async def ids_in_scope(
    ctx: RequestContext, session: Any, model: Any, raw_ids: Iterable[Any], what: str
) -> list[uuid.UUID]:
    """Parse and check a list of ids (every one must be a live row in scope), keeping order, deduplicated."""
    ids: list[uuid.UUID] = []
    for raw in raw_ids:
        parsed = parse_uuid(raw)
        if parsed is None:
            raise ValidationFailed([issue(what, f"Invalid id: {raw}", "invalid_string")])
        if parsed not in ids:
            ids.append(parsed)
    if not ids:
        return []
    query = live_in_scope(model, select(model.id).where(model.id.in_(ids)), await org_scope(ctx))
    found = set((await session.execute(query)).scalars())
    if len(found) != len(ids):
        raise NotFound(f"{what} not found")
    return ids


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


async def flush_or_conflict(uow: UnitOfWork, message: str = "Conflict") -> None:
    """Flush; a unique violation (e.g. a concurrent duplicate) is a 409, never a 500."""
    try:
        await uow.session.flush()
    except IntegrityError:
        raise Conflict(message) from None  # never the constraint name or the row (crmgraph.dberrors)


def guarded(model: Any, hooks: Hooks) -> Hooks:
    """``hooks`` plus a check, after them, that no NOT NULL column is being set to null (a 400,
    not a database error)."""
    not_null = {attr.key for attr in inspect(model).column_attrs if not any(c.nullable for c in attr.columns)}

    def check(data: dict[str, Any]) -> None:
        nulls = sorted(key for key in not_null if key in data and data[key] is None)
        if nulls:
            raise ValidationFailed([issue(camel(key), "Must not be null", "invalid_type") for key in nulls])

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        if hooks.before_create:
            await hooks.before_create(ctx, uow, data)
        check(data)

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        if hooks.before_update:
            await hooks.before_update(ctx, uow, obj, data)
        check(data)

    return replace(hooks, before_create=before_create, before_update=before_update)
