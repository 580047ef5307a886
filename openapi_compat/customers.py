"""REST routes of the customers module: HTTP in, resolver call, documented body out."""

from __future__ import annotations

from typing import Any

from openapi_compat.crud import crud_routes
from openapi_compat.routing import JSON, Query, Reply, RestRequest, expose, route
from resolvers.customers import dictionaries, interactions, pipelines, registry, settings, tags
from resolvers.customers.deals import DEAL, deal_detail
from resolvers.customers.detail import customer_detail, parse_include
from resolvers.customers.inject import InjectInput, inject_deal
from resolvers.customers.interactions import INTERACTION
from resolvers.customers.people import COMPANY, PERSON, check_phone
from resolvers.customers.pipelines import PIPELINE, PIPELINE_STAGE
from resolvers.customers.tags import TAG
from resolvers.customers.timeline import ACTIVITY, ADDRESS, COMMENT, TODO
from resolvers.customers.widgets import WIDGETS, run_widget
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


expose("GET", "/customers/people/check-phone", check_phone, Query("digits"))
expose(
    "POST",
    "/customers/interactions/complete",
    interactions.complete_interaction,
    JSON,
    body_model=interactions.StatusCommand,
)
expose(
    "POST",
    "/customers/interactions/cancel",
    interactions.cancel_interaction,
    JSON,
    body_model=interactions.StatusCommand,
)
expose(
    "POST", "/customers/tags/assign", tags.assign_tag, JSON, status=201, body_model=tags.AssignmentInput
)
expose("POST", "/customers/tags/unassign", tags.unassign_tag, JSON, body_model=tags.AssignmentInput)
expose(
    "POST",
    "/customers/pipeline-stages/reorder",
    pipelines.reorder_stages,
    JSON,
    body_model=pipelines.ReorderInput,
)
expose(
    "POST",
    "/customers/companies/registry-lookup",
    registry.registry_lookup,
    JSON,
    body_model=registry.LookupInput,
)
expose("GET", "/customers/dictionaries/currency", dictionaries.currency_dictionary)
expose("GET", "/customers/settings/address-format", settings.get_address_format)
expose(
    "PUT",
    "/customers/settings/address-format",
    settings.set_address_format,
    JSON,
    body_model=settings.AddressFormatInput,
)


@route("POST", "/customers/deals/inject", status=201, body_model=InjectInput)
async def inject(request: RestRequest) -> Any:
    body, created = await inject_deal(request.ctx, await request.json_object())
    return Reply(body, 201 if created else 200)


def _widget_route(name: str) -> None:
    @route("GET", f"/customers/dashboard/widgets/{name}")
    async def widget(request: RestRequest) -> Any:
        return await run_widget(request.ctx, name, request.query)


for _name in WIDGETS:
    _widget_route(_name)


@route("GET", "/customers/dictionaries/{kind}")
async def dictionary_entries(request: RestRequest) -> Any:
    return await dictionaries.list_entries(request.ctx, request.match["kind"])


@route("POST", "/customers/dictionaries/{kind}", status=201, body_model=dictionaries.EntryInput)
async def upsert_dictionary_entry(request: RestRequest) -> Any:
    entry, created = await dictionaries.upsert_entry(
        request.ctx, request.match["kind"], await request.json_object()
    )
    return Reply(entry, 201 if created else 200)


@route("PATCH", "/customers/dictionaries/{kind}/{id}", body_model=dictionaries.EntryInput)
async def update_dictionary_entry(request: RestRequest) -> Any:
    kind, ident = request.match["kind"], request.match["id"]
    return await dictionaries.update_entry(request.ctx, kind, ident, await request.json_object())


@route("DELETE", "/customers/dictionaries/{kind}/{id}")
async def delete_dictionary_entry(request: RestRequest) -> Any:
    return await dictionaries.delete_entry(request.ctx, request.match["kind"], request.match["id"])
