"""The catalog walk over the customer_accounts module: every operation served, in the documented
shape (staff credentials reach the admin routes; the portal routes answer them 401)."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD

MODULES = {"customer_accounts": 41}


async def test_every_operation_of_the_module_is_covered(client, cworld):
    base = str(client.make_url("/"))
    mine_only = {key for key in REGISTRY if key[1].startswith("/customer_accounts/")}  # others not walked
    results = await check_all(base, {"email": cworld.admin_email, "password": PASSWORD}, mine_only)
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
