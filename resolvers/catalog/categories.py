"""The category tree: a category has at most one parent in its organization; ``tree_path`` (the ids
from the root down, joined by ``/``), ``depth`` (0 for a root) and ``path_label`` (the names, joined
by `` / ``) are kept for it and every descendant whenever it moves or is renamed. A category never
moves under itself or one of its descendants (400 ``cycle``); one with live children is not deleted
(409)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict
from models.catalog import CatalogCategory, CatalogProduct, CatalogProductCategory
from resolvers.catalog.common import (
    CATEGORIES_MANAGE,
    CATEGORIES_VIEW,
    MODULE,
    defaults,
    drop_nulls,
    fail,
    referenced,
    required_text,
    secondary_writes,
    slugify,
    stamps,
    status_filter,
    unique,
)
from resolvers.crud import guarded
from resolvers.entity import ENTITIES, Computed, Entity, Features, Field, Filter, Hooks, Relation, eq, one_of

SEPARATOR = " / "
MAX_DEPTH = 20


def _slug(data: dict[str, Any]) -> None:
    if data.get("slug") is not None:
        data["slug"] = slugify(data["slug"]) if data["slug"].strip() else None


async def _tree_lock(uow: UnitOfWork, tenant: Any, *, wait: bool) -> None:
    """Serialize the tenant's tree writes (a transaction-scoped advisory lock), so two concurrent
    moves cannot build a cycle nor a child be placed under a stale path. A move or rename, which
    already holds its row, does not wait (it could deadlock with the other move): 409 instead."""
    key = func.hashtextextended(func.concat("catalog_categories:", str(tenant)), 0)
    if wait:
        await uow.session.execute(select(func.pg_advisory_xact_lock(key)))
    elif not await uow.session.scalar(select(func.pg_try_advisory_xact_lock(key))):
        raise Conflict("The category tree is being changed by another request; try again")


async def _parent(ctx: RequestContext, uow: UnitOfWork, ident: Any) -> CatalogCategory | None:
    if ident is None:
        return None
    return await referenced(ctx, uow, CATEGORY, ident, "parentId")


def _place(data: dict[str, Any], ident: uuid.UUID, name: str, parent: CatalogCategory | None) -> None:
    """Path, depth and label of a category under ``parent`` (a root when None)."""
    data["tree_path"] = f"{parent.tree_path}/{ident}" if parent else str(ident)
    data["depth"] = parent.depth + 1 if parent else 0
    data["path_label"] = f"{parent.path_label}{SEPARATOR}{name}" if parent else name
    if data["depth"] > MAX_DEPTH:
        raise fail("parentId", f"At most {MAX_DEPTH} levels below a root", "too_big")


async def _create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    required_text(data, "name", "name")
    _slug(data)
    defaults(data, is_active=True)
    if data.get("parent_id") is not None:
        await _tree_lock(uow, data["tenant_id"], wait=True)
    parent = await _parent(ctx, uow, data.get("parent_id"))
    if parent is not None:
        data["organization_id"] = parent.organization_id
    if data.get("slug"):
        await unique(
            uow,
            CatalogCategory,
            "A category with this slug already exists",
            tenant_id=data["tenant_id"],
            organization_id=data["organization_id"],
            slug=data["slug"],
        )
    data["id"] = uuid.uuid4()
    _place(data, data["id"], data["name"], parent)


async def _update(ctx: RequestContext, uow: UnitOfWork, obj: CatalogCategory, data: dict[str, Any]) -> None:
    required_text(data, "name", "name")
    _slug(data)
    drop_nulls(data, "name", "is_active")
    if data.get("slug") and data["slug"] != obj.slug:
        await unique(
            uow,
            CatalogCategory,
            "A category with this slug already exists",
            other_than=obj.id,
            tenant_id=obj.tenant_id,
            organization_id=obj.organization_id,
            slug=data["slug"],
        )
    moved = "parent_id" in data and data["parent_id"] != obj.parent_id
    renamed = "name" in data and data["name"] != obj.name
    if not (moved or renamed):
        return
    await _tree_lock(uow, obj.tenant_id, wait=False)
    parent_id = data.get("parent_id", obj.parent_id)
    parent = await _parent(ctx, uow, parent_id)
    if parent is not None:
        if parent.id == obj.id or parent.tree_path.startswith(obj.tree_path + "/"):
            raise fail("parentId", "A category cannot move under itself or its descendants", "cycle")
        if parent.organization_id != obj.organization_id:
            raise fail("parentId", "The parent must belong to the same organization", "invalid")
    old_path, old_label, old_depth = obj.tree_path, obj.path_label, obj.depth
    _place(data, obj.id, data.get("name", obj.name), parent)
    await _rebase(ctx, uow, obj, (old_path, old_label, old_depth), data)


async def _rebase(
    ctx: RequestContext, uow: UnitOfWork, obj: CatalogCategory, old: tuple[str, str, int], new: dict[str, Any]
) -> None:
    """Carry a move or rename down to every descendant (each a step of the same command): their
    path and label prefixes and their depth."""
    old_path, old_label, old_depth = old

    def rebased(row: CatalogCategory) -> None:
        row.tree_path = new["tree_path"] + row.tree_path[len(old_path) :]
        row.path_label = new["path_label"] + row.path_label[len(old_label) :]
        row.depth = row.depth + new["depth"] - old_depth
        if row.depth > MAX_DEPTH:
            raise fail("parentId", f"At most {MAX_DEPTH} levels below a root", "too_big")

    below = CatalogCategory.tree_path.startswith(old_path + "/", autoescape=True)
    await secondary_writes(ctx, uow, CATEGORY, [CatalogCategory.tenant_id == obj.tenant_id, below], rebased)


async def _delete(ctx: RequestContext, uow: UnitOfWork, obj: CatalogCategory) -> None:
    children = await uow.session.scalar(
        select(func.count()).where(CatalogCategory.parent_id == obj.id, CatalogCategory.deleted_at.is_(None))
    )
    if children:
        raise Conflict("Category has child categories; move or delete them first")
    await uow.session.execute(
        delete(CatalogProductCategory).where(CatalogProductCategory.category_id == obj.id)
    )

    def unfiled(product: CatalogProduct) -> None:
        product.category_id = None

    products = ENTITIES["catalog_product"]  # declared on top of categories
    await secondary_writes(ctx, uow, products, [CatalogProduct.category_id == obj.id], unfiled)


def _parent_name() -> Any:
    parent = aliased(CatalogCategory)
    return select(parent.name).where(parent.id == CatalogCategory.parent_id).scalar_subquery()


def _child_count() -> Any:
    child = aliased(CatalogCategory)
    return (
        select(func.count())
        .where(child.parent_id == CatalogCategory.id, child.deleted_at.is_(None))
        .scalar_subquery()
    )


def _descendant_count() -> Any:
    below = aliased(CatalogCategory)
    prefix = func.concat(CatalogCategory.tree_path, "/")
    return (
        select(func.count())
        .where(
            below.tenant_id == CatalogCategory.tenant_id,
            func.left(below.tree_path, func.length(prefix)) == prefix,
            below.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


def _under(query: Any, value: uuid.UUID) -> Any:
    """Categories below ``value`` (at any depth)."""
    above = aliased(CatalogCategory)
    path = select(above.tree_path).where(above.id == value).scalar_subquery()
    return query.where(CatalogCategory.tree_path.like(func.concat(path, "/%")))


CATEGORY = Entity(
    name="catalog_category",
    module=MODULE,
    model=CatalogCategory,
    path="/catalog/categories",
    graphql_name="Category",
    plural="categories",
    features=Features.view_manage(CATEGORIES_VIEW, CATEGORIES_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("slug", str, sort=True, search=True, max_length=150),
        Field("description", str, max_length=4000),
        Field("parent_id", uuid.UUID, description="Its parent (null: a root)."),
        Field("depth", int, sort=True, create=False, update=False),
        Field("tree_path", str, sort=True, create=False, update=False, description="Ids root → it, '/'."),
        Field("path_label", str, sort=True, search=True, create=False, update=False),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[
        status_filter(CatalogCategory.is_active),
        eq("isActive", CatalogCategory.is_active, bool),
        eq("parentId", CatalogCategory.parent_id, uuid.UUID),
        one_of("parentIds", CatalogCategory.parent_id, uuid.UUID),
        eq("depth", CatalogCategory.depth, int),
        Filter("under", uuid.UUID, _under, description="Categories below this one, at any depth."),
    ],
    relations=[
        Relation("parent", "catalog_category", "one", source_fk="parent_id"),
        Relation("children", "catalog_category", "many", target_fk="parent_id"),
        Relation(
            "products",
            "catalog_product",
            "through",
            through=CatalogProductCategory,
            through_source="category_id",
            through_target="product_id",
        ),
    ],
    computed=[
        Computed("parentName", _parent_name),
        Computed("childCount", _child_count),
        Computed("descendantCount", _descendant_count),
    ],
    default_sort="tree_path",
    hooks=guarded(
        CatalogCategory, Hooks(before_create=_create, before_update=_update, before_delete=_delete)
    ),
    description="A product category: a node of the organization's category tree.",
)
