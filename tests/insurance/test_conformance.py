"""The catalog walk over this job's modules: every operation served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD

MODULES = {"insurance": 28, "partner_programs": 7, "lead-intake": 1, "customer_signals": 2}


async def test_every_operation_of_these_modules_is_covered(client, world, rec):
    insurer = await rec.insurer()
    await rec.contact(insurer)
    await rec.policy(insurer)
    await rec.lead()
    await rec.create("/partner_programs/programs", {"name": "Conformance"})
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
