"""The catalog walk over the planner, integrations, ai_assistant and sync_akeneo modules: every
operation served, guarded (401 without credentials) and in the documented shape."""

from __future__ import annotations

import uuid

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD
from tests.planner.conftest import RULE_SETS, RULES

MODULES = {"planner": 10, "integrations": 8, "ai_assistant": 7, "sync_akeneo": 6}


async def test_every_operation_of_the_modules_is_covered(client, pworld, planner_admin):
    status, _ = await planner_admin.post(RULE_SETS, {"name": "Workshop hours", "timezone": "Europe/Warsaw"})
    assert status == 201
    body = {
        "subjectType": "member",
        "subjectId": str(uuid.uuid4()),
        "timezone": "UTC",
        "rrule": "RRULE:FREQ=DAILY",
    }
    status, _ = await planner_admin.post(RULES, body)
    assert status == 201
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": pworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
