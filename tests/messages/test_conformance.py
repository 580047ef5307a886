"""The catalog walk over the messages module: every operation served, guarded (401 without
credentials) and in the documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD
from tests.messages.conftest import compose

MODULES = {"messages": 24}


async def test_every_operation_of_the_module_is_covered(client, mworld, users):
    (mechanic, _), (_, admin_id) = users["mechanic"], users["admin"]
    await compose(mechanic, [admin_id])  # the admin's inbox returns an item whose keys are checked
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": mworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
