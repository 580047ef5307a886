"""The catalog walk: every auth, directory and api_keys operation is served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD

FOUNDATION = {"auth", "directory", "api_keys"}


async def test_foundation_operations_are_covered(client, world):
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, set(REGISTRY))
    foundation = [r for r in results if r.module in FOUNDATION]
    assert len(foundation) == 43
    not_covered = [r for r in foundation if not r.covered]
    assert not not_covered, summary(not_covered)
    assert all(r.status is not None and r.status < 500 for r in results if r.served)
    # A handler answered the documented example for most operations with a success.
    successes = [r for r in foundation if r.status and 200 <= r.status < 400]
    assert len(successes) >= 20, [(r.method, r.path, r.status) for r in foundation]
    assert summary(results).startswith("conformance: ")
