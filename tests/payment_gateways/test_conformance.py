"""The catalog walk over the payment_gateways and checkout modules: every operation served, guarded
(401 without credentials) and answering without a server error."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD
from tests.payment_gateways.conftest import session

MODULES = {"payment_gateways": 10, "checkout": 18}


async def test_every_operation_of_the_modules_is_covered(papp, pworld, boss):
    await session(boss, providerKey="manual")  # lists return items whose keys are checked
    mine = {key for key in REGISTRY if key[1].startswith(("/payment_gateways/", "/checkout/"))}
    base = str(papp.make_url("/"))
    results = await check_all(base, {"email": pworld.admin_email, "password": PASSWORD}, mine)
    ours = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in ours) for m in MODULES} == MODULES
    assert all(r.covered for r in ours), summary([r for r in ours if not r.covered])
    assert all(r.status is not None for r in ours)
