"""The webhooks module's demo data: one disabled endpoint (``https://example.invalid/hook``, a name
that never resolves) subscribed to the people events, so a newcomer sees the shape without it firing."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.webhooks.entities import WEBHOOK

DEMO_URL = "https://example.invalid/hook"


async def seed(self: DemoSeeder) -> None:
    payload = {
        "name": "Demo CRM sync (disabled)",
        "description": "Receives people changes once enabled and pointed at a real receiver.",
        "url": DEMO_URL,
        "subscribedEvents": ["customers.person.created", "customers.person.updated"],
        "isActive": False,
    }
    self.ids["webhook:demo"] = await self.ensure(WEBHOOK, {"url": DEMO_URL}, payload)
