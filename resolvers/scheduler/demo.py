"""The scheduler's demo data: the nightly clean-up schedule of the demo organization."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.scheduler.defaults import install_default_schedules


async def seed(self: DemoSeeder) -> None:
    (self.ids["schedule:nightly"],) = await install_default_schedules(self.ctx)
