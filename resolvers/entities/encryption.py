"""Encryption maps: which custom fields of an entity are stored encrypted (and which hash field keeps a
digest for equality filters). Saving a map re-stores the entity's existing values in its scope, so
every value of a listed field is sealed at rest (and values of a field taken off the map are opened)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import array

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Forbidden, ValidationFailed, issue
from models.entities import CustomEntityRecord, EncryptionMap
from resolvers.crud import flush_or_conflict
from resolvers.entities.common import (
    DEFINITIONS_MANAGE,
    FIELD_KEY,
    MODULE,
    checked_entity_id,
    code_entities,
    context_org,
    effective,
    forget_cached,
    known_entity,
    same_scope,
    target_org,
    visible,
)
from resolvers.entity import CUSTOM_PREFIX, custom_field_policy
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.validation import text

FieldKey = Annotated[str, PydanticField(min_length=1, max_length=103)]


class EncryptedField(BaseModel):
    model_config = ConfigDict(extra="ignore")
    field: FieldKey
    hashField: FieldKey | None = None


class EncryptionMapInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    tenantId: uuid.UUID | None = None
    organizationId: uuid.UUID | None = None
    fields: Annotated[list[EncryptedField], PydanticField(max_length=100)] = []
    isActive: bool | None = None


class EncryptionQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)


class EncryptedFieldOut(BaseModel):
    field: str
    hashField: str | None = None


class EncryptionMapOut(BaseModel):
    entityId: str
    tenantId: uuid.UUID | None = None
    organizationId: uuid.UUID | None = None
    fields: list[EncryptedFieldOut]
    isActive: bool


class Ok(BaseModel):
    ok: bool


def _key(raw: str, path: list[Any]) -> str:
    """A custom field key (``cf_<key>`` accepted)."""
    key = raw[len(CUSTOM_PREFIX) :] if raw.startswith(CUSTOM_PREFIX) else raw
    if not FIELD_KEY.match(key) or len(key) > 100:
        raise ValidationFailed([issue(path, "A custom field key (letters, digits, _)", "invalid_string")])
    return key


def normalized_fields(fields: list[EncryptedField]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    keys = [_key(f.field, ["fields", i, "field"]) for i, f in enumerate(fields)]
    hashes = [
        _key(f.hashField, ["fields", i, "hashField"]) if f.hashField else None for i, f in enumerate(fields)
    ]
    for i, (key, hash_field) in enumerate(zip(keys, hashes, strict=True)):
        if keys.count(key) > 1:
            raise ValidationFailed([issue(["fields", i, "field"], f"{key} is listed twice", "duplicate")])
        if hash_field and (hash_field in keys or hashes.count(hash_field) > 1):
            raise ValidationFailed(
                [
                    issue(
                        ["fields", i, "hashField"], "A hash field must be its own, unencrypted key", "invalid"
                    )
                ]
            )
        out.append({"field": key, "hashField": hash_field})
    return out


@operation(
    "entity_encryption_map",
    MODULE,
    input=EncryptionQuery,
    output=EncryptionMapOut,
    kind="query",
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("GET", "/entities/encryption"),
)
async def get_map(ctx: RequestContext, data: EncryptionQuery) -> dict[str, Any]:
    """The encryption map that applies in the caller's organization (its own, else the tenant's)."""
    entity_id = checked_entity_id(data.entityId)
    org_id = await context_org(ctx)
    query = select(EncryptionMap).where(
        EncryptionMap.entity_id == entity_id, *visible(EncryptionMap, ctx.tenant_id(), org_id)
    )
    async with ctx.read_session() as session:
        rows = list((await session.execute(query)).scalars())
    chosen = effective(rows, lambda m: m.entity_id).get(entity_id)
    return {
        "entityId": entity_id,
        "tenantId": ctx.tenant_id(),
        "organizationId": chosen.organization_id if chosen else None,
        "fields": chosen.fields if chosen else [],
        "isActive": chosen.is_active if chosen else True,
    }


@operation(
    "save_entity_encryption_map",
    MODULE,
    input=EncryptionMapInput,
    output=Ok,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("POST", "/entities/encryption"),
)
async def save_map(ctx: RequestContext, data: EncryptionMapInput) -> dict[str, Any]:
    """Create or update the encryption map of an entity (tenant-wide, or for ``organizationId``)
    and seal (or open) the stored values accordingly."""
    entity_id = checked_entity_id(data.entityId)
    if data.tenantId is not None and data.tenantId != ctx.tenant_id():
        raise Forbidden(message="Tenant outside your scope")
    org_id = await target_org(ctx, data.organizationId)
    await known_entity(ctx, entity_id, org_id or await context_org(ctx))
    fields = normalized_fields(data.fields)
    query = select(EncryptionMap).where(
        EncryptionMap.entity_id == entity_id, *same_scope(EncryptionMap, ctx.tenant_id(), org_id)
    )
    async with ctx.unit_of_work() as uow:
        row = (await uow.session.execute(query.with_for_update())).scalar_one_or_none()
        before = {"fields": row.fields, "isActive": row.is_active} if row is not None else None
        previous = {f["field"] for f in (row.fields if row is not None else [])}
        if row is None:
            row = EncryptionMap(
                id=uuid.uuid4(), tenant_id=ctx.tenant_id(), organization_id=org_id, entity_id=entity_id
            )
            uow.session.add(row)
        row.fields = fields
        row.is_active = True if data.isActive is None else data.isActive
        await flush_or_conflict(uow)
        forget_cached(ctx)
        await reseal(ctx, uow, entity_id, org_id, previous | {f["field"] for f in fields})
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="encryption_map",
            verb="update",
            event="updated",
            resource_id=row.id,
            tenant_id=row.tenant_id,
            organization_id=row.organization_id,
            before=before,
            after={"entityId": entity_id, "fields": fields, "isActive": row.is_active},
            payload={"entityId": entity_id},
        )
    return {"ok": True}


async def reseal(
    ctx: RequestContext, uow: UnitOfWork, entity_id: str, org_id: uuid.UUID | None, keys: set[str]
) -> int:
    """Store again the values of rows holding any of ``keys`` (the policy seals or opens them)."""
    if not keys:
        return 0
    entity = code_entities().get(entity_id)
    if entity is not None:
        model, attr = entity.model, entity.custom_fields
        query = select(model).where(model.tenant_id == ctx.tenant_id())
    else:
        from resolvers.entities.records import RECORD

        entity, model, attr = RECORD, CustomEntityRecord, "values"
        query = select(model).where(model.tenant_id == ctx.tenant_id(), model.entity_id == entity_id)
    if org_id is not None and hasattr(model, "organization_id"):
        query = query.where(model.organization_id == org_id)
    column = getattr(model, attr)
    rows = (
        await uow.session.execute(query.where(column.has_any(array(sorted(keys)))).with_for_update())
    ).scalars()
    policy, count = custom_field_policy(), 0
    for row in rows:
        stored = getattr(row, attr) or {}
        updated = await policy.store(ctx, entity, {}, previous=stored, owner=row)
        if updated != stored:
            setattr(row, attr, updated)
            count += 1
    await flush_or_conflict(uow)
    return count
