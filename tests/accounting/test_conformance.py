"""The catalog walk over the accounting and shipping-carriers modules (one walk for both: it visits
the whole catalog): every operation served, guarded (401 without credentials) and in the
documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.accounting.conftest import invoice, selling_entity
from tests.factories import PASSWORD

MODULES = {"accounting": 10, "shipping-carriers": 7}


async def test_every_operation_of_the_modules_is_covered(client, aworld, boss):
    await invoice(boss, sellerEntityId=await selling_entity(boss, "Conformance sp. z o.o."))  # items to check
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": aworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
