"""The catalog walk over the procurement module: all 30 operations served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD


async def test_every_procurement_operation_is_covered(client, world, proc):
    # Some data so list endpoints return items whose keys are checked too.
    process = await proc.process("Conformance process")
    item = await proc.line_item(process)
    supplier = await proc.supplier(process, lineItemIds=[item])
    await proc.task(process, supplierId=supplier)
    await proc.rule("new", "sourcing")
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, set(REGISTRY))
    procurement = [r for r in results if r.module == "procurement"]
    assert len(procurement) == 30
    assert all(r.covered for r in procurement), summary([r for r in procurement if not r.covered])
    assert all(r.status is not None and r.status < 500 for r in procurement)
