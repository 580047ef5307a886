"""The daily rate sync: every enabled fetch configuration with a ``syncTime`` (HH:MM, UTC) is run once
a day, at the first check after that time (the worker checks every few minutes). A run is the same
fetch as ``POST /currencies/fetch-rates`` for the configuration's organization, done as system work;
it notes its outcome on the configuration, which is what makes it due again only the next day.
Running it twice is harmless: rates are upserted.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.config import Settings
from crmgraph.context import RequestContext
from models.currencies import CurrencyFetchConfig
from resolvers.currencies.fetching import fetch_rates

log = logging.getLogger("crmgraph.currencies")


def due_query(now: datetime) -> Any:
    """Enabled configurations whose sync time has come today and that have not run since."""
    today = now.astimezone(UTC).date()
    since = datetime.combine(today, time(), UTC)
    return select(CurrencyFetchConfig).where(
        CurrencyFetchConfig.is_enabled.is_(True),
        CurrencyFetchConfig.sync_time.is_not(None),
        CurrencyFetchConfig.sync_time <= now.astimezone(UTC).strftime("%H:%M"),
        or_(CurrencyFetchConfig.last_sync_at.is_(None), CurrencyFetchConfig.last_sync_at < since),
    )


async def run_due_syncs(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None = None
) -> int:
    """Fetch today's rates for every organization with a configuration due; returns how many
    organizations were synced (one failing organization does not stop the others)."""
    now = now or datetime.now(UTC)
    ctx = RequestContext(settings=settings, sessionmaker=sessionmaker)  # system work: no caller
    async with ctx.read_session(system=True) as session:
        due = list((await session.execute(due_query(now))).scalars())
    providers: dict[tuple[uuid.UUID, uuid.UUID], list[str]] = defaultdict(list)
    for config in sorted(due, key=lambda c: c.provider):
        providers[(config.tenant_id, config.organization_id)].append(config.provider)
    synced = 0
    for (tenant_id, org_id), names in providers.items():
        try:
            await fetch_rates(ctx, tenant_id, org_id, now.astimezone(UTC).date(), names, system=True)
            synced += 1
        except Exception:  # logged; the next organization still syncs
            log.exception("rate sync of organization %s failed", org_id)
    return synced
