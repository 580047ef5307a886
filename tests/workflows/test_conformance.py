"""The catalog walk over workflows and business_rules: every operation served, guarded and in the
documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD
from tests.workflows.conftest import define, make_rule, start

MODULES = {"workflows": 21, "business_rules": 17}


async def test_every_operation_of_the_modules_is_covered(client, wworld, boss):
    definition = await define(boss)
    await start(boss, definition["workflowId"], context={"amount": 5000})
    rule = await make_rule(boss)
    status, _ = await boss.post(f"/api/business_rules/execute/{rule}", {"data": {"total": 5}})
    assert status == 200
    status, reply = await boss.post("/api/business_rules/sets", {"setId": "S1", "setName": "Set"})
    assert status == 201, reply
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": wworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
