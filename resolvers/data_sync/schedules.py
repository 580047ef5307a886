"""Due schedules: every minute the worker queues a run of each enabled schedule whose
``nextRunAt`` has come, as the schedule's creator (their features and scope apply; a creator who
no longer exists or lost access makes the schedule skip), then moves ``nextRunAt`` on. Only export
mappings run on a schedule: an import has no records to read without a caller."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crmgraph.context import RequestContext, Selection
from models.data_sync import DataSyncMapping, DataSyncSchedule
from resolvers.data_sync.entities import next_run
from resolvers.data_sync.runs import queue_run
from resolvers.scope import load_in_scope

log = logging.getLogger("crmgraph.data_sync")


async def run_due_schedules(
    sessionmaker: Any, settings: Any, enqueue: Any = None, now: datetime | None = None
) -> int:
    """Queue the due schedules' runs; returns how many were queued."""
    from resolvers.scheduler.engine import owner_principal

    now = now or datetime.now(UTC)
    system = RequestContext(settings=settings, sessionmaker=sessionmaker, enqueue=enqueue)
    async with system.read_session(system=True) as session:
        due = list(
            (
                await session.execute(
                    select(DataSyncSchedule).where(
                        DataSyncSchedule.is_enabled.is_(True),
                        DataSyncSchedule.deleted_at.is_(None),
                        DataSyncSchedule.next_run_at <= now,
                    )
                )
            ).scalars()
        )
    queued = 0
    for schedule in due:
        try:
            async with system.read_session(system=True) as session:
                owner = await owner_principal(session, schedule.created_by)
            if owner is not None:
                org = str(schedule.organization_id) if schedule.organization_id else None
                ctx = RequestContext(
                    settings=settings, sessionmaker=sessionmaker, principal=owner,
                    selection=Selection(str(schedule.tenant_id), org), enqueue=enqueue,
                )  # fmt: skip
                if ctx.tenant_id() == schedule.tenant_id and owner.has("data_sync.run"):
                    async with ctx.unit_of_work(command="data_sync.schedule_run") as uow:
                        mapping = await load_in_scope(
                            ctx, uow.session, DataSyncMapping, schedule.mapping_id, "Mapping"
                        )
                        if mapping.direction == "export" and mapping.is_active:
                            await queue_run(ctx, uow, mapping, [])
                            queued += 1
        except Exception:  # logged; the other schedules still run
            log.exception("data sync schedule %s failed", schedule.id)
        async with system.unit_of_work(system=True) as uow:
            row = await uow.session.get(DataSyncSchedule, schedule.id, with_for_update=True)
            row.last_run_at = now
            row.next_run_at = next_run(row.interval_minutes, row.is_enabled, now)
    return queued
