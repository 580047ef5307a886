"""arq job of the currencies module: the daily exchange-rate sync (logic in ``resolvers.currencies.sync``)."""

from __future__ import annotations

from typing import Any

from arq import cron

from resolvers.currencies.sync import run_due_syncs


async def sync_exchange_rates(ctx: dict[str, Any]) -> int:
    """Run the fetch configurations that are due (a cron job, every few minutes)."""
    return await run_due_syncs(ctx["sessionmaker"], ctx["settings"])


CRON_JOBS = [cron(sync_exchange_rates, minute=set(range(0, 60, 5)), second={20})]
