"""The catalog walk over the example and onboarding modules: every operation served, guarded (401
without credentials where the catalog says so) and in the documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.example.conftest import created, person
from tests.factories import PASSWORD

MODULES = {"example": 17, "onboarding": 4}


async def test_every_operation_of_the_modules_is_covered(client, eworld, boss):
    # Lists return items whose keys are checked.
    await created(boss, "/api/example/todos", {"title": "Check the chain"})
    await created(boss, "/api/example/customer-priorities", {"customerId": await person(boss)})
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": eworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
