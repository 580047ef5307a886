"""Tenant and organization scope of a request, computed once and cached on the context."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from crmgraph.authn import GENERATION_KEY, process_cache
from crmgraph.context import ALL_ORGS, OrgScope, RequestContext
from crmgraph.errors import Forbidden, Unprocessable
from models.directory import Organization


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
