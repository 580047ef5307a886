"""The catalog walk over the scheduler, feature_toggles and configs modules: every operation served,
guarded (401 without credentials) and in the documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD
from tests.scheduler.conftest import schedule
from tests.scheduler.test_feature_toggles import toggle

MODULES = {"scheduler": 8, "feature_toggles": 12, "configs": 6}


async def test_every_operation_of_the_modules_is_covered(client, sworld, boss, platform):
    await schedule(boss)  # lists return items whose keys are checked
    await toggle(platform)
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": sworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
    # The list routes answered (200) and were checked against the documented item keys.
    listed = {(r.method, r.path): r.status for r in mine}
    assert listed[("GET", "/scheduler/jobs")] == 200 and listed[("GET", "/feature_toggles/global")] == 200
