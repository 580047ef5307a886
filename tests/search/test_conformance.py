"""The catalog walk over the search and query_index modules: every operation served, guarded (401
without credentials) and in the documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD, make_world

MODULES = {"search": 15, "query_index": 3}


async def test_every_operation_of_the_modules_is_covered(client, sessionmaker):
    world = await make_world(sessionmaker)
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
