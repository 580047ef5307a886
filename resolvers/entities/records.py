"""Records of custom entities: their values are custom field values (``resolvers.entities.policy``
checks, encrypts and filters them), written through the generic entity commands, so every write is
scoped, evented and in the action log. Lists take ``cf_<key>`` filters (and, for custom entities,
plain ``<key>`` filters on defined fields), sort by a value, show deleted rows on request and export
(csv, json, xml, markdown). A code entity's id lists that entity's rows (with its own features)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.entities import CustomEntityRecord
from resolvers.crud import apply_custom_filters, guarded, service
from resolvers.entities.common import (
    MODULE,
    RECORD_ENTITY,
    RECORDS_MANAGE,
    RECORDS_VIEW,
    RESERVED_KEYS,
    checked_entity_id,
    code_entity,
    context_org,
    custom_entity,
    field_specs,
)
from resolvers.entities.exports import EXPORT_FORMATS, Export, export
from resolvers.entity import (
    CUSTOM_PREFIX,
    CustomFilter,
    Entity,
    Features,
    Field,
    Hooks,
    Relation,
    custom_field_policy,
    eq,
    readable_item,
    serialize,
)
from resolvers.listing import MAX_PAGE_SIZE, ListParams, parse_list_query
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope, parse_uuid, scope_conditions
from resolvers.validation import SafeDict, text

READONLY = {"create": False, "update": False}
MAX_EXPORT_ROWS = 10_000
LIST_PARAMS = {
    "entityId",
    "page",
    "pageSize",
    "sortField",
    "sortDir",
    "sort",
    "order",
    "withDeleted",
    "format",
}
LIST_PARAMS |= {"exportScope", "export_scope", "all", "full", "search", "ids", "id"}
TRUE = ("1", "true", "yes")


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """A record belongs to an active custom entity of its organization; a UUID ``recordId`` is kept."""
    found = await custom_entity(ctx, data["entity_id"], data.get("organization_id"))
    if found is None:
        raise ValidationFailed([issue("entityId", "Unknown entity", "not_found")])
    data["custom_entity_id"] = found.id
    chosen = parse_uuid(data.pop("record_id", None))
    if chosen is not None:
        data["id"] = chosen


RECORD = Entity(
    name=RECORD_ENTITY,
    module=MODULE,
    model=CustomEntityRecord,
    path=None,
    graphql_name="EntityRecord",
    plural="entity_records",
    features=Features(
        view=[RECORDS_VIEW], create=[RECORDS_MANAGE], update=[RECORDS_MANAGE], delete=[RECORDS_MANAGE]
    ),
    fields=[
        Field("entity_id", str, required=True, update=False, sort=True, max_length=200),
        Field("record_id", str, read=False, update=False, description="A UUID to use as the record id."),
        Field("custom_entity_id", uuid.UUID, **READONLY),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("entityId", CustomEntityRecord.entity_id)],
    relations=[
        Relation(
            "custom_entity", "custom_entity", "one", source_fk="custom_entity_id", description="Its entity."
        ),
        Relation(
            "attachments", "attachment", "many", target_fk="record_uuid", description="Files of the record."
        ),
    ],
    custom_fields="values",
    mutations=(),
    hooks=guarded(CustomEntityRecord, Hooks(before_create=_before_create)),
    description="A record of a custom entity; its values are custom field values.",
)


class RecordInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    recordId: text(200) | None = None
    values: SafeDict = {}
    organizationId: uuid.UUID | None = None


class RecordRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    recordId: text(200)


class SavedRecord(BaseModel):
    entityId: str
    recordId: str


class SavedRecordReply(BaseModel):
    ok: bool
    item: SavedRecord


class Ok(BaseModel):
    ok: bool


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    """Record values keyed by field (``cf_`` prefixes dropped); reserved keys are refused."""
    values = {(k[len(CUSTOM_PREFIX) :] if k.startswith(CUSTOM_PREFIX) else k): v for k, v in raw.items()}
    reserved = sorted(RESERVED_KEYS & set(values))
    if reserved:
        raise ValidationFailed(
            [issue(["values", key], f"{key} is not a field", "reserved") for key in reserved]
        )
    return values


async def _custom_entity_id(ctx: RequestContext, raw: str) -> str:
    entity_id = checked_entity_id(raw)
    if code_entity(entity_id) is not None:
        raise ValidationFailed(
            [issue("entityId", "Records of code entities are written through their own API", "invalid")]
        )
    return entity_id


async def create_record(ctx: RequestContext, data: RecordInput) -> dict[str, Any]:
    entity_id = await _custom_entity_id(ctx, data.entityId)
    body = {"entityId": entity_id, "recordId": data.recordId, "customValues": _values(data.values)}
    if data.organizationId is not None:
        body["organizationId"] = str(data.organizationId)
    obj, _ = await service(RECORD).create(ctx, body)
    return {"ok": True, "item": {"entityId": entity_id, "recordId": str(obj.id)}}


@operation(
    "create_entity_record",
    MODULE,
    input=RecordInput,
    output=SavedRecordReply,
    features=(RECORDS_MANAGE,),
    rest=Rest("POST", "/entities/records"),
)
async def create_entity_record(ctx: RequestContext, data: RecordInput) -> dict[str, Any]:
    """Create a record of a custom entity (a UUID ``recordId`` becomes its id; else one is made)."""
    return await create_record(ctx, data)


async def _record_of(ctx: RequestContext, entity_id: str, record_id: Any) -> CustomEntityRecord:
    record = await service(RECORD).get(ctx, record_id, check=False)
    if record.entity_id != entity_id:
        raise NotFound()
    return record


@operation(
    "update_entity_record",
    MODULE,
    input=RecordInput,
    output=SavedRecordReply,
    features=(RECORDS_MANAGE,),
    rest=Rest("PUT", "/entities/records"),
)
async def update_entity_record(ctx: RequestContext, data: RecordInput) -> dict[str, Any]:
    """Update a record's values (merged; null removes one). A ``recordId`` that is not a UUID
    creates the record instead."""
    entity_id = await _custom_entity_id(ctx, data.entityId)
    if parse_uuid(data.recordId) is None:
        return await create_record(ctx, data.model_copy(update={"recordId": None}))
    await _record_of(ctx, entity_id, data.recordId)
    await service(RECORD).update(ctx, {"customValues": _values(data.values)}, id_=data.recordId)
    return {"ok": True, "item": {"entityId": entity_id, "recordId": data.recordId}}


@operation(
    "delete_entity_record",
    MODULE,
    input=RecordRef,
    output=Ok,
    features=(RECORDS_MANAGE,),
    rest=Rest("DELETE", "/entities/records"),
)
async def delete_entity_record(ctx: RequestContext, data: RecordRef) -> dict[str, Any]:
    """Soft-delete a record (``entityId`` and ``recordId`` in the query or the body)."""
    entity_id = await _custom_entity_id(ctx, data.entityId)
    if parse_uuid(data.recordId) is None:
        raise ValidationFailed([issue("recordId", "Invalid id", "invalid_string")], "Invalid id")
    await _record_of(ctx, entity_id, data.recordId)
    await service(RECORD).delete(ctx, data.recordId)
    return {"ok": True}


# --- lists ---------------------------------------------------------------------------------------


@dataclass
class RecordsPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    def envelope(self) -> dict[str, Any]:
        pages = math.ceil(self.total / self.page_size) if self.total else 0
        return {
            "items": self.items,
            "total": self.total,
            "page": self.page,
            "pageSize": self.page_size,
            "totalPages": pages,
        }


def record_item(ctx: RequestContext, record: CustomEntityRecord) -> dict[str, Any]:
    """A record as lists show it: its values as top-level keys."""
    values = custom_field_policy().readable(ctx, RECORD, record.values or {})
    item: dict[str, Any] = {"id": str(record.id), "entityId": record.entity_id}
    item.update({k: v for k, v in values.items() if k not in RESERVED_KEYS})
    item["organizationId"] = str(record.organization_id) if record.organization_id else None
    item["createdAt"] = format_datetime(record.created_at)
    item["updatedAt"] = format_datetime(record.updated_at)
    if record.deleted_at is not None:
        item["deletedAt"] = format_datetime(record.deleted_at)
    return item


def _flag(query: Mapping[str, str], *names: str) -> bool:
    return any(str(query.get(name, "")).lower() in TRUE for name in names)


async def list_records(ctx: RequestContext, query: Mapping[str, str]) -> dict[str, Any] | Export:
    """``GET /entities/records``: a page (or an export) of the records of ``entityId``."""
    ctx.require_features([RECORDS_VIEW])
    entity_id = checked_entity_id(query.get("entityId"))
    fmt = (query.get("format") or "").lower() or None
    if fmt is not None and fmt not in EXPORT_FORMATS:
        raise ValidationFailed([issue("format", f"One of {', '.join(EXPORT_FORMATS)}", "invalid_enum_value")])
    everything = (
        fmt is not None
        or _flag(query, "all", "full")
        or (query.get("exportScope") or query.get("export_scope")) == "full"
    )
    code = code_entity(entity_id)
    if code is not None:
        page = await _code_rows(ctx, code, query, everything)
    else:
        page = await _custom_rows(ctx, entity_id, query, everything)
    if fmt is not None:
        return export(page.items, fmt, entity_id)
    return page.envelope()


def _sizes(params: ListParams, everything: bool) -> tuple[int, int]:
    return (1, MAX_EXPORT_ROWS) if everything else (params.page, params.page_size)


async def _code_rows(
    ctx: RequestContext, entity: Entity, query: Mapping[str, str], everything: bool
) -> RecordsPage:
    """Rows of a code entity, with its own features and filters (its ``cf_`` ones included)."""
    if entity.scope == "global" or not entity.path:
        raise ValidationFailed([issue("entityId", "This entity has no records to list", "invalid")])
    params = parse_list_query(entity, query)
    svc = service(entity)
    if not everything:
        page = await svc.list(ctx, params)
        items = [readable_item(ctx, entity, serialize(entity, obj)) for obj in page.items]
        return RecordsPage(items, page.total or 0, page.page, page.page_size)
    params.page, params.page_size, items = 1, MAX_PAGE_SIZE, []
    while len(items) < MAX_EXPORT_ROWS:
        page = await svc.list(ctx, params, count=False)
        items += [readable_item(ctx, entity, serialize(entity, obj)) for obj in page.items]
        if len(page.items) < params.page_size:
            break
        params.page += 1
    return RecordsPage(items[:MAX_EXPORT_ROWS], len(items), 1, MAX_EXPORT_ROWS)


async def _custom_rows(
    ctx: RequestContext, entity_id: str, query: Mapping[str, str], everything: bool
) -> RecordsPage:
    params = parse_list_query(RECORD, {k: v for k, v in query.items() if k not in ("sortField", "sort")})
    specs = await field_specs(ctx, entity_id, await context_org(ctx))
    params.custom += [
        CustomFilter(k, (v,)) for k, v in query.items() if k in specs and k not in LIST_PARAMS and v != ""
    ]
    params.filters["entityId"] = entity_id
    with_deleted = _flag(query, "withDeleted")
    model = CustomEntityRecord
    base = select(model).where(
        model.entity_id == entity_id, *scope_conditions(model, await org_scope(ctx), live=not with_deleted)
    )
    base = await apply_custom_filters(ctx, RECORD, base, params)
    order = _order(model, query.get("sortField") or query.get("sort"), params.sort_dir)
    page_number, size = _sizes(params, everything)
    async with ctx.read_session() as session:
        total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        rows = (
            await session.execute(base.order_by(*order).limit(size).offset((page_number - 1) * size))
        ).scalars()
        items = [record_item(ctx, row) for row in rows]
    return RecordsPage(items, total, page_number, size)


def _order(model: Any, sort_field: str | None, direction: str) -> list[Any]:
    """``id``, ``createdAt``/``updatedAt`` or a value key (``cf_<key>`` or ``<key>``)."""
    columns = {"id": model.id, "createdAt": model.created_at, "created_at": model.created_at}
    columns |= {"updatedAt": model.updated_at, "updated_at": model.updated_at}
    name = sort_field or "id"
    if name in columns:
        column = columns[name]
    else:
        key = name[len(CUSTOM_PREFIX) :] if name.startswith(CUSTOM_PREFIX) else name
        if not key or "\x00" in key or len(key) > 100:
            raise ValidationFailed([issue("sortField", "Unknown sort field", "invalid_enum_value")])
        column = model.values[key]
    return [column.desc() if direction == "desc" else column.asc(), model.id.asc()]
