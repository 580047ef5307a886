"""The integrations' demo data: the NBP exchange-rate integration checked once (no credentials
needed, no network), so the registry shows a health result and the log an entry."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.integrations.store import state_of
from resolvers.operations import OPERATIONS, invoke


async def seed(self: DemoSeeder) -> None:
    async with self.ctx.read_session() as session:
        if await state_of(session, self.ctx, "currency_nbp") is not None:
            return
    await invoke(OPERATIONS["integration_health_check"], self.ctx, {"id": "currency_nbp"})
