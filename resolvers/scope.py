"""Tenant and organization scope of a request, computed once and cached on the context."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, select

from crmgraph.authn import GENERATION_KEY, process_cache
from crmgraph.context import ALL_ORGS, OrgScope, RequestContext
from crmgraph.errors import Forbidden, NotFound, Unprocessable, ValidationFailed, issue
from models.directory import Organization

if TYPE_CHECKING:
    from resolvers.entity import Entity

T = TypeVar("T")


def parse_uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def effective_tenant(ctx: RequestContext) -> uuid.UUID | None:
    return ctx.tenant_id()


async def tenant_tree(ctx: RequestContext, tenant_id: uuid.UUID | None) -> dict[uuid.UUID, uuid.UUID | None]:
    """Map of organization id -> parent id for the live organizations of a tenant.

    Cached per request, and per process under the authentication generation the request was validated
    at (organization changes bump it, see ``crmgraph.authn``): a valid cached tree costs no query.
    Callers must not mutate the returned map.
    """
    key = f"tree:{tenant_id}"
    if key not in ctx.cache:
        generation = ctx.cache.get(GENERATION_KEY)
        shared = process_cache(ctx.sessionmaker).trees
        cached = shared.get(tenant_id) if generation is not None else None
        if cached is not None and cached[0] == generation:
            ctx.cache[key] = cached[1]
        else:
            ctx.cache[key] = await _load_tree(ctx, tenant_id)
            if generation is not None:
                shared[tenant_id] = (generation, ctx.cache[key])
    return ctx.cache[key]


async def _load_tree(ctx: RequestContext, tenant_id: uuid.UUID | None) -> dict[uuid.UUID, uuid.UUID | None]:
    async with ctx.read_session() as session:
        rows = await session.execute(
            select(Organization.id, Organization.parent_id).where(
                Organization.tenant_id == tenant_id, Organization.deleted_at.is_(None)
            )
        )
        return {row.id: row.parent_id for row in rows}


def descendants(tree: dict[uuid.UUID, uuid.UUID | None], root: uuid.UUID) -> set[uuid.UUID]:
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for node, parent in tree.items():
        children.setdefault(parent, []).append(node)
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(children.get(node, []))
    return found


async def visible_orgs(ctx: RequestContext) -> set[uuid.UUID]:
    principal = ctx.require_auth()
    tree = await tenant_tree(ctx, effective_tenant(ctx))
    if principal.sees_all_organizations():
        return set(tree)
    listed = {parse_uuid(o) for o in principal.organizations or []}
    return {org for org in tree if org in listed}


async def org_scope(ctx: RequestContext) -> OrgScope:
    """Selected organization plus descendants, within what the caller may see.

    ``om_selected_org=__all__`` selects every visible organization; an unknown selection is a 422.
    """
    if "scope" in ctx.cache:
        return ctx.cache["scope"]
    principal = ctx.require_auth()
    tenant_id = effective_tenant(ctx)
    tree = await tenant_tree(ctx, tenant_id)
    visible = await visible_orgs(ctx)
    selected_raw = ctx.selection.org_id
    selected: uuid.UUID | None
    if selected_raw == ALL_ORGS:
        selected = None
    elif selected_raw:
        selected = parse_uuid(selected_raw)
        if selected is None or selected not in visible:
            raise Unprocessable("Invalid selected organization")
    else:
        selected = principal.org_id if principal.org_id in tree else None
    org_ids = visible & descendants(tree, selected) if selected else visible
    if principal.sees_all_organizations() and selected is None:
        scope = OrgScope(tenant_id, None, None)
    else:
        if not org_ids:
            raise Forbidden(message="No organization in scope")
        scope = OrgScope(tenant_id, frozenset(org_ids), selected)
    ctx.cache["scope"] = scope
    return scope


async def scope_for(ctx: RequestContext, entity: Entity) -> OrgScope:
    """The scope an entity's rows are read and written in (organizations only for org-scoped ones)."""
    if entity.scope == "org":
        return await org_scope(ctx)
    return OrgScope(effective_tenant(ctx), None, None)


def scope_conditions(
    model: Any, scope: OrgScope, *, organizations: bool = True, live: bool = True
) -> list[Any]:
    """WHERE conditions keeping rows of ``model`` (a model or an alias) in the caller's tenant and
    organizations, and live (not soft-deleted), for whichever of those columns the model has."""
    conditions = []
    if hasattr(model, "tenant_id"):
        conditions.append(model.tenant_id == scope.tenant_id)
    if organizations and scope.org_ids is not None and hasattr(model, "organization_id"):
        conditions.append(model.organization_id.in_(scope.org_ids))
    if live and hasattr(model, "deleted_at"):
        conditions.append(model.deleted_at.is_(None))
    return conditions


async def entity_conditions(
    ctx: RequestContext, entity: Entity, target: Any = None, *, include_deleted: bool = False
) -> list[Any]:
    """What the caller may see of ``entity``, as WHERE conditions on ``target`` (its model or an
    alias of it): declared visibility, tenant and organization scope, live rows (soft-deleted ones
    too with ``include_deleted``, for lists documenting ``withDeleted``)."""
    target = entity.model if target is None else target
    conditions = []
    if entity.visibility is not None:
        condition = await entity.visibility(ctx, target)
        if condition is not None:
            conditions.append(condition)
    if entity.scope != "global":
        scope = await scope_for(ctx, entity)
        conditions += scope_conditions(target, scope, organizations=entity.scope == "org", live=False)
    if entity.soft_delete and not include_deleted:
        conditions.append(target.deleted_at.is_(None))
    return conditions


async def scoped(ctx: RequestContext, entity: Entity, query: Select, target: Any = None) -> Select:
    """``query`` restricted to the rows of ``entity`` the caller may see."""
    return query.where(*await entity_conditions(ctx, entity, target))


async def live_in_scope(ctx: RequestContext, model: Any, query: Select) -> Select:
    """``query`` restricted to live rows of ``model`` in the caller's tenant and organizations."""
    return query.where(*scope_conditions(model, await org_scope(ctx)))


async def load_in_scope(
    ctx: RequestContext, session: Any, model: type[T], ident: Any, what: str, *, lock: bool = False
) -> T:
    """One live row of ``model`` visible to the caller, else 404 (also for other tenants' ids)."""
    parsed = parse_uuid(ident)
    if parsed is None:
        raise NotFound(f"{what} not found")
    query = await live_in_scope(ctx, model, select(model).where(model.id == parsed))
    if lock:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{what} not found")
    return found


async def ids_in_scope(
    ctx: RequestContext, session: Any, model: Any, raw_ids: Iterable[Any], what: str
) -> list[uuid.UUID]:
    """Parse and check a list of ids (every one must be a live row in scope), keeping order, deduplicated."""
    ids: list[uuid.UUID] = []
    for raw in raw_ids:
        parsed = parse_uuid(raw)
        if parsed is None:
            raise ValidationFailed([issue(what, f"Invalid id: {raw}", "invalid_string")])
        if parsed not in ids:
            ids.append(parsed)
    if not ids:
        return []
    query = await live_in_scope(ctx, model, select(model.id).where(model.id.in_(ids)))
    found = set((await session.execute(query)).scalars())
    if len(found) != len(ids):
        raise NotFound(f"{what} not found")
    return ids
