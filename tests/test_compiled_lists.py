"""The compiled list path (JSON built in SQL) returns exactly what Python serialization returns."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crmgraph.db import count_statements
from openapi_compat.mount import register_routes
from resolvers.crud import service
from resolvers.entity import ENTITIES, Entity, json_row, serialize
from resolvers.listing import ListParams
from resolvers.prepared import preparable, prepared_page

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


@pytest.mark.parametrize("entity", [e for e in ENTITIES.values() if e.path], ids=lambda e: e.name)
async def test_prepared_pages_equal_built_pages(client, world, admin, platform, entity: Entity):
    """The prepared statement of a list shape answers what the statement built per request answers
    (sorts, directions, later pages), in as many statements."""
    ctx = await _context(client, world)
    for sort in [None, *sorted(entity.sort_columns())[:2]]:
        for params in (
            ListParams(page=1, page_size=2, sort_field=sort, sort_dir="desc"),
            ListParams(page=2, page_size=1, sort_field=sort),
            ListParams(page=50, page_size=3, sort_field=sort),
        ):
            if not preparable(ctx, entity, params):  # a visibility rule or default filters
                continue
            built = await service(entity).page(ctx, params, select(json_row(entity)))  # scope now cached
            async with count_statements() as built_count:
                await service(entity).page(ctx, params, select(json_row(entity)))
            async with count_statements() as prepared_count:
                prepared = await prepared_page(ctx, entity, params)
            assert (prepared.items, prepared.total, prepared.page) == (built.items, built.total, built.page)
            assert prepared_count.count == built_count.count


async def test_filtered_lists_are_built_per_request(client, world):
    from resolvers.customers.people import PERSON

    ctx = await _context(client, world)
    assert preparable(ctx, PERSON, ListParams())
    assert not preparable(ctx, PERSON, ListParams(search="anna"))
    assert not preparable(ctx, PERSON, ListParams(ids=[]))
    assert not preparable(ctx, PERSON, ListParams(filters={PERSON.filters[0].name: "x"}))
    assert not preparable(ctx, PERSON, ListParams(sort_field="cf_priority"))
    assert preparable(ctx, PERSON, ListParams(filters={"undeclared": "x"}))  # ignored, as page() does


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
    return RequestContext(
        settings=client.app[SETTINGS], sessionmaker=state["sessionmaker"], principal=principal
    )
