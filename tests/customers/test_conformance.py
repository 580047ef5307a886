"""The catalog walk over the customers module: all 66 operations served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD


async def test_every_customers_operation_is_covered(client, world, crm):
    # Some data so list endpoints return items whose keys are checked too.
    company = await crm.company("Conformance Co", primaryEmail="co@example.com")
    person = await crm.person("Con", "Formance", companyEntityId=company)
    _, stages = await crm.pipeline("Conformance pipeline")
    deal = await crm.deal("Conformance deal", pipelineStageId=stages[0], personIds=[person])
    for path, body in (
        ("activities", {"entityId": person, "activityType": "call"}),
        ("comments", {"entityId": person, "body": "hello", "dealId": deal}),
        ("addresses", {"entityId": person, "addressLine1": "Main 1"}),
        ("todos", {"entityId": person, "title": "call back"}),
        ("interactions", {"entityId": person, "interactionType": "call"}),
        ("tags", {"label": "VIP"}),
    ):
        await crm.create(path, body)
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": world.admin_email, "password": PASSWORD}, set(REGISTRY))
    customers = [r for r in results if r.module == "customers"]
    assert len(customers) == 66
    assert all(r.covered for r in customers), summary([r for r in customers if not r.covered])
    print(summary(customers))
    print([(r.method, r.path, r.status) for r in customers])
