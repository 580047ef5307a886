"""The compiled list path (JSON built in SQL) returns exactly what Python serialization returns."""

from __future__ import annotations

import json

import pytest

from openapi_compat.mount import register_routes
from resolvers.crud import service
from resolvers.entity import ENTITIES, Entity, serialize
from resolvers.listing import ListParams

register_routes()  # every module's routes, entities and operations


@pytest.mark.parametrize("entity", [e for e in ENTITIES.values() if e.path], ids=lambda e: e.name)
async def test_compiled_rows_equal_python_rows(client, world, admin, platform, entity: Entity):
    from crmgraph.app import CTX  # noqa: F401 - the request context type lives with the app

    ctx = await _context(client, world)
    params = ListParams(page=1, page_size=100, sort_field=None)
    python_page = await service(entity).list(ctx, params)
    compiled_page = await service(entity).list_json(ctx, params)
    assert compiled_page.total == python_page.total
    compiled = [json.loads(row) for row in compiled_page.items]
    python = [serialize(entity, obj) for obj in python_page.items]
    assert [{k: row[k] for k in ref} for row, ref in zip(compiled, python, strict=True)] == python
    for row in compiled:  # plus the entity's SQL-computed keys
        assert all(extra.key in row for extra in entity.computed)


async def test_total_past_the_last_page(admin):
    status, page = await admin.get("/api/directory/tenants?page=99")
    assert status == 200 and page["items"] == [] and page["total"] == 1 and page["totalPages"] == 1


async def _context(client, world):
    from sqlalchemy import select

    from crmgraph.app import SETTINGS, STATE
    from crmgraph.authn import load_user_principal
    from crmgraph.context import RequestContext
    from models.auth import User

    state = client.app[STATE]
    async with state["sessionmaker"]() as session:
        user_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        principal = await load_user_principal(session, user_id)
    return RequestContext(settings=client.app[SETTINGS], sessionmaker=state["sessionmaker"], principal=principal)
