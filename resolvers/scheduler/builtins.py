"""The scheduler's own queue targets: pruning old run records (the nightly housekeeping schedule) and
an echo that records its payload (to check that a schedule runs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import delete

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest
from models.scheduler import ScheduledJobExecution
from resolvers.events import record_command
from resolvers.scheduler.engine import FAILED, SKIPPED, SUCCEEDED
from resolvers.scheduler.executions import EXECUTION
from resolvers.scheduler.jobs import MANAGE
from resolvers.scheduler.targets import MODULE, queue_target
from resolvers.scope import entity_conditions
from resolvers.undo import NOT_AVAILABLE, Direction, undo_handler
from resolvers.validation import text

PRUNE = "scheduler_prune_executions"
ECHO = "scheduler_echo"


class PrunePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keepDays: int = PydanticField(30, ge=1, le=3650)


class EchoPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: text(200) | None = None


@queue_target(
    PRUNE, "Delete finished scheduler runs older than keepDays (default 30)", PrunePayload, (MANAGE,)
)
async def prune_executions(ctx: RequestContext, payload: PrunePayload) -> dict[str, Any]:
    """Delete the finished runs older than ``keepDays`` in the schedule's tenant and organizations."""
    cutoff = datetime.now(UTC) - timedelta(days=payload.keepDays)
    async with ctx.unit_of_work(command=f"{MODULE}.{PRUNE}") as uow:
        result = await uow.session.execute(
            delete(ScheduledJobExecution).where(
                ScheduledJobExecution.status.in_((SUCCEEDED, FAILED, SKIPPED)),
                ScheduledJobExecution.finished_at < cutoff,
                *await entity_conditions(ctx, EXECUTION),
            )
        )
        deleted = result.rowcount or 0
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="scheduled_job_execution",
            verb="prune",
            event="pruned",
            resource_id=None,
            tenant_id=ctx.tenant_id(),
            payload={"deleted": deleted, "before": cutoff.isoformat()},
        )
    return {"deleted": deleted, "keepDays": payload.keepDays}


@undo_handler(f"{MODULE}.scheduled_job_execution.prune")
async def _no_undo(ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction) -> None:
    raise BadRequest(NOT_AVAILABLE, reason="pruned runs are gone")


@queue_target(ECHO, "Echo: record the payload's message (checks that a schedule runs)", EchoPayload)
async def echo(ctx: RequestContext, payload: EchoPayload) -> dict[str, Any]:
    """No side effect: the run's result is the message, the tenant and when it ran."""
    return {"message": payload.message, "tenantId": str(ctx.tenant_id()), "at": datetime.now(UTC).isoformat()}
