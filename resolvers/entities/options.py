"""Options for relation fields: up to 50 ``{value, label}`` of an entity's records, matching ``q``.

The label is ``labelField`` when given, else the custom entity's label field (or its first text
field), or for a code entity its first readable name-like field."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.entities import CustomEntityRecord
from resolvers.crud import service
from resolvers.entities.common import (
    DEFINITIONS_VIEW,
    FIELD_KEY,
    MODULE,
    checked_entity_id,
    code_entity,
    context_org,
    custom_entity,
    encrypted_fields,
    field_specs,
)
from resolvers.entities.records import RECORD
from resolvers.entity import Entity, custom_field_policy, search_clause
from resolvers.listing import ListParams
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.validation import text

LIMIT = 50
SCAN_SEALED = 1000  # records read to match ``q`` against an encrypted label
NAME_FIELDS = ("display_name", "name", "title", "label", "code", "email", "file_name")


class OptionsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    labelField: (
        Annotated[str, PydanticField(min_length=1, max_length=100, pattern=FIELD_KEY.pattern)] | None
    ) = None
    q: text(200) | None = None


class Option(BaseModel):
    value: str
    label: str


class Options(BaseModel):
    items: list[Option]


@operation(
    "entity_relation_options",
    MODULE,
    input=OptionsQuery,
    output=Options,
    kind="query",
    features=(DEFINITIONS_VIEW,),
    rest=Rest("GET", "/entities/relations/options"),
)
async def relation_options(ctx: RequestContext, data: OptionsQuery) -> dict[str, Any]:
    """Up to 50 records of ``entityId`` as ``{value, label}`` for relation pickers."""
    entity_id = checked_entity_id(data.entityId)
    code = code_entity(entity_id)
    if code is not None:
        return {"items": await _code_options(ctx, code, data)}
    return {"items": await _record_options(ctx, entity_id, data)}


async def _code_options(ctx: RequestContext, entity: Entity, data: OptionsQuery) -> list[dict[str, str]]:
    readable = {f.attr: f for f in entity.fields if f.read and f.type is str}
    label = data.labelField
    if label is not None:
        label = next((attr for attr, f in readable.items() if label in (attr, f.camel)), None)
        if label is None:
            raise ValidationFailed([issue("labelField", "Not a text field of the entity", "invalid")])
    else:
        label = next((name for name in NAME_FIELDS if name in readable), None)
    column = getattr(entity.model, label) if label else entity.model.id
    query = select(entity.model)
    searched = [column] if label else entity.search_columns()
    if data.q and searched:
        query = query.where(search_clause(searched, data.q))
    page = await service(entity).page(ctx, ListParams(page_size=LIMIT, sort_field=label), query, count=False)
    return [
        {"value": str(row.id), "label": str(getattr(row, label) or row.id) if label else str(row.id)}
        for row in page.items
    ]


async def _record_options(ctx: RequestContext, entity_id: str, data: OptionsQuery) -> list[dict[str, str]]:
    ctx.require_features(RECORD.features.view)
    org_id = await context_org(ctx)
    found = await custom_entity(ctx, entity_id, org_id)
    if found is None:
        raise ValidationFailed([issue("entityId", "Unknown entity", "not_found")])
    specs = await field_specs(ctx, entity_id, org_id)
    label = data.labelField or found.label_field
    if label is None:
        label = next(
            (s.key for s in sorted(specs.values(), key=_priority) if s.kind in ("text", "dictionary")), None
        )
    sealed = label is not None and label in await encrypted_fields(ctx, entity_id, org_id)
    model = CustomEntityRecord
    query = select(model).where(model.entity_id == entity_id, *await entity_conditions(ctx, RECORD))
    if label and data.q and not sealed:
        query = query.where(search_clause([model.values[label].astext], data.q))
    if label and not sealed:
        query = query.order_by(model.values[label].astext, model.id)
    limit = SCAN_SEALED if sealed and data.q else LIMIT
    async with ctx.read_session() as session:
        rows = list((await session.execute(query.order_by(model.id).limit(limit))).scalars())
    policy, items = custom_field_policy(), []
    for row in rows:
        values = policy.readable(ctx, RECORD, row.values or {})
        shown = str(values.get(label) if label and values.get(label) is not None else row.id)
        if sealed and data.q and data.q.lower() not in shown.lower():
            continue
        items.append({"value": str(row.id), "label": shown})
    return items[:LIMIT]


def _priority(spec: Any) -> tuple[int, str]:
    priority = spec.config.get("priority")
    return (priority if isinstance(priority, int) else 0, spec.key)
