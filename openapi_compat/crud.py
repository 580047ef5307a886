"""REST CRUD routes derived from an entity declaration, in the documented shapes."""

from __future__ import annotations

import json
from typing import Any

from openapi_compat.routing import RawJson, Reply, RestRequest, route
from resolvers.crud import service
from resolvers.entity import Entity, readable_item, serialize
from resolvers.listing import Page, parse_list_query


async def list_payload(entity: Entity, request: RestRequest) -> dict[str, Any]:
    """The documented list envelope with items serialized (and enriched) in Python."""
    params = parse_list_query(entity, request.query)
    page = await service(entity).list(request.ctx, params)
    items = [readable_item(request.ctx, entity, serialize(entity, obj)) for obj in page.items]
    if entity.enrich and items:
        await entity.enrich(request.ctx, entity, page.items, items)
    return page.envelope(items)


async def list_response(entity: Entity, request: RestRequest) -> Any:
    """List route body: compiled to JSON in SQL unless the entity enriches items in Python."""
    if entity.enrich is not None:
        return await list_payload(entity, request)
    return raw_page(await service(entity).list_json(request.ctx, parse_list_query(entity, request.query)))


def raw_page(page: Page) -> RawJson:
    """The list envelope around items that are already JSON text (rendered by PostgreSQL)."""
    envelope = json.dumps(page.envelope([]))
    return RawJson(envelope.replace('"items": []', '"items": [' + ",".join(page.items) + "]", 1))


def crud_routes(entity: Entity, verbs: tuple[str, ...] | None = None) -> None:
    """Register list/create/update/delete for ``entity`` at its documented path. The features are
    the entity's per verb, checked once by ``EntityService``."""
    assert entity.path, f"{entity.name} has no REST path"
    verbs = verbs or entity.rest_verbs
    svc = service(entity)

    if "GET" in verbs:

        @route("GET", entity.path, entity=entity, features=entity.features.view, enforce=False)
        async def list_items(request: RestRequest) -> Any:
            return await list_response(entity, request)

    if "POST" in verbs:

        @route("POST", entity.path, entity=entity, status=201, features=entity.features.create, enforce=False)
        async def create_item(request: RestRequest) -> Any:
            obj, extra = await svc.create(request.ctx, await request.json_object())
            return Reply({"id": str(obj.id), **extra}, 201)

    if "PUT" in verbs:

        @route("PUT", entity.path, entity=entity, features=entity.features.update, enforce=False)
        async def update_item(request: RestRequest) -> Any:
            await svc.update(request.ctx, await request.json_object())
            return {"ok": True}

    if "DELETE" in verbs:

        @route("DELETE", entity.path, entity=entity, features=entity.features.delete, enforce=False)
        async def delete_item(request: RestRequest) -> Any:
            await svc.delete(request.ctx, await request.id_param())
            return {"ok": True}


def item_routes(entity: Entity, verbs: tuple[str, ...] = ("GET", "PUT", "DELETE")) -> None:
    """Register read/update/delete of one row at ``<path>/{id}`` (for modules documenting item paths):
    the row as its list items are (404 out of scope), ``{ok: true}`` after an update, 204 after a
    delete. The features are the entity's per verb, checked by ``EntityService``."""
    assert entity.path, f"{entity.name} has no REST path"
    path, svc = f"{entity.path}/{{id}}", service(entity)

    if "GET" in verbs:

        @route("GET", path, entity=entity, features=entity.features.view, enforce=False)
        async def get_item(request: RestRequest) -> Any:
            obj = await svc.get(request.ctx, request.match["id"])
            return readable_item(request.ctx, entity, serialize(entity, obj))

    if "PUT" in verbs:

        @route("PUT", path, entity=entity, features=entity.features.update, enforce=False)
        async def update_item(request: RestRequest) -> Any:
            await svc.update(request.ctx, await request.json_object(), id_=request.match["id"])
            return {"ok": True}

    if "DELETE" in verbs:

        @route("DELETE", path, entity=entity, features=entity.features.delete, enforce=False)
        async def delete_item(request: RestRequest) -> Any:
            await svc.delete(request.ctx, request.match["id"])
            return Reply(None, 204)
