"""The catalog walk over the dictionaries, currencies, translations and perspectives modules: every
operation served, guarded (401 without credentials) and in the documented shape."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.currencies.conftest import currency, rate
from tests.dictionaries.conftest import created
from tests.factories import PASSWORD

MODULES = {"dictionaries": 9, "currencies": 14, "translations": 5, "perspectives": 4}


async def test_every_operation_of_the_modules_is_covered(client, xworld, boss):
    # Lists return items, so their keys are checked too.
    await created(boss, "/api/dictionaries", {"key": "brands", "name": "Brands"})
    await currency(boss, "PLN", isBase=True)
    await currency(boss, "EUR")
    await rate(boss, "EUR", "PLN", "4.2537")
    assert (await boss.post("/api/currencies/fetch-configs", {"provider": "NBP"}))[0] == 201
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": xworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
