"""REST routes of the directory module."""

from __future__ import annotations

from typing import Any

from openapi_compat.crud import crud_routes, list_response
from openapi_compat.routing import Query, RestRequest, expose, route
from resolvers import directory
from resolvers.directory import ORGANIZATION, TENANT
from resolvers.listing import parse_ids

crud_routes(TENANT)
crud_routes(ORGANIZATION, ("POST", "PUT", "DELETE"))


@route("GET", "/directory/organizations", entity=ORGANIZATION)
async def list_organizations(request: RestRequest) -> Any:
    """``view=options`` (flat, tree order), ``view=tree`` (nested) or the paginated manage view."""
    view = request.query.get("view", "manage")
    if view not in ("options", "tree"):
        return await list_response(ORGANIZATION, request)
    include_inactive = request.query.get("includeInactive") in ("true", "1")
    orgs = await directory.visible_organizations(request.ctx, include_inactive)
    ids = parse_ids(request.query.get("ids"))
    if ids is not None:  # as the original: ``ids`` narrows the options (malformed ids -> none)
        orgs = [o for o in orgs if o.id in ids]
    if view == "tree":
        return {"items": directory.build_tree(orgs, {o.id for o in orgs})}
    return {"items": await directory.organization_options(request.ctx, orgs)}


expose("GET", "/directory/organization-switcher", directory.organization_switcher)
expose("GET", "/directory/tenants/lookup", directory.lookup_tenant, Query("tenantId"))
expose("GET", "/directory/organizations/lookup", directory.lookup_organization, Query("slug"), Query("id"))
