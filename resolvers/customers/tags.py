"""Tags and their assignment to customers (assign/unassign commands and bulk replacement)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import delete, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.customers import CustomerEntity, Tag, TagAssignment
from resolvers.crud import guarded
from resolvers.customers.common import load_customer, record_command
from resolvers.entity import Entity, Features, Field, Hooks, Relation
from resolvers.operations import Rest, operation, pick
from resolvers.scope import ids_in_scope, load_in_scope

FEATURES = Features.view_manage("customers.activities.view", "customers.activities.manage")


def slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    return slug[:100] or "tag"


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["slug"] = slugify(data.get("slug") or data["label"])


async def _before_update(ctx: RequestContext, uow: UnitOfWork, tag: Tag, data: dict[str, Any]) -> None:
    if "slug" in data:
        data["slug"] = slugify(data["slug"] or data.get("label") or tag.label)
    if "label" in data and not (data["label"] or "").strip():
        raise ValidationFailed([issue("label", "Label is required", "too_small")])


async def _before_delete(ctx: RequestContext, uow: UnitOfWork, tag: Tag) -> None:
    await uow.session.execute(delete(TagAssignment).where(TagAssignment.tag_id == tag.id))


TAG = Entity(
    name="tag",
    module="customers",
    model=Tag,
    path="/customers/tags",
    graphql_name="Tag",
    plural="tags",
    key_case="snake",
    features=FEATURES,
    fields=[
        Field("slug", str, sort=True, search=True, max_length=100),
        Field("label", str, required=True, sort=True, search=True, max_length=150),
        Field("color", str, max_length=32),
        Field("description", str, max_length=2000),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, create=False, update=False),
        Field("created_at", datetime, create=False, update=False, sort=True),
    ],
    relations=[
        Relation(
            "people",
            "person",
            "through",
            through=TagAssignment,
            through_source="tag_id",
            through_target="entity_id",
        ),
        Relation(
            "companies",
            "company",
            "through",
            through=TagAssignment,
            through_source="tag_id",
            through_target="entity_id",
        ),
    ],
    hooks=guarded(
        Tag, Hooks(before_create=_before_create, before_update=_before_update, before_delete=_before_delete)
    ),
    description="A label customers can carry.",
)


class AssignmentInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    tag_id: uuid.UUID = PydanticField(validation_alias=AliasChoices("tagId", "tag_id"))
    entity_id: uuid.UUID = PydanticField(validation_alias=AliasChoices("entityId", "entity_id"))


async def set_tags(
    ctx: RequestContext, uow: UnitOfWork, customer: CustomerEntity, raw_ids: list[Any]
) -> None:
    """Make ``customer`` carry exactly the tags ``raw_ids`` (each must be a tag in scope)."""
    wanted = await ids_in_scope(ctx, uow.session, Tag, raw_ids, "tags")
    await uow.session.execute(
        delete(TagAssignment).where(
            TagAssignment.entity_id == customer.id, TagAssignment.tag_id.not_in(wanted)
        )
    )
    present = set(
        (
            await uow.session.execute(
                select(TagAssignment.tag_id).where(TagAssignment.entity_id == customer.id)
            )
        ).scalars()
    )
    uow.session.add_all(
        TagAssignment(
            id=uuid.uuid4(),
            tag_id=tag_id,
            entity_id=customer.id,
            tenant_id=customer.tenant_id,
            organization_id=customer.organization_id,
        )
        for tag_id in wanted
        if tag_id not in present
    )


@operation(
    "assign_customer_tag",
    "customers",
    input=AssignmentInput,
    output=uuid.UUID,
    features=tuple(FEATURES.create),
    rest=Rest("POST", "/customers/tags/assign", status=201),
    graphql_result=pick("id", uuid.UUID),
)
async def assign_tag(ctx: RequestContext, data: AssignmentInput) -> dict[str, Any]:
    """Link a tag to a customer (returns the assignment id); assigning twice returns the existing link."""
    async with ctx.unit_of_work() as uow:
        tag = await load_in_scope(ctx, uow.session, Tag, data.tag_id, "Tag")
        customer = await load_customer(ctx, uow.session, data.entity_id)
        existing = await uow.session.scalar(
            select(TagAssignment.id).where(
                TagAssignment.tag_id == tag.id, TagAssignment.entity_id == customer.id
            )
        )
        if existing is not None:
            return {"id": str(existing)}
        link = TagAssignment(
            id=uuid.uuid4(),
            tag_id=tag.id,
            entity_id=customer.id,
            tenant_id=customer.tenant_id,
            organization_id=customer.organization_id,
        )
        uow.session.add(link)
        after = {"tagId": str(tag.id), "entityId": str(customer.id)}
        record_command(
            ctx,
            uow,
            entity="tag_assignment",
            verb="created",
            resource_id=link.id,
            tenant_id=customer.tenant_id,
            organization_id=customer.organization_id,
            after=after,
            payload=after,
        )
    return {"id": str(link.id)}


@operation(
    "unassign_customer_tag",
    "customers",
    input=AssignmentInput,
    output=uuid.UUID,
    features=tuple(FEATURES.delete),
    rest=Rest("POST", "/customers/tags/unassign"),
    graphql_result=pick("id", uuid.UUID),
)
async def unassign_tag(ctx: RequestContext, data: AssignmentInput) -> dict[str, Any]:
    """Remove a tag from a customer (returns the assignment id); 404 when it was not assigned."""
    async with ctx.unit_of_work() as uow:
        tag = await load_in_scope(ctx, uow.session, Tag, data.tag_id, "Tag")
        customer = await load_customer(ctx, uow.session, data.entity_id)
        link = await uow.session.scalar(
            select(TagAssignment).where(
                TagAssignment.tag_id == tag.id, TagAssignment.entity_id == customer.id
            )
        )
        if link is None:
            raise NotFound("Tag assignment not found")
        await uow.session.delete(link)
        before = {"tagId": str(tag.id), "entityId": str(customer.id)}
        record_command(
            ctx,
            uow,
            entity="tag_assignment",
            verb="deleted",
            resource_id=link.id,
            tenant_id=customer.tenant_id,
            organization_id=customer.organization_id,
            before=before,
            payload=before,
        )
    return {"id": str(link.id)}


async def tags_of(session: Any, entity_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """``{entity id: [{id, label, color}]}`` for live tags, ordered by label."""
    rows = await session.execute(
        select(TagAssignment.entity_id, Tag.id, Tag.label, Tag.color)
        .join(Tag, Tag.id == TagAssignment.tag_id)
        .where(TagAssignment.entity_id.in_(entity_ids), Tag.deleted_at.is_(None))
        .order_by(Tag.label)
    )
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for entity_id, tag_id, label, color in rows:
        found.setdefault(entity_id, []).append({"id": str(tag_id), "label": label, "color": color})
    return found
