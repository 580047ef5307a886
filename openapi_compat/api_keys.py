"""REST routes of the api_keys module."""

from __future__ import annotations

from typing import Any

from openapi_compat.crud import crud_routes
from openapi_compat.routing import Reply, RestRequest, route
from resolvers.api_keys import API_KEY, create_api_key
from resolvers.crud import service

crud_routes(API_KEY)  # GET only; create and delete have their own documented bodies


@route("POST", "/api_keys/keys", entity=API_KEY, status=201)
async def create_key(request: RestRequest) -> Any:
    return Reply(await create_api_key(request.ctx, await request.json_object()), 201)


@route("DELETE", "/api_keys/keys", entity=API_KEY)
async def delete_key(request: RestRequest) -> Any:
    await service(API_KEY).delete(request.ctx, await request.id_param())
    return {"success": True}
