"""Custom entities: declared by a tenant (``user:track_day``), listed with the code entities that hold
custom fields, shown in the sidebar when flagged. Deleting one marks it inactive (its records stay)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.entities import CustomEntity
from resolvers.crud import flush_or_conflict
from resolvers.entities.common import (
    DEFINITIONS_MANAGE,
    FIELD_KEY,
    MODULE,
    checked_entity_id,
    code_entities,
    code_entity,
    context_org,
    effective,
    field_specs,
    forget_cached,
    same_scope,
    target_org,
    visible,
)
from resolvers.entity import Entity, Features, Field, Relation, eq
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.validation import text

READONLY = {"create": False, "update": False}

CUSTOM_ENTITY = Entity(
    name="custom_entity",
    module=MODULE,
    model=CustomEntity,
    path=None,
    graphql_name="CustomEntity",
    plural="custom_entities",
    scope="tenant",
    features=Features(),  # any signed-in caller may read them (as ``GET /entities/entities``)
    fields=[
        Field("entity_id", str, sort=True, search=True, **READONLY),
        Field("label", str, sort=True, search=True, **READONLY),
        Field("description", str, **READONLY),
        Field("label_field", str, **READONLY),
        Field("show_in_sidebar", bool, **READONLY),
        Field("is_active", bool, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("entityId", CustomEntity.entity_id), eq("isActive", CustomEntity.is_active, bool)],
    relations=[
        Relation("records", "entity_record", "many", target_fk="custom_entity_id", description="Its records.")
    ],
    mutations=(),
    default_sort="entity_id",
    description="A user-defined entity; its fields are custom field definitions, its rows records.",
)


class CustomEntityInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    label: Annotated[str, PydanticField(min_length=1, max_length=200)]
    description: text(2000) | None = None
    labelField: (
        Annotated[str, PydanticField(min_length=1, max_length=100, pattern=FIELD_KEY.pattern)] | None
    ) = None
    showInSidebar: bool = False
    isActive: bool | None = None
    organizationId: uuid.UUID | None = None


class CustomEntityRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityId: text(200)
    organizationId: uuid.UUID | None = None


class SavedEntity(BaseModel):
    id: uuid.UUID
    entityId: str
    label: str
    description: str | None = None


class SavedEntityReply(BaseModel):
    ok: bool
    item: SavedEntity


class Ok(BaseModel):
    ok: bool


class EntitySummary(BaseModel):
    entityId: str
    source: Literal["code", "custom"]
    label: str
    description: str | None = None
    labelField: str | None = None
    showInSidebar: bool | None = None
    updatedAt: str | None = None
    count: int


class EntitySummaries(BaseModel):
    items: list[EntitySummary]


class SidebarEntity(BaseModel):
    entityId: str
    label: str
    href: str


class SidebarEntities(BaseModel):
    items: list[SidebarEntity]


def _snapshot(row: CustomEntity) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "entityId": row.entity_id,
        "label": row.label,
        "description": row.description,
        "labelField": row.label_field,
        "showInSidebar": row.show_in_sidebar,
        "isActive": row.is_active,
    }


async def _row(
    ctx: RequestContext, session: Any, entity_id: str, org_id: uuid.UUID | None
) -> CustomEntity | None:
    query = select(CustomEntity).where(
        CustomEntity.entity_id == entity_id, *same_scope(CustomEntity, ctx.tenant_id(), org_id)
    )
    return (await session.execute(query.with_for_update())).scalar_one_or_none()


def _record(ctx: RequestContext, uow: Any, verb: str, row: CustomEntity, before: Any) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="custom_entity",
        verb=verb,
        resource_id=row.id,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        before=before,
        after=_snapshot(row) if verb != "delete" else None,
        payload={"entityId": row.entity_id},
    )
    forget_cached(ctx)


@operation(
    "save_custom_entity",
    MODULE,
    input=CustomEntityInput,
    output=SavedEntityReply,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("POST", "/entities/entities"),
)
async def save_custom_entity(ctx: RequestContext, data: CustomEntityInput) -> dict[str, Any]:
    """Create or update a custom entity (tenant-wide, or for ``organizationId``); a deleted one
    comes back. Ids of code entities are refused."""
    entity_id = checked_entity_id(data.entityId)
    if code_entity(entity_id) is not None:
        raise ValidationFailed(
            [issue("entityId", "System entities cannot be registered as custom entities", "reserved")]
        )
    org_id = await target_org(ctx, data.organizationId)
    async with ctx.unit_of_work() as uow:
        row = await _row(ctx, uow.session, entity_id, org_id)
        before = _snapshot(row) if row is not None else None
        if row is None:
            row = CustomEntity(
                id=uuid.uuid4(), tenant_id=ctx.tenant_id(), organization_id=org_id, entity_id=entity_id
            )
            uow.session.add(row)
        row.label = data.label.strip() or entity_id
        row.description = data.description
        row.label_field = data.labelField or row.label_field
        row.show_in_sidebar = data.showInSidebar
        row.is_active = True if data.isActive is None else data.isActive
        row.deleted_at = None
        await flush_or_conflict(uow, "Entity already exists")
        _record(ctx, uow, "create" if before is None else "update", row, before)
    return {
        "ok": True,
        "item": {"id": row.id, "entityId": row.entity_id, "label": row.label, "description": row.description},
    }


@operation(
    "delete_custom_entity",
    MODULE,
    input=CustomEntityRef,
    output=Ok,
    features=(DEFINITIONS_MANAGE,),
    rest=Rest("DELETE", "/entities/entities"),
)
async def delete_custom_entity(ctx: RequestContext, data: CustomEntityRef) -> dict[str, Any]:
    """Mark a custom entity inactive in the scope (404 when it has none)."""
    entity_id = checked_entity_id(data.entityId)
    org_id = await target_org(ctx, data.organizationId)
    async with ctx.unit_of_work() as uow:
        row = await _row(ctx, uow.session, entity_id, org_id)
        if row is None:
            raise NotFound()
        before = _snapshot(row)
        row.is_active = False
        row.deleted_at = row.deleted_at or func.now()
        await flush_or_conflict(uow)
        _record(ctx, uow, "delete", row, before)
    return {"ok": True}


async def active_custom_entities(ctx: RequestContext) -> list[CustomEntity]:
    """Custom entities that apply in the caller's organization (its own override the tenant's)."""
    org_id = await context_org(ctx)
    query = (
        select(CustomEntity)
        .where(*visible(CustomEntity, ctx.tenant_id(), org_id))
        .order_by(CustomEntity.entity_id)
    )
    async with ctx.read_session() as session:
        rows = list((await session.execute(query)).scalars())
    chosen = effective(rows, lambda e: e.entity_id).values()
    return [e for e in chosen if e.is_active and e.deleted_at is None]


@operation(
    "entity_types",
    MODULE,
    output=EntitySummaries,
    kind="query",
    rest=Rest("GET", "/entities/entities"),
)
async def list_entities(ctx: RequestContext) -> dict[str, Any]:
    """Code entities that hold custom fields and the tenant's custom entities, with the number of
    active field definitions of each."""
    org_id = await context_org(ctx)
    items: list[dict[str, Any]] = []
    for entity_id, entity in sorted(code_entities().items()):
        count = len(await field_specs(ctx, entity_id, org_id))
        items.append({"entityId": entity_id, "source": "code", "label": entity.graphql_name, "count": count})
    for row in await active_custom_entities(ctx):
        items.append(
            {
                "entityId": row.entity_id,
                "source": "custom",
                "label": row.label,
                "description": row.description,
                "labelField": row.label_field,
                "showInSidebar": row.show_in_sidebar,
                "updatedAt": format_datetime(row.updated_at),
                "count": len(await field_specs(ctx, row.entity_id, org_id)),
            }
        )
    return {"items": items}


def sidebar_href(entity_id: str) -> str:
    return f"/backend/entities/user/{entity_id}/records"


@operation(
    "sidebar_entities",
    MODULE,
    output=SidebarEntities,
    kind="query",
    rest=Rest("GET", "/entities/sidebar-entities"),
)
async def sidebar_entities(ctx: RequestContext) -> dict[str, Any]:
    """Custom entities flagged ``showInSidebar``, with the link to their records."""
    rows = [row for row in await active_custom_entities(ctx) if row.show_in_sidebar]
    return {
        "items": [
            {"entityId": r.entity_id, "label": r.label, "href": sidebar_href(r.entity_id)} for r in rows
        ]
    }
