"""Resources themselves, their types and tags (with the assign/unassign commands)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import delete, false, func, or_, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.customers import CustomerEntity
from models.insurance import Policy
from models.procurement import ProcurementProcess
from models.resources import (
    AccessoryLink,
    Resource,
    ResourceActivity,
    ResourceComment,
    ResourceTag,
    ResourceTagAssignment,
    ResourceType,
    ServiceBookEntry,
)
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Field, Filter, Hooks, Relation, eq
from resolvers.operations import Rest, operation, pick
from resolvers.resources.common import FEATURES, appearance, load_resource, record_command, scope_fields
from resolvers.scope import load_in_scope

# --- resource types ----------------------------------------------------------------------------


def _resource_count() -> Any:
    return (
        select(func.count(Resource.id))
        .where(Resource.resource_type_id == ResourceType.id, Resource.deleted_at.is_(None))
        .scalar_subquery()
    )


async def _type_before_delete(ctx: RequestContext, uow: UnitOfWork, kind: ResourceType) -> None:
    """A type still carried by live resources cannot go (409)."""
    used = await uow.session.scalar(
        select(func.count(Resource.id)).where(
            Resource.resource_type_id == kind.id, Resource.deleted_at.is_(None)
        )
    )
    if used:
        raise Conflict("Resource type is in use", resourceCount=used)


RESOURCE_TYPE = Entity(
    name="resource_type",
    module="resources",
    model=ResourceType,
    path="/resources/resource-types",
    graphql_name="ResourceType",
    plural="resource_types",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=4000),
        *appearance(),
        Field("financing_eligible", bool, sort=True, description="Vehicles of this type may be financed."),
        *scope_fields(org_on_create=True),
    ],
    relations=[Relation("resources", "resource", "many", target_fk="resource_type_id")],
    computed=[Computed("resourceCount", _resource_count)],
    default_sort="name",
    hooks=guarded(ResourceType, Hooks(before_delete=_type_before_delete)),
    description="A kind of resource (e.g. motorcycle, scooter, trailer).",
)

# --- resources ---------------------------------------------------------------------------------


async def _check_references(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """A resource type, customer, insurance policy or procurement process named by a write must be
    live and in the caller's scope (404)."""
    for attr, model, what in (
        ("resource_type_id", ResourceType, "Resource type"),
        ("customer_entity_id", CustomerEntity, "Customer"),
        ("insurance_policy_id", Policy, "Insurance policy"),
        ("procurement_process_id", ProcurementProcess, "Procurement process"),
    ):
        if data.get(attr) is not None:
            await load_in_scope(ctx, uow.session, model, data[attr], what)


async def _resource_before_update(
    ctx: RequestContext, uow: UnitOfWork, obj: Resource, data: dict[str, Any]
) -> None:
    await _check_references(ctx, uow, data)


async def _resource_before_delete(ctx: RequestContext, uow: UnitOfWork, resource: Resource) -> None:
    """Its timeline and service book go with it; tag assignments and accessory links are removed."""
    for model in (ServiceBookEntry, ResourceActivity, ResourceComment):
        await uow.session.execute(
            update(model)
            .where(model.resource_id == resource.id, model.deleted_at.is_(None))
            .values(deleted_at=func.now())
        )
    await uow.session.execute(
        delete(ResourceTagAssignment).where(ResourceTagAssignment.resource_id == resource.id)
    )
    await uow.session.execute(
        delete(AccessoryLink).where(
            or_(
                AccessoryLink.host_resource_id == resource.id,
                AccessoryLink.accessory_resource_id == resource.id,
            )
        )
    )


def _type_column(column: Any, default: Any = None) -> Any:
    query = select(column).where(
        ResourceType.id == Resource.resource_type_id, ResourceType.deleted_at.is_(None)
    )
    expr = query.scalar_subquery()
    return expr if default is None else func.coalesce(expr, default)


def _tagged(q: Any, tag_ids: list[uuid.UUID]) -> Any:
    carried = select(ResourceTagAssignment.resource_id).where(ResourceTagAssignment.tag_id.in_(tag_ids))
    return q.where(Resource.id.in_(carried))


def _customer_unassigned(q: Any, value: bool) -> Any:
    return q.where(
        Resource.customer_entity_id.is_(None) if value else Resource.customer_entity_id.is_not(None)
    )


RESOURCE = Entity(
    name="resource",
    module="resources",
    model=Resource,
    path="/resources/resources",
    graphql_name="Resource",
    plural="resources",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=10000),
        Field("resource_type_id", uuid.UUID),
        Field("capacity", int, sort=True),
        Field("capacity_unit_value", str, max_length=100),
        Field("capacity_unit_name", str, max_length=150),
        Field("capacity_unit_color", str, max_length=32),
        Field("capacity_unit_icon", str, max_length=64),
        *appearance(),
        Field("is_active", bool, sort=True),
        Field("status_value", str, sort=True, max_length=100),
        Field("availability_rule_set_id", uuid.UUID),
        Field("customer_entity_id", uuid.UUID, description="The customer (person or company) owning it."),
        Field("insurance_policy_id", uuid.UUID, description="The insurance policy covering it."),
        Field("procurement_process_id", uuid.UUID, description="The procurement process that bought it."),
        Field("financing_profile", dict, description="Financing terms (free-form object)."),
        *scope_fields(org_on_create=True),
    ],
    filters=[
        eq("resourceTypeId", Resource.resource_type_id, uuid.UUID),
        eq("isActive", Resource.is_active, bool),
        Filter("tagIds", uuid.UUID, _tagged, many=True, description="Carrying any of these tags."),
        eq("customerEntityId", Resource.customer_entity_id, uuid.UUID),
        Filter(
            "customerUnassigned", bool, _customer_unassigned, description="Only resources without a customer."
        ),
        eq("statusValue", Resource.status_value),
        eq("insurancePolicyId", Resource.insurance_policy_id, uuid.UUID),
        Filter(
            "resourcesResourceFieldset",
            str,
            lambda q, v: q,
            description="Accepted for compatibility; every field is returned.",
        ),
    ],
    relations=[
        Relation("resource_type", "resource_type", "one", source_fk="resource_type_id"),
        Relation(
            "person",
            "person",
            "one",
            source_fk="customer_entity_id",
            description="Set when a person owns it.",
        ),
        Relation(
            "company",
            "company",
            "one",
            source_fk="customer_entity_id",
            description="Set when a company owns it.",
        ),
        Relation(
            "policy", "policy", "one", source_fk="insurance_policy_id", description="Its insurance policy."
        ),
        Relation(
            "procurement_process",
            "procurement_process",
            "one",
            source_fk="procurement_process_id",
            description="The procurement process that bought it.",
        ),
        Relation("service_book", "service_book_entry", "many", target_fk="resource_id"),
        Relation("activities", "resource_activity", "many", target_fk="resource_id"),
        Relation("comments", "resource_comment", "many", target_fk="resource_id"),
        Relation("gallery", "resource_gallery_image", "many", target_fk="resource_id"),
        Relation("accessory_links", "resource_accessory_link", "many", target_fk="host_resource_id"),
        Relation(
            "tags",
            "resource_tag",
            "through",
            through=ResourceTagAssignment,
            through_source="resource_id",
            through_target="tag_id",
        ),
    ],
    computed=[
        Computed("resource_type_name", lambda: _type_column(ResourceType.name)),
        Computed(
            "vehicle_type_financing_eligible", lambda: _type_column(ResourceType.financing_eligible, false())
        ),
    ],
    default_sort="created_at",
    hooks=guarded(
        Resource,
        Hooks(
            before_create=_check_references,
            before_update=_resource_before_update,
            before_delete=_resource_before_delete,
        ),
    ),
    description="A resource (typically a customer's vehicle) with its service book and gallery.",
)

# --- tags --------------------------------------------------------------------------------------


def slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    return slug[:100] or "tag"


async def _tag_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if not (data.get("label") or "").strip():
        raise ValidationFailed([issue("label", "Label is required", "too_small")])
    data["slug"] = slugify(data.get("slug") or data["label"])


async def _tag_before_update(
    ctx: RequestContext, uow: UnitOfWork, tag: ResourceTag, data: dict[str, Any]
) -> None:
    if "label" in data and not (data["label"] or "").strip():
        raise ValidationFailed([issue("label", "Label is required", "too_small")])
    if "slug" in data:
        data["slug"] = slugify(data["slug"] or data.get("label") or tag.label)


async def _tag_before_delete(ctx: RequestContext, uow: UnitOfWork, tag: ResourceTag) -> None:
    await uow.session.execute(delete(ResourceTagAssignment).where(ResourceTagAssignment.tag_id == tag.id))


RESOURCE_TAG = Entity(
    name="resource_tag",
    module="resources",
    model=ResourceTag,
    path="/resources/tags",
    graphql_name="ResourceTag",
    plural="resource_tags",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("slug", str, sort=True, search=True, max_length=100),
        Field("label", str, required=True, sort=True, search=True, max_length=150),
        Field("color", str, max_length=32),
        Field("description", str, max_length=2000),
        *scope_fields(org_on_create=True),
    ],
    relations=[
        Relation(
            "resources",
            "resource",
            "through",
            through=ResourceTagAssignment,
            through_source="tag_id",
            through_target="resource_id",
        )
    ],
    default_sort="label",
    hooks=guarded(
        ResourceTag,
        Hooks(
            before_create=_tag_before_create,
            before_update=_tag_before_update,
            before_delete=_tag_before_delete,
        ),
    ),
    description="A label resources can carry.",
)


class TagAssignmentInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    tag_id: uuid.UUID = PydanticField(validation_alias=AliasChoices("tagId", "tag_id"))
    resource_id: uuid.UUID = PydanticField(
        validation_alias=AliasChoices("resourceId", "resource_id", "entityId", "entity_id")
    )


async def _load_pair(
    ctx: RequestContext, uow: UnitOfWork, data: TagAssignmentInput
) -> tuple[ResourceTag, Resource, ResourceTagAssignment | None]:
    tag = await load_in_scope(ctx, uow.session, ResourceTag, data.tag_id, "Tag")
    resource = await load_resource(ctx, uow.session, data.resource_id)
    link = await uow.session.scalar(
        select(ResourceTagAssignment).where(
            ResourceTagAssignment.tag_id == tag.id, ResourceTagAssignment.resource_id == resource.id
        )
    )
    return tag, resource, link


def _record_assignment(
    ctx: RequestContext, uow: UnitOfWork, verb: str, link: ResourceTagAssignment, resource: Resource
) -> None:
    state = {"tagId": str(link.tag_id), "resourceId": str(resource.id)}
    record_command(
        ctx,
        uow,
        entity="resource_tag_assignment",
        verb=verb,
        resource_id=link.id,
        tenant_id=resource.tenant_id,
        organization_id=resource.organization_id,
        before=state if verb == "deleted" else None,
        after=state if verb == "created" else None,
        payload=state,
    )


@operation(
    "assign_resource_tag",
    "resources",
    input=TagAssignmentInput,
    output=uuid.UUID,
    features=tuple(FEATURES.create),
    rest=Rest("POST", "/resources/resources/tags/assign", status=201),
    graphql_result=pick("id", uuid.UUID),
)
async def assign_tag(ctx: RequestContext, data: TagAssignmentInput) -> dict[str, Any]:
    """Tag a resource (returns the assignment id); assigning twice returns the existing link."""
    async with ctx.unit_of_work() as uow:
        tag, resource, link = await _load_pair(ctx, uow, data)
        if link is not None:
            return {"id": str(link.id)}
        link = ResourceTagAssignment(
            id=uuid.uuid4(),
            tag_id=tag.id,
            resource_id=resource.id,
            tenant_id=resource.tenant_id,
            organization_id=resource.organization_id,
        )
        uow.session.add(link)
        _record_assignment(ctx, uow, "created", link, resource)
    return {"id": str(link.id)}


@operation(
    "unassign_resource_tag",
    "resources",
    input=TagAssignmentInput,
    output=uuid.UUID,
    features=tuple(FEATURES.delete),
    rest=Rest("POST", "/resources/resources/tags/unassign"),
    graphql_result=pick("id", uuid.UUID),
)
async def unassign_tag(ctx: RequestContext, data: TagAssignmentInput) -> dict[str, Any]:
    """Remove a tag from a resource (returns the assignment id); 404 when it was not assigned."""
    async with ctx.unit_of_work() as uow:
        _, resource, link = await _load_pair(ctx, uow, data)
        if link is None:
            raise NotFound("Tag assignment not found")
        await uow.session.delete(link)
        _record_assignment(ctx, uow, "deleted", link, resource)
    return {"id": str(link.id)}
