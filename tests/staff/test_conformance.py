"""The catalog walk over the staff module: all 38 operations served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD


async def test_every_staff_operation_is_covered(client, world, staff):
    # Some data so list endpoints return items whose keys are checked too.
    team = await staff.create("teams", {"name": "Workshop"})
    await staff.create("team-roles", {"name": "Mechanic", "teamId": team})
    member = await staff.member(teamId=team, tags=["senior"])
    await staff.leave(member)
    await staff.create("activities", {"entityId": member, "activityType": "call"})
    await staff.create("comments", {"entityId": member, "body": "note"})
    await staff.create("addresses", {"entityId": member, "addressLine1": "Main 1"})
    await staff.create("job-histories", {"entityId": member, "name": "Apprentice", "startDate": "2020-01-01"})
    base = str(client.make_url("/"))
    ours = {(method, path) for method, path in REGISTRY if path.startswith("/staff/")}  # walk only ours
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, ours)
    found = [r for r in results if r.module == "staff"]
    assert len(found) == 38
    assert all(r.covered for r in found), summary([r for r in found if not r.covered])
