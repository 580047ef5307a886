"""Custom field definitions: list (active, for forms), upsert one or a batch, tombstone, restore and
the administration view (tombstones included). A definition belongs to the tenant, or to one of its
organizations when ``organizationId`` is given (it then overrides the tenant-wide one there)."""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.entities import CustomFieldDefinition
from resolvers.crud import flush_or_conflict
from resolvers.entities.common import (
    DEFINITIONS_MANAGE,
    FIELD_KEY,
    MODULE,
    RESERVED_KEYS,
    checked_entity_id,
    context_org,
    definition_rows,
    encrypted_fields,
    forget_cached,
    known_entity,
    same_scope,
    target_org,
    visible,
)
from resolvers.entities.kinds import KINDS, RULES, FieldSpec
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.validation import SafeJson, text

MAX_BATCH = 200


class ValidationRule(BaseModel):
    """A value rule: ``required``, ``integer``, ``float``, ``date``, ``lt``/``lte``/``gt``/``gte``
    (a number ``param``), ``eq``/``ne`` (any ``param``)."""

    model_config = ConfigDict(extra="ignore")
    rule: Literal[RULES]  # type: ignore[valid-type]
    param: SafeJson = None
    message: text(500) = "Invalid value"

    @model_validator(mode="after")
    def numeric_param(self) -> ValidationRule:
        if self.rule in ("lt", "lte", "gt", "gte") and not (
            isinstance(self.param, int | float)
            and not isinstance(self.param, bool)
            and math.isfinite(self.param)
        ):
            raise ValueError(f"{self.rule} needs a number param")
        return self


class FieldConfig(BaseModel):
    """What a field says beyond its kind (more keys are kept as given)."""

    model_config = ConfigDict(extra="allow")
    label: text(200) | None = None
    description: text(2000) | None = None
    options: Annotated[list[SafeJson], PydanticField(max_length=500)] | None = None
    multi: bool | None = None
    required: bool | None = None
    filterable: bool | None = None
    formEditable: bool | None = None
    listVisible: bool | None = None
    priority: int | None = PydanticField(default=None, ge=-1_000_000, le=1_000_000)
    relatedEntityId: text(200) | None = None
    fieldset: text(100) | None = None
    validation: Annotated[list[ValidationRule], PydanticField(max_length=32)] | None = None


FieldKey = Annotated[str, PydanticField(min_length=1, max_length=100, pattern=FIELD_KEY.pattern)]
Kind = Literal[KINDS]  # type: ignore[valid-type]
CONFIG = AliasChoices("configJson", "config")


class DefinitionItem(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: FieldKey
    kind: Kind
    configJson: FieldConfig | None = PydanticField(default=None, validation_alias=CONFIG)
    isActive: bool | None = None


class DefinitionInput(DefinitionItem):
    entityId: text(200)
    organizationId: uuid.UUID | None = None


class DefinitionBatchInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    definitions: Annotated[list[DefinitionItem], PydanticField(max_length=MAX_BATCH)]
    organizationId: uuid.UUID | None = None


class DefinitionRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    key: text(100)
    organizationId: uuid.UUID | None = None


class DefinitionsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(2000) | None = None
    entityIds: text(4000) | None = None
    fieldset: text(100) | None = None


class ManageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)


class Ok(BaseModel):
    ok: bool


class DefinitionSummary(BaseModel):
    id: uuid.UUID
    key: str
    kind: str
    configJson: SafeJson = None
    isActive: bool


class DefinitionSaved(BaseModel):
    ok: bool
    item: DefinitionSummary


class FieldDefinition(BaseModel):
    """An active definition as forms use it."""

    key: str
    kind: str
    label: str
    entityId: str
    description: str | None = None
    multi: bool
    required: bool
    options: list[SafeJson] | None = None
    filterable: bool
    formEditable: bool
    listVisible: bool
    priority: int
    validation: list[SafeJson] | None = None
    encrypted: bool


class FieldDefinitions(BaseModel):
    items: list[FieldDefinition]


class ManagedDefinition(BaseModel):
    id: uuid.UUID
    key: str
    kind: str
    configJson: SafeJson = None
    isActive: bool
    organizationId: uuid.UUID | None = None
    tenantId: uuid.UUID | None = None
    deletedAt: str | None = None


class ManagedDefinitions(BaseModel):
    items: list[ManagedDefinition]
    deletedKeys: list[str]


def _config(item: DefinitionItem, priority: int | None = None) -> dict[str, Any]:
    config = item.configJson.model_dump(exclude_none=True) if item.configJson else {}
    config.setdefault("label", item.key)
    config.setdefault("formEditable", True)
    config.setdefault("listVisible", True)
    if priority is not None:
        config["priority"] = priority
    if item.kind == "select" and config.get("options") and not config.get("multi"):
        config["multi"] = False
    return config


def _summary(row: CustomFieldDefinition) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "configJson": row.config,
        "isActive": row.is_active,
    }


def _snapshot(row: CustomFieldDefinition) -> dict[str, Any]:
    return {**_summary(row), "id": str(row.id), "entityId": row.entity_id}


def _check_key(key: str) -> None:
    if key in RESERVED_KEYS:
        raise ValidationFailed([issue("key", f"{key} is reserved", "reserved")])


async def upsert(
    ctx: RequestContext,
    uow: UnitOfWork,
    entity_id: str,
    org_id: uuid.UUID | None,
    item: DefinitionItem,
    priority: int | None = None,
) -> CustomFieldDefinition:
    """Create or update the definition of ``item.key`` in the scope (a tombstone comes back)."""
    _check_key(item.key)
    query = select(CustomFieldDefinition).where(
        CustomFieldDefinition.entity_id == entity_id,
        CustomFieldDefinition.key == item.key,
        *same_scope(CustomFieldDefinition, ctx.tenant_id(), org_id),
    )
    row = (await uow.session.execute(query.with_for_update())).scalar_one_or_none()
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = CustomFieldDefinition(
            id=uuid.uuid4(),
            tenant_id=ctx.tenant_id(),
            organization_id=org_id,
            entity_id=entity_id,
            key=item.key,
        )
        uow.session.add(row)
    row.kind = item.kind
    row.config = _config(item, priority)
    row.is_active = True if item.isActive is None else item.isActive
    row.deleted_at = None
    await flush_or_conflict(uow, "Definition already exists")
    _record(ctx, uow, "upsert", row, before)
    return row


def _record(ctx: RequestContext, uow: UnitOfWork, verb: str, row: CustomFieldDefinition, before: Any) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="definition",
        verb=verb,
        resource_id=row.id,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        before=before,
        after=_snapshot(row),
        payload={"entityId": row.entity_id, "key": row.key},
    )
    forget_cached(ctx)


async def _scope(ctx: RequestContext, entity_id: str, requested_org: Any) -> tuple[str, uuid.UUID | None]:
    entity_id = checked_entity_id(entity_id)
    org_id = await target_org(ctx, requested_org)
    await known_entity(ctx, entity_id, org_id or await context_org(ctx))
    return entity_id, org_id


@operation(
    "save_entity_definition",
    MODULE,
    input=DefinitionInput,
    output=DefinitionSaved,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("POST", "/entities/definitions"),
)
async def save_definition(ctx: RequestContext, data: DefinitionInput) -> dict[str, Any]:
    """Create or update a custom field definition (tenant-wide, or for ``organizationId``)."""
    entity_id, org_id = await _scope(ctx, data.entityId, data.organizationId)
    async with ctx.unit_of_work() as uow:
        row = await upsert(ctx, uow, entity_id, org_id, data)
    return {"ok": True, "item": _summary(row)}


@operation(
    "save_entity_definitions_batch",
    MODULE,
    input=DefinitionBatchInput,
    output=Ok,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("POST", "/entities/definitions.batch"),
)
async def save_batch(ctx: RequestContext, data: DefinitionBatchInput) -> dict[str, Any]:
    """Create or update several definitions of one entity in one transaction (their order is their
    priority)."""
    entity_id, org_id = await _scope(ctx, data.entityId, data.organizationId)
    keys = [d.key for d in data.definitions]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValidationFailed(
            [issue("definitions", f"Duplicate keys: {', '.join(duplicates)}", "duplicate")]
        )
    async with ctx.unit_of_work(command="entities.definition.batch") as uow:
        for position, item in enumerate(data.definitions):
            await upsert(ctx, uow, entity_id, org_id, item, priority=position)
    return {"ok": True}


async def _tombstone(ctx: RequestContext, data: DefinitionRef, *, restore: bool) -> dict[str, Any]:
    entity_id = checked_entity_id(data.entityId)
    org_id = await target_org(ctx, data.organizationId)
    query = select(CustomFieldDefinition).where(
        CustomFieldDefinition.entity_id == entity_id,
        CustomFieldDefinition.key == data.key,
        *same_scope(CustomFieldDefinition, ctx.tenant_id(), org_id),
    )
    async with ctx.unit_of_work() as uow:
        row = (await uow.session.execute(query.with_for_update())).scalar_one_or_none()
        if row is None:
            raise NotFound()
        before = _snapshot(row)
        row.is_active = restore
        row.deleted_at = None if restore else (row.deleted_at or func.now())
        await flush_or_conflict(uow)
        await uow.session.refresh(row)
        _record(ctx, uow, "restore" if restore else "delete", row, before)
    return {"ok": True}


@operation(
    "delete_entity_definition",
    MODULE,
    input=DefinitionRef,
    output=Ok,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("DELETE", "/entities/definitions"),
)
async def delete_definition(ctx: RequestContext, data: DefinitionRef) -> dict[str, Any]:
    """Tombstone a definition in the scope (its values stay; it no longer governs them)."""
    return await _tombstone(ctx, data, restore=False)


@operation(
    "restore_entity_definition",
    MODULE,
    input=DefinitionRef,
    output=Ok,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("POST", "/entities/definitions.restore"),
)
async def restore_definition(ctx: RequestContext, data: DefinitionRef) -> dict[str, Any]:
    """Bring a tombstoned (or inactive) definition back."""
    return await _tombstone(ctx, data, restore=True)


def _requested_ids(data: DefinitionsQuery) -> list[str]:
    raw = [*(data.entityId or "").split(","), *(data.entityIds or "").split(",")]
    ids = list(dict.fromkeys(part.strip() for part in raw if part.strip()))
    if not ids:
        raise ValidationFailed(
            [issue("entityId", "entityId is required", "required")], "entityId is required"
        )
    if len(ids) > 50:
        raise ValidationFailed([issue("entityIds", "At most 50 entities", "too_big")])
    return [checked_entity_id(i) for i in ids]


def _form_item(entity_id: str, row: CustomFieldDefinition, encrypted: bool) -> dict[str, Any]:
    config = row.config or {}
    spec = FieldSpec.of(row.key, row.kind, config)
    return {
        "key": row.key,
        "kind": row.kind,
        "label": spec.label,
        "entityId": entity_id,
        "description": config.get("description"),
        "multi": spec.multi,
        "required": spec.required,
        "options": config.get("options"),
        "filterable": bool(config.get("filterable")),
        "formEditable": config.get("formEditable", True) is not False,
        "listVisible": config.get("listVisible", True) is not False,
        "priority": config.get("priority") if isinstance(config.get("priority"), int) else 0,
        "validation": config.get("validation"),
        "encrypted": encrypted,
    }


@operation(
    "entity_definitions",
    MODULE,
    input=DefinitionsQuery,
    output=FieldDefinitions,
    kind="query",
    rest=Rest("GET", "/entities/definitions"),
)
async def list_definitions(ctx: RequestContext, data: DefinitionsQuery) -> dict[str, Any]:
    """Active definitions of the given entities (``entityId`` or comma-separated ``entityIds``)
    that apply in the caller's organization, by priority; tombstoned keys are left out."""
    org_id = await context_org(ctx)
    items = []
    for entity_id in _requested_ids(data):
        sealed = await encrypted_fields(ctx, entity_id, org_id)
        for row in (await definition_rows(ctx, entity_id, org_id)).values():
            if not row.is_active or row.deleted_at is not None:
                continue
            if data.fieldset and (row.config or {}).get("fieldset") != data.fieldset:
                continue
            items.append(_form_item(entity_id, row, row.key in sealed))
    items.sort(key=lambda i: (i["entityId"], i["priority"], i["key"]))
    return {"items": items}


@operation(
    "manage_entity_definitions",
    MODULE,
    input=ManageQuery,
    output=ManagedDefinitions,
    kind="query",
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("GET", "/entities/definitions.manage"),
)
async def manage_definitions(ctx: RequestContext, data: ManageQuery) -> dict[str, Any]:
    """Every definition of an entity that applies in the caller's organization (tenant-wide and
    its own), tombstones and inactive ones included."""
    entity_id = checked_entity_id(data.entityId)
    org_id = await context_org(ctx)
    query = (
        select(CustomFieldDefinition)
        .where(
            CustomFieldDefinition.entity_id == entity_id,
            *visible(CustomFieldDefinition, ctx.tenant_id(), org_id),
        )
        .order_by(CustomFieldDefinition.key, CustomFieldDefinition.organization_id.nulls_first())
    )
    async with ctx.read_session() as session:
        rows = list((await session.execute(query)).scalars())
    items = [
        {
            **_summary(row),
            "organizationId": row.organization_id,
            "tenantId": row.tenant_id,
            "deletedAt": format_datetime(row.deleted_at) if row.deleted_at else None,
        }
        for row in rows
    ]
    deleted = sorted({row.key for row in rows if row.deleted_at is not None})
    return {"items": items, "deletedKeys": deleted}
