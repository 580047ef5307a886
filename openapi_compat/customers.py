"""REST routes of the customers module: HTTP in, resolver call, documented body out."""

from __future__ import annotations

from typing import Any

from openapi_compat.crud import crud_routes
from openapi_compat.routing import RestRequest, route
from resolvers.customers import dictionaries, inject, interactions, registry, settings, widgets  # noqa: F401
from resolvers.customers.deals import DEAL, deal_detail
from resolvers.customers.detail import customer_detail, parse_include
from resolvers.customers.interactions import INTERACTION
from resolvers.customers.people import COMPANY, PERSON
from resolvers.customers.pipelines import PIPELINE, PIPELINE_STAGE
from resolvers.customers.tags import TAG
from resolvers.customers.timeline import ACTIVITY, ADDRESS, COMMENT, TODO
from resolvers.entity import Entity

for _entity in (PERSON, COMPANY, DEAL, PIPELINE, PIPELINE_STAGE, TAG, ACTIVITY, COMMENT, ADDRESS, TODO):
    crud_routes(_entity)
crud_routes(INTERACTION, ("POST", "PUT", "DELETE"))


def _detail_route(entity: Entity) -> None:
    @route("GET", f"{entity.path}/{{id}}", entity=entity)
    async def detail(request: RestRequest) -> Any:
        include = parse_include(request.query.get("include"))
        return await customer_detail(request.ctx, entity, request.match["id"], include)


_detail_route(PERSON)
_detail_route(COMPANY)


@route("GET", "/customers/deals/{id}", entity=DEAL)
async def get_deal(request: RestRequest) -> Any:
    return await deal_detail(request.ctx, request.match["id"])


@route("GET", "/customers/interactions", entity=INTERACTION)
async def list_interactions(request: RestRequest) -> Any:
    return await interactions.list_interactions(request.ctx, request.query)


# Every other customers operation is declared in ``resolvers.customers`` (``resolvers.operations``)
# and mounted by ``openapi_compat.operations``.
