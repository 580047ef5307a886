"""The feature_toggles demo data: two toggles and the demo tenant's override of one.

Toggles are the platform's: only a platform admin's seeding (``crmgraph seed``: the demo admin holds
the global superadmin role) defines them; a tenant's super admin only sets its override.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.feature_toggles import FeatureToggle, FeatureToggleOverride
from resolvers.operations import OPERATIONS, invoke

TOGGLES = [
    {
        "identifier": "customers.timeline.compact",
        "name": "Compact customer timeline",
        "description": "Show the customer timeline one line per entry.",
        "category": "Customers",
        "type": "boolean",
        "defaultValue": False,
    },
    {
        "identifier": "dashboards.refresh-seconds",
        "name": "Dashboard refresh interval",
        "description": "Seconds between automatic refreshes of dashboard widgets.",
        "category": "Dashboards",
        "type": "number",
        "defaultValue": 60,
    },
]
OVERRIDDEN = "customers.timeline.compact"  # enabled for the demo tenant


async def seed(self: DemoSeeder) -> None:
    ctx = self.ctx
    principal = ctx.require_auth()
    for payload in TOGGLES:
        async with ctx.read_session() as session:
            found = await session.scalar(
                select(FeatureToggle.id).where(
                    FeatureToggle.identifier == payload["identifier"], FeatureToggle.deleted_at.is_(None)
                )
            )
        if found is None and principal.is_platform_admin:
            _, created = await invoke(OPERATIONS["create_feature_toggle"], ctx, payload)
            found = created["id"]
        if found is not None:
            self.ids[f"toggle:{payload['identifier']}"] = uuid.UUID(str(found))
    toggle_id = self.ids.get(f"toggle:{OVERRIDDEN}")
    if toggle_id is None or not principal.is_super_admin:
        return
    async with ctx.read_session() as session:
        overridden = await session.scalar(
            select(FeatureToggleOverride.id).where(
                FeatureToggleOverride.toggle_id == toggle_id,
                FeatureToggleOverride.tenant_id == ctx.tenant_id(),
            )
        )
    if overridden is None:
        body = {"toggleId": str(toggle_id), "isOverride": True, "state": "enabled"}
        await invoke(OPERATIONS["set_feature_toggle_override"], ctx, body)
