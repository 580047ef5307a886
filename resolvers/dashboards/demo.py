"""The dashboards module's demo data: a layout for the demo admin."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.dashboards import DashboardLayout
from resolvers.operations import OPERATIONS, invoke

LAYOUT = [
    ("dashboards.crm-kpis", "full"),
    ("customers.dashboard.next-interactions", "lg"),
    ("customers.dashboard.new-deals", "md"),
    ("customers.dashboard.new-customers", "md"),
    ("cases.open-cases", "md"),
]


async def seed(self: DemoSeeder) -> None:
    """The admin's dashboard (left alone once it exists: the admin may have changed it)."""
    user_id = self.ctx.require_auth().user_id
    async with self.ctx.read_session() as session:
        if await session.scalar(select(DashboardLayout.id).where(DashboardLayout.user_id == user_id)):
            return
    items = [
        {"widgetId": widget, "order": order, "size": size} for order, (widget, size) in enumerate(LAYOUT)
    ]
    await invoke(OPERATIONS["save_dashboard_layout"], self.ctx, {"items": items})
