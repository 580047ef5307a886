"""The catalog walk over the resources module: all 34 operations served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD
from tests.resources.conftest import SERVICE


async def test_every_resources_operation_is_covered(client, world, fleet):
    # Some data so list endpoints return items whose keys are checked too.
    bike = await fleet.resource(
        resourceTypeId=await fleet.create("resources/resource-types", {"name": "Moto"})
    )
    await fleet.create("resources/tags", {"label": "VIP"})
    await fleet.create("resources/service-book", {"entityId": bike, **SERVICE})
    await fleet.create("resources/activities", {"entityId": bike, "activityType": "call"})
    await fleet.create("resources/comments", {"entityId": bike, "body": "note"})
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, set(REGISTRY))
    resources = [r for r in results if r.module == "resources"]
    assert len(resources) == 34
    assert all(r.covered for r in resources), summary([r for r in resources if not r.covered])
