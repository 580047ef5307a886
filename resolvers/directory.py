"""Directory: tenants and the organization tree (paths, depth, switcher, lookups)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, NotFound, ValidationFailed, issue
from models.directory import Organization, Tenant
from resolvers.entity import Computed, Entity, Features, Field, Filter, Hooks, Relation, eq
from resolvers.scope import descendants, effective_tenant, org_scope, parse_uuid, tenant_tree, visible_orgs

# --- tenants -------------------------------------------------------------------------------


async def _visible_tenants(ctx: RequestContext, tenant: Any) -> Any:
    principal = ctx.require_auth()
    return None if principal.is_platform_admin else tenant.id == principal.tenant_id


def _require_name(data: dict[str, Any]) -> None:
    """A sent ``name`` is trimmed and must not be blank (the original's ``z.string().min(1)``)."""
    if "name" not in data:
        return
    name = (data["name"] or "").strip()
    if not name:
        raise ValidationFailed([issue("name", "Name is required", "too_small")])
    data["name"] = name


async def _tenant_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if not ctx.require_auth().is_platform_admin:
        raise Forbidden(message="Only platform administrators may create tenants")
    _require_name(data)


async def _tenant_before_update(ctx: RequestContext, uow: UnitOfWork, tenant: Tenant, data: dict) -> None:
    _require_name(data)


TENANT = Entity(
    name="tenant",
    module="directory",
    model=Tenant,
    path="/directory/tenants",
    graphql_name="Tenant",
    plural="tenants",
    scope="global",
    visibility=_visible_tenants,
    features=Features.view_manage("directory.tenants.view", "directory.tenants.manage"),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("is_active", bool, sort=True),
        Field("created_at", datetime, create=False, update=False, sort=True),
        Field("updated_at", datetime, create=False, update=False, sort=True),
    ],
    filters=[eq("isActive", Tenant.is_active, bool)],
    relations=[Relation("organizations", "organization", "many", target_fk="tenant_id")],
    hooks=Hooks(before_create=_tenant_before_create, before_update=_tenant_before_update),
)

# --- organizations -------------------------------------------------------------------------


async def _visible_organizations(ctx: RequestContext, org: Any) -> Any:
    if ctx.require_auth().sees_all_organizations():
        return None
    return org.id.in_(await visible_orgs(ctx))


def _status_filter(query: Select, value: str) -> Select:
    if value == "active":
        return query.where(Organization.is_active.is_(True))
    if value == "inactive":
        return query.where(Organization.is_active.is_(False))
    return query


async def _load_parent(uow: UnitOfWork, tenant_id: uuid.UUID | None, parent_id: Any) -> Organization:
    parent = (
        await uow.session.execute(
            select(Organization).where(
                Organization.id == parent_id,
                Organization.tenant_id == tenant_id,
                Organization.deleted_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if parent is None:
        raise ValidationFailed([issue("parentId", "Parent organization not found", "not_found")])
    return parent


def _place(org: Organization, parent: Organization | None) -> None:
    org.depth = parent.depth + 1 if parent else 0
    org.root_id = (parent.root_id or parent.id) if parent else org.id
    org.tree_path = f"{parent.tree_path}/{org.id}" if parent else str(org.id)


async def _org_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _require_name(data)
    if data.get("parent_id"):
        await _load_parent(uow, data["tenant_id"], data["parent_id"])


async def _org_after_create(ctx: RequestContext, uow: UnitOfWork, org: Organization, data: dict) -> None:
    parent = await _load_parent(uow, org.tenant_id, org.parent_id) if org.parent_id else None
    _place(org, parent)
    ctx.cache.pop(f"tree:{org.tenant_id}", None)


async def _org_before_update(ctx: RequestContext, uow: UnitOfWork, org: Organization, data: dict) -> None:
    _require_name(data)
    if "parent_id" not in data or data["parent_id"] == org.parent_id:
        return
    parent = await _load_parent(uow, org.tenant_id, data["parent_id"]) if data["parent_id"] else None
    if parent is not None:
        tree = await tenant_tree(ctx, org.tenant_id)
        if parent.id in descendants(tree, org.id):
            raise ValidationFailed([issue("parentId", "An organization cannot move under itself", "cycle")])
    old_path = org.tree_path or str(org.id)
    org.parent_id = parent.id if parent else None
    _place(org, parent)
    await _rebase_subtree(uow, org, old_path)
    ctx.cache.pop(f"tree:{org.tenant_id}", None)


async def _rebase_subtree(uow: UnitOfWork, org: Organization, old_path: str) -> None:
    """Rewrite tree_path/depth/root of every descendant after ``org`` moved."""
    rows = (
        await uow.session.execute(
            select(Organization).where(
                Organization.tenant_id == org.tenant_id, Organization.tree_path.like(old_path + "/%")
            )
        )
    ).scalars()
    for child in rows:
        child.tree_path = org.tree_path + child.tree_path[len(old_path) :]
        child.depth = child.tree_path.count("/")
        child.root_id = org.root_id


async def _org_before_delete(ctx: RequestContext, uow: UnitOfWork, org: Organization) -> None:
    child = await uow.session.scalar(
        select(Organization.id).where(Organization.parent_id == org.id, Organization.deleted_at.is_(None))
    )
    if child is not None:
        raise Conflict("Organization has child organizations")
    ctx.cache.pop(f"tree:{org.tenant_id}", None)


def _parent_name() -> Any:
    parent = aliased(Organization)
    return select(parent.name).where(parent.id == Organization.parent_id).scalar_subquery()


def _tenant_name() -> Any:
    return select(Tenant.name).where(Tenant.id == Organization.tenant_id).scalar_subquery()


ORGANIZATION = Entity(
    name="organization",
    module="directory",
    model=Organization,
    path="/directory/organizations",
    graphql_name="Organization",
    plural="organizations",
    scope="tenant",
    visibility=_visible_organizations,
    features=Features.view_manage("directory.organizations.view", "directory.organizations.manage"),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("slug", str, search=True, max_length=200),
        Field("parent_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, create=False, update=False),
        Field("root_id", uuid.UUID, create=False, update=False),
        Field("tree_path", str, create=False, update=False),
        Field("depth", int, create=False, update=False, sort=True),
        Field("is_active", bool, sort=True),
        Field("created_at", datetime, create=False, update=False, sort=True),
    ],
    filters=[
        Filter("status", str, _status_filter),
        Filter("includeInactive", bool, lambda q, v: q if v else q.where(Organization.is_active.is_(True))),
        eq("parentId", Organization.parent_id, uuid.UUID),
    ],
    relations=[
        Relation("parent", "organization", "one", source_fk="parent_id"),
        Relation("children", "organization", "many", target_fk="parent_id"),
        Relation("users", "user", "many", target_fk="organization_id"),
    ],
    default_sort="tree_path",
    hooks=Hooks(
        before_create=_org_before_create,
        after_create=_org_after_create,
        before_update=_org_before_update,
        before_delete=_org_before_delete,
    ),
    computed=[Computed("parentName", _parent_name), Computed("tenantName", _tenant_name)],
)


def build_tree(orgs: list[Organization], selectable: set[uuid.UUID]) -> list[dict[str, Any]]:
    nodes = {
        o.id: {
            "id": str(o.id),
            "name": o.name,
            "depth": o.depth,
            "selectable": o.id in selectable,
            "children": [],
        }
        for o in orgs
    }
    roots = []
    for o in sorted(orgs, key=lambda o: (o.depth, o.name.lower())):
        node = nodes[o.id]
        parent = nodes.get(o.parent_id) if o.parent_id else None
        (parent["children"] if parent else roots).append(node)
    return roots


async def tenant_organizations(ctx: RequestContext, include_inactive: bool = True) -> list[Organization]:
    query = select(Organization).where(
        Organization.tenant_id == effective_tenant(ctx), Organization.deleted_at.is_(None)
    )
    if not include_inactive:
        query = query.where(Organization.is_active.is_(True))
    async with ctx.read_session() as session:
        return list((await session.execute(query.order_by(Organization.tree_path))).scalars())


async def organization_switcher(ctx: RequestContext) -> dict[str, Any]:
    principal = ctx.require_auth()
    orgs = await tenant_organizations(ctx, include_inactive=False)
    visible = await visible_orgs(ctx)
    # Ancestors of visible nodes are shown (to keep the tree whole) but not selectable.
    by_id = {o.id: o for o in orgs}
    shown: set[uuid.UUID] = set()
    for org_id in visible:
        node = by_id.get(org_id)
        while node is not None and node.id not in shown:
            shown.add(node.id)
            node = by_id.get(node.parent_id) if node.parent_id else None
    scope = await org_scope(ctx)
    async with ctx.read_session() as session:
        tenant_query = select(Tenant).where(Tenant.deleted_at.is_(None)).order_by(Tenant.name)
        if not principal.is_platform_admin:
            tenant_query = tenant_query.where(Tenant.id == principal.tenant_id)
        tenants = list((await session.execute(tenant_query)).scalars())
    tenant_id = effective_tenant(ctx)
    return {
        "items": build_tree([o for o in orgs if o.id in shown], visible),
        "selectedId": str(scope.selected_org_id) if scope.selected_org_id else None,
        "canManage": principal.has("directory.organizations.manage"),
        "canViewAllOrganizations": principal.sees_all_organizations(),
        "tenantId": str(tenant_id) if tenant_id else None,
        "tenants": [{"id": str(t.id), "name": t.name, "isActive": t.is_active} for t in tenants],
        "isSuperAdmin": principal.is_super_admin,
    }


async def lookup_tenant(ctx: RequestContext, tenant_id: str | None) -> dict[str, Any]:
    ident = parse_uuid(tenant_id)
    if ident is None:
        raise ValidationFailed([issue("tenantId", "A valid tenantId is required", "invalid_string")])
    async with ctx.read_session() as session:
        tenant = await session.scalar(
            select(Tenant).where(Tenant.id == ident, Tenant.deleted_at.is_(None), Tenant.is_active.is_(True))
        )
    if tenant is None:
        raise NotFound()
    return {"ok": True, "tenant": {"id": str(tenant.id), "name": tenant.name}}


async def lookup_organization(ctx: RequestContext, slug: str | None, org_id: str | None) -> dict[str, Any]:
    """Public: the name behind a slug (or id), nothing that identifies rows. Signed-in callers look
    up their own tenant's organizations and also get the ids."""
    if not slug and parse_uuid(org_id) is None:
        raise ValidationFailed([issue("slug", "slug or id is required", "invalid_type")])
    query = select(Organization).where(Organization.deleted_at.is_(None), Organization.is_active.is_(True))
    query = (
        query.where(Organization.slug == slug) if slug else query.where(Organization.id == parse_uuid(org_id))
    )
    signed_in = ctx.principal is not None
    if signed_in:
        query = query.where(Organization.tenant_id == effective_tenant(ctx))
    async with ctx.read_session(system=not signed_in) as session:  # anonymous: before any login
        org = (await session.execute(query.order_by(Organization.created_at).limit(1))).scalar_one_or_none()
    if org is None:
        raise NotFound()
    found: dict[str, Any] = {"name": org.name, "slug": org.slug}
    if signed_in:
        found = {"id": str(org.id), **found, "tenantId": str(org.tenant_id)}
    return {"ok": True, "organization": found}


async def visible_organizations(ctx: RequestContext, include_inactive: bool = False) -> list[Organization]:
    visible = await visible_orgs(ctx)
    return [o for o in await tenant_organizations(ctx, include_inactive) if o.id in visible]


async def organization_options(ctx: RequestContext, orgs: list[Organization]) -> list[dict[str, Any]]:
    names = {o.id: o.name for o in orgs}
    async with ctx.read_session() as session:
        tenant_name = await session.scalar(select(Tenant.name).where(Tenant.id == effective_tenant(ctx)))
    return [
        {
            "id": str(o.id),
            "name": o.name,
            "parentId": str(o.parent_id) if o.parent_id else None,
            "parentName": names.get(o.parent_id) if o.parent_id else None,
            "tenantId": str(o.tenant_id),
            "tenantName": tenant_name,
            "rootId": str(o.root_id) if o.root_id else None,
            "treePath": o.tree_path,
            "depth": o.depth,
        }
        for o in orgs
    ]
