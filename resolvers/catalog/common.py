"""What the catalog's declarations share: features, timestamps, validation helpers and the check
that a referenced row is a live one the caller may see."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from resolvers.crud import service
from resolvers.entity import Entity, Field, Filter, serialize
from resolvers.events import record_command

MODULE = "catalog"
PRODUCTS_VIEW, PRODUCTS_MANAGE = "catalog.products.view", "catalog.products.manage"
CATEGORIES_VIEW, CATEGORIES_MANAGE = "catalog.categories.view", "catalog.categories.manage"
VARIANTS_MANAGE = "catalog.variants.manage"
PRICING_MANAGE = "catalog.pricing.manage"
SETTINGS_MANAGE = "catalog.settings.manage"
SERVICE_LINES_VIEW = "catalog.serviceLines.view"
CHANNELS_MANAGE = "sales.channels.manage"  # offers: a product on a sales channel
READONLY = {"create": False, "update": False}
CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def slugify(value: str, limit: int = 150) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    return slug[:limit] or "item"


def required_text(data: dict[str, Any], attr: str, path: str) -> None:
    """Strip a text value; an empty required one is a 400."""
    if attr in data and data[attr] is not None:
        data[attr] = data[attr].strip()
        if not data[attr]:
            raise fail(path, f"{path} is required", "too_small")


def code_value(data: dict[str, Any], attr: str = "code", path: str = "code") -> None:
    """Codes are lower-case letters, digits, ``_``, ``.`` and ``-``."""
    if data.get(attr) is not None:
        data[attr] = data[attr].strip().lower()
        if not CODE.match(data[attr]):
            raise fail(path, "Lower-case letters, digits, '_', '.' or '-'", "invalid_string")


def currency_value(data: dict[str, Any], attr: str, path: str) -> None:
    if data.get(attr) is not None:
        data[attr] = data[attr].strip().upper()
        if not CURRENCY.match(data[attr]):
            raise fail(path, "A three-letter ISO currency code (e.g. PLN, EUR)", "invalid_string")


def defaults(data: dict[str, Any], **values: Any) -> None:
    """Fill (or replace an explicit null of) attributes that have a default."""
    for attr, value in values.items():
        if data.get(attr) is None:
            data[attr] = value


def drop_nulls(data: dict[str, Any], *attrs: str) -> None:
    """Updates that send null for a non-nullable flag keep the stored value."""
    for attr in attrs:
        if attr in data and data[attr] is None:
            data.pop(attr)


async def referenced(ctx: RequestContext, uow: UnitOfWork, entity: Entity, ident: Any, path: str) -> Any:
    """The live row ``ident`` of ``entity`` in the caller's scope; any other id (unknown, deleted,
    another tenant's) is the same 400."""
    try:
        return await service(entity).fetch(ctx, uow.session, ident)
    except NotFound:
        raise fail(path, f"{entity.graphql_name} not found", "not_found") from None


async def unused(uow: UnitOfWork, model: Any, column: Any, ident: Any, message: str) -> None:
    """409 when live rows of ``model`` still reference ``ident`` through ``column``."""
    query = select(func.count()).select_from(model).where(column == ident)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    if await uow.session.scalar(query):
        raise Conflict(message)


async def unique(uow: UnitOfWork, model: Any, message: str, other_than: Any = None, **values: Any) -> None:
    """409 when a live row of ``model`` already has these values."""
    query = select(model.id).where(*(getattr(model, k) == v for k, v in values.items()))
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    if other_than is not None:
        query = query.where(model.id != other_than)
    if await uow.session.scalar(query.limit(1)) is not None:
        raise Conflict(message)


def status_filter(column: Any) -> Filter:
    """``status=active|inactive`` (anything else, e.g. ``all``: every row)."""

    def apply(query: Any, value: str) -> Any:
        lowered = value.strip().lower()
        if lowered in ("active", "inactive"):
            return query.where(column.is_(lowered == "active"))
        return query

    return Filter("status", str, apply, description="active, inactive or all")


async def secondary_writes(
    ctx: RequestContext, uow: UnitOfWork, entity: Entity, conditions: list[Any], change: Any
) -> list[Any]:
    """Apply ``change(row)`` to the live rows of ``entity`` matching ``conditions``, each recorded as
    a secondary step of the command in progress (its event, and undone with it); ``change`` may set
    ``deleted_at`` to delete. Returns the rows."""
    model = entity.model
    rows = list(
        (
            await uow.session.execute(
                select(model)
                .where(*conditions, model.deleted_at.is_(None))
                .order_by(model.id)
                .with_for_update()
            )
        ).scalars()
    )
    for row in rows:
        before = serialize(entity, row)
        change(row)
        await uow.session.flush()
        await uow.session.refresh(row)
        deleted = row.deleted_at is not None
        record_command(
            ctx,
            uow,
            module=entity.module,
            entity=entity.name,
            verb="delete" if deleted else "update",
            event="deleted" if deleted else "updated",
            resource_id=row.id,
            tenant_id=row.tenant_id,
            organization_id=row.organization_id,
            before=before,
            after=None if deleted else serialize(entity, row),
            secondary=True,
        )
    return rows


def soft_delete(row: Any) -> None:
    row.deleted_at = func.now()
