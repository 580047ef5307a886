"""The catalog walk over the webhooks module: every operation served, guarded and in the documented shape."""

from __future__ import annotations

import uuid

from crmgraph.conformance import check_all, summary
from models.webhooks import WebhookDelivery
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD

MODULES = {"webhooks": 24}


async def test_every_operation_of_the_module_is_covered(client, wworld, boss, sessionmaker):
    status, hook = await boss.post(
        "/api/webhooks",
        {
            "name": "Conformance",
            "url": "https://93.184.215.14/hook",
            "subscribedEvents": ["*"],
            "timeoutMs": 1000,
        },
    )
    assert status == 201, hook
    async with sessionmaker() as session:  # a delivery, so the lists have an item whose keys are checked
        session.add(
            WebhookDelivery(
                id=uuid.uuid4(),
                tenant_id=wworld.tenant_id,
                organization_id=wworld.root_org,
                webhook_id=uuid.UUID(hook["id"]),
                event_type="customers.person.created",
                message_id=f"msg_{uuid.uuid4().hex}",
                status="failed",
                payload={},
                target_url="https://93.184.215.14/hook",
                attempt_number=1,
                max_attempts=1,
            )
        )
        await session.commit()
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": wworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    mine = [r for r in results if r.module in MODULES]
    assert {m: sum(r.module == m for r in mine) for m in MODULES} == MODULES
    assert all(r.covered for r in mine), summary([r for r in mine if not r.covered])
    assert all(r.status is not None for r in mine)
