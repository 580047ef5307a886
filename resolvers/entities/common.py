"""What the entities module shares: entity ids, the entities that hold custom values, the caller's
scope for definitions (tenant-wide rows overridden per organization) and cached lookups."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import or_, select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.entities import CustomEntity, CustomFieldDefinition, EncryptionMap
from resolvers.entities.kinds import FieldSpec
from resolvers.entity import ENTITIES, Entity
from resolvers.scope import org_scope, parse_uuid, tenant_tree

MODULE = "entities"
DEFINITIONS_VIEW = "entities.definitions.view"
DEFINITIONS_MANAGE = "entities.definitions.manage"
RECORDS_VIEW = "entities.records.view"
RECORDS_MANAGE = "entities.records.manage"

ENTITY_ID = re.compile(r"^[a-z0-9_]+:[a-z0-9_]+$")
FIELD_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Keys a record item already uses (record items carry their values as top-level keys).
RESERVED_KEYS = frozenset(
    {"id", "entityId", "recordId", "organizationId", "tenantId", "createdAt", "updatedAt", "deletedAt"}
)
RECORD_ENTITY = "entity_record"  # the declared entity whose rows are custom entity records

Row = TypeVar("Row")


def entity_key(entity: Entity) -> str:
    """The id of a declared entity in definitions (``<module>:<name>``, e.g. ``customers:person``)."""
    return f"{entity.module}:{entity.name}"


def code_entities() -> dict[str, Entity]:
    """Declared entities whose rows hold custom values, by entity id."""
    return {
        entity_key(e): e
        for e in ENTITIES.values()
        if e.custom_fields and e.name != RECORD_ENTITY and e.scope != "global"
    }


def code_entity(entity_id: str) -> Entity | None:
    """The declared entity with this id (``customers:person``), custom fields or not."""
    module, _, name = entity_id.partition(":")
    found = ENTITIES.get(name)
    return found if found is not None and found.module == module else None


def checked_entity_id(raw: Any, path: str = "entityId") -> str:
    value = str(raw or "").strip()
    if not ENTITY_ID.match(value) or len(value) > 200:
        raise ValidationFailed(
            [issue(path, "An entity id like module:entity (a-z, 0-9, _)", "invalid_string")]
        )
    return value


async def context_org(ctx: RequestContext) -> uuid.UUID | None:
    """The organization a caller works in (its selection, else its own)."""
    scope = await org_scope(ctx)
    return scope.selected_org_id or ctx.require_auth().org_id


async def target_org(ctx: RequestContext, requested: Any) -> uuid.UUID | None:
    """The organization a definition-level write applies to: ``None`` (the whole tenant) unless an
    ``organizationId`` of the tenant in the caller's scope is named (400 otherwise)."""
    if requested in (None, ""):
        return None
    org_id = parse_uuid(requested)
    scope = await org_scope(ctx)
    if (
        org_id is None
        or org_id not in await tenant_tree(ctx, scope.tenant_id)
        or not scope.allows_org(org_id)
    ):
        raise ValidationFailed([issue("organizationId", "Organization not found", "not_found")])
    return org_id


def same_scope(model: Any, tenant_id: Any, org_id: uuid.UUID | None) -> list[Any]:
    """Conditions selecting the row of exactly this tenant and organization (or none)."""
    org = model.organization_id.is_(None) if org_id is None else model.organization_id == org_id
    return [model.tenant_id == tenant_id, org]


def visible(model: Any, tenant_id: Any, org_id: uuid.UUID | None) -> list[Any]:
    """Rows of the tenant that apply to ``org_id``: tenant-wide ones and that organization's."""
    orgs = model.organization_id.is_(None)
    if org_id is not None:
        orgs = or_(orgs, model.organization_id == org_id)
    return [model.tenant_id == tenant_id, orgs]


def effective(rows: Iterable[Row], key: Any) -> dict[Any, Row]:
    """One row per ``key(row)``: an organization's row overrides the tenant-wide one."""
    chosen: dict[Any, Row] = {}
    for row in rows:
        current = chosen.get(key(row))
        if current is None or (row.organization_id is not None and current.organization_id is None):
            chosen[key(row)] = row
    return chosen


async def definition_rows(ctx: RequestContext, entity_id: str, org_id: uuid.UUID | None) -> dict[str, Any]:
    """The winning definition row per key for ``entity_id`` in ``org_id`` (tombstones included)."""
    cache_key = f"entities:defs:{entity_id}:{org_id}"
    if cache_key not in ctx.cache:
        query = select(CustomFieldDefinition).where(
            CustomFieldDefinition.entity_id == entity_id,
            *visible(CustomFieldDefinition, ctx.tenant_id(), org_id),
        )
        async with ctx.read_session() as session:
            rows = list((await session.execute(query)).scalars())
        ctx.cache[cache_key] = effective(rows, lambda d: d.key)
    return ctx.cache[cache_key]


async def field_specs(ctx: RequestContext, entity_id: str, org_id: uuid.UUID | None) -> dict[str, FieldSpec]:
    """The active definitions of ``entity_id`` that apply in ``org_id``, by key."""
    rows = await definition_rows(ctx, entity_id, org_id)
    return {
        key: FieldSpec.of(row.key, row.kind, row.config)
        for key, row in rows.items()
        if row.is_active and row.deleted_at is None
    }


async def encrypted_fields(
    ctx: RequestContext, entity_id: str, org_id: uuid.UUID | None
) -> dict[str, str | None]:
    """``{field: hash field or None}`` of the encryption map that applies (empty when none)."""
    cache_key = f"entities:enc:{entity_id}:{org_id}"
    if cache_key not in ctx.cache:
        query = select(EncryptionMap).where(
            EncryptionMap.entity_id == entity_id, *visible(EncryptionMap, ctx.tenant_id(), org_id)
        )
        async with ctx.read_session() as session:
            rows = list((await session.execute(query)).scalars())
        chosen = effective(rows, lambda m: m.entity_id).get(entity_id)
        fields = chosen.fields if chosen is not None and chosen.is_active else []
        ctx.cache[cache_key] = {f["field"]: f.get("hashField") for f in fields if isinstance(f, dict)}
    return ctx.cache[cache_key]


async def custom_entity(
    ctx: RequestContext, entity_id: str, org_id: uuid.UUID | None, *, active: bool = True
) -> CustomEntity | None:
    """The custom entity ``entity_id`` that applies in ``org_id`` (active ones unless told)."""
    query = select(CustomEntity).where(
        CustomEntity.entity_id == entity_id, *visible(CustomEntity, ctx.tenant_id(), org_id)
    )
    async with ctx.read_session() as session:
        rows = list((await session.execute(query)).scalars())
    chosen = effective(rows, lambda e: e.entity_id).get(entity_id)
    if chosen is None or (active and (not chosen.is_active or chosen.deleted_at is not None)):
        return None
    return chosen


def forget_cached(ctx: RequestContext) -> None:
    """Drop this request's cached definitions and maps (after a definition-level write)."""
    for key in [k for k in ctx.cache if k.startswith("entities:")]:
        del ctx.cache[key]


async def known_entity(ctx: RequestContext, entity_id: str, org_id: uuid.UUID | None) -> str:
    """``code`` or ``custom`` for an entity that may have custom fields here; else a 400."""
    if entity_id in code_entities():
        return "code"
    if await custom_entity(ctx, entity_id, org_id) is not None:
        return "custom"
    raise ValidationFailed([issue("entityId", "Unknown entity", "not_found")])
