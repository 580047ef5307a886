"""Accessory links: resources (top case, heated grips, a trailer...) attached to a host resource.

REST: ``GET ?hostResourceId`` lists a host's links, ``POST`` links an accessory, ``PATCH`` changes
only the keys sent (``quantity``, ``notes``, ``sortOrder``), ``DELETE`` answers 204 without a body.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.resources import AccessoryLink, Resource
from resolvers.crud import guarded, service
from resolvers.entity import Entity, Field, Hooks, Relation, eq, serialize
from resolvers.operations import Rest, operation
from resolvers.resources.common import FEATURES, MANAGE, VIEW, load_resource, scope_fields


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """Both resources in scope and distinct; the link lives in the host's organization; a pair once."""
    host = await load_resource(ctx, uow.session, data["host_resource_id"])
    accessory = await load_resource(ctx, uow.session, data["accessory_resource_id"])
    if host.id == accessory.id:
        raise ValidationFailed(
            [issue("accessoryResourceId", "A resource cannot be its own accessory", "invalid_value")]
        )
    existing = await uow.session.scalar(
        select(AccessoryLink.id).where(
            AccessoryLink.host_resource_id == host.id, AccessoryLink.accessory_resource_id == accessory.id
        )
    )
    if existing is not None:
        raise Conflict("Accessory already linked", id=str(existing))
    data["organization_id"] = host.organization_id
    _check_quantity(data)


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, link: AccessoryLink, data: dict[str, Any]
) -> None:
    for attr in ("organization_id", "host_resource_id", "accessory_resource_id"):
        data.pop(attr, None)
    _check_quantity(data)


def _check_quantity(data: dict[str, Any]) -> None:
    if data.get("quantity") is not None and data["quantity"] < 1:
        raise ValidationFailed([issue("quantity", "Must be at least 1", "too_small")])


ACCESSORY_LINK = Entity(
    name="resource_accessory_link",
    module="resources",
    model=AccessoryLink,
    path=None,
    graphql_name="ResourceAccessoryLink",
    plural="resource_accessory_links",
    features=FEATURES,
    soft_delete=False,
    fields=[
        Field("host_resource_id", uuid.UUID, required=True, update=False),
        Field("accessory_resource_id", uuid.UUID, required=True, update=False),
        Field("quantity", int, sort=True),
        Field("notes", str, max_length=4000),
        Field("sort_order", int, sort=True),
        *scope_fields(),
    ],
    filters=[
        eq("hostResourceId", AccessoryLink.host_resource_id, uuid.UUID),
        eq("accessoryResourceId", AccessoryLink.accessory_resource_id, uuid.UUID),
    ],
    relations=[
        Relation("host", "resource", "one", source_fk="host_resource_id"),
        Relation("accessory", "resource", "one", source_fk="accessory_resource_id"),
    ],
    default_sort="sort_order",
    hooks=guarded(AccessoryLink, Hooks(before_create=_before_create, before_update=_before_update)),
    description="An accessory resource linked to a host resource.",
)


class HostInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    host_resource_id: uuid.UUID = PydanticField(
        validation_alias=AliasChoices("hostResourceId", "host_resource_id")
    )


class LinkCreateInput(BaseModel):
    """The link's fields (validated once more by the entity declaration)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")
    host_resource_id: uuid.UUID = PydanticField(
        validation_alias=AliasChoices("hostResourceId", "host_resource_id")
    )
    accessory_resource_id: uuid.UUID = PydanticField(
        validation_alias=AliasChoices("accessoryResourceId", "accessory_resource_id")
    )


class LinkPatchInput(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: uuid.UUID


class LinkDeleteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


async def _items(ctx: RequestContext, links: list[AccessoryLink]) -> list[dict[str, Any]]:
    """Serialized links, each with a summary of its accessory resource."""
    ids = {link.accessory_resource_id for link in links}
    async with ctx.read_session() as session:
        rows = await session.execute(
            select(Resource.id, Resource.name, Resource.resource_type_id, Resource.is_active).where(
                Resource.id.in_(ids)
            )
        )
        summaries = {
            row.id: {
                "id": str(row.id),
                "name": row.name,
                "resourceTypeId": str(row.resource_type_id) if row.resource_type_id else None,
                "isActive": row.is_active,
            }
            for row in rows
        }
    return [
        {**serialize(ACCESSORY_LINK, link), "accessory": summaries.get(link.accessory_resource_id)}
        for link in links
    ]


@operation(
    "list_resource_accessory_links",
    "resources",
    kind="query",
    input=HostInput,
    features=(VIEW,),
    rest=Rest("GET", "/resources/resource-accessory-links"),
    graphql=False,  # GraphQL: ``Resource.accessoryLinks`` and ``resourceAccessoryLinks``
)
async def list_links(ctx: RequestContext, data: HostInput) -> dict[str, Any]:
    """The accessories of a host resource, by sort order (404 for a host out of scope)."""
    async with ctx.read_session() as session:
        await load_resource(ctx, session, data.host_resource_id)
        links = list(
            (
                await session.execute(
                    select(AccessoryLink)
                    .join(Resource, Resource.id == AccessoryLink.accessory_resource_id)
                    .where(
                        AccessoryLink.host_resource_id == data.host_resource_id, Resource.deleted_at.is_(None)
                    )
                    .order_by(AccessoryLink.sort_order, AccessoryLink.created_at)
                )
            ).scalars()
        )
    return {"items": await _items(ctx, links)}


def _body(data: BaseModel, fixed: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in (data.model_extra or {}).items()}, **fixed}


@operation(
    "link_resource_accessory",
    "resources",
    input=LinkCreateInput,
    features=(MANAGE,),
    rest=Rest("POST", "/resources/resource-accessory-links", status=201),
    transaction=False,
    graphql=False,  # GraphQL: ``createResourceAccessoryLink``
)
async def link_accessory(ctx: RequestContext, data: LinkCreateInput) -> dict[str, Any]:
    """Link an accessory (``accessoryResourceId``, optional ``quantity``, ``notes``, ``sortOrder``) to a
    host resource; the created link. 409 when the pair is already linked."""
    fixed = {
        "hostResourceId": str(data.host_resource_id),
        "accessoryResourceId": str(data.accessory_resource_id),
    }
    link, _ = await service(ACCESSORY_LINK).create(ctx, _body(data, fixed))
    return (await _items(ctx, [link]))[0]


@operation(
    "patch_resource_accessory_link",
    "resources",
    input=LinkPatchInput,
    features=(MANAGE,),
    rest=Rest("PATCH", "/resources/resource-accessory-links"),
    transaction=False,
    graphql=False,  # GraphQL: ``updateResourceAccessoryLink``
)
async def patch_link(ctx: RequestContext, data: LinkPatchInput) -> dict[str, Any]:
    """Change only the keys sent (``quantity``, ``notes``, ``sortOrder``; null clears ``notes``)."""
    link = await service(ACCESSORY_LINK).update(ctx, _body(data, {}), id_=data.id)
    return (await _items(ctx, [link]))[0]


@operation(
    "unlink_resource_accessory",
    "resources",
    input=LinkDeleteInput,
    features=(MANAGE,),
    rest=Rest("DELETE", "/resources/resource-accessory-links", status=204, reply=lambda _: None),
    transaction=False,
    graphql=False,  # GraphQL: ``deleteResourceAccessoryLink``
)
async def unlink_accessory(ctx: RequestContext, data: LinkDeleteInput) -> None:
    """Remove a link (``id`` in the query or body)."""
    await service(ACCESSORY_LINK).delete(ctx, data.id)
