"""Runs: a real arq worker (burst mode, the run's Redis queue) evaluates due schedules and runs them
with the owner's rights; every run is recorded and its arq job can be read back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import func, select, update

from models.events import OutboxEvent
from models.scheduler import ScheduledJob, ScheduledJobExecution
from resolvers.scheduler.engine import enqueue_due, scheduled_job_id
from tests.scheduler.conftest import run_worker, schedule


async def executions(api: Any, job_id: str) -> list[dict[str, Any]]:
    status, page = await api.get(f"/api/scheduler/jobs/{job_id}/executions", params={"pageSize": 50})
    assert status == 200, page
    return page["items"]


async def make_due(sessionmaker: Any, job_id: str, due: datetime) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(ScheduledJob).where(ScheduledJob.id == uuid.UUID(job_id)).values(next_run_at=due)
        )
        await session.commit()


async def with_pool(settings: Any, job: Any) -> Any:
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
    )
    try:
        return await job(pool)
    finally:
        await pool.aclose()


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


async def clear_of_a_minute_boundary(margin: float = 20.0) -> None:
    """Wait for the next minute when fewer than ``margin`` seconds of this one are left: a worker
    ticking after the boundary rightly runs the new minute too, which a run-once assertion forbids."""
    now = datetime.now(UTC)
    left = 60 - now.second - now.microsecond / 1e6
    if left < margin:
        await asyncio.sleep(left + 0.5)


async def test_trigger_runs_on_the_worker_and_the_job_reads_back(planner, settings, sessionmaker, sworld):
    job_id = await schedule(planner, "Echo now", targetPayload={"message": "hello"})
    status, reply = await planner.post("/api/scheduler/trigger", {"id": job_id})
    assert status == 200 and reply["ok"] is True and reply["message"] == "Job queued", reply
    queue_job = reply["jobId"]
    [queued] = await executions(planner, job_id)
    assert (queued["status"], queued["triggerType"], queued["queueJobId"]) == ("queued", "manual", queue_job)
    status, waiting = await planner.get(
        f"/api/scheduler/queue-jobs/{queue_job}", params={"queue": settings.queue_name}
    )
    assert status == 200 and waiting["state"] == "waiting" and waiting["name"] == "scheduler_echo"

    await run_worker(settings)

    [done] = await executions(planner, job_id)
    assert done["status"] == "succeeded" and done["attemptsMade"] == 1 and done["durationMs"] is not None
    assert done["result"]["message"] == "hello" and done["result"]["tenantId"] == str(sworld.tenant_id)
    assert done["startedAt"] and done["finishedAt"] and done["errorMessage"] is None
    status, job = await planner.get(
        f"/api/scheduler/queue-jobs/{queue_job}", params={"queue": settings.queue_name}
    )
    assert status == 200, job
    assert job["state"] == "completed" and job["returnvalue"]["status"] == "succeeded"
    assert job["attemptsMade"] == 1 and job["processedOn"] and job["finishedOn"]
    assert any("succeeded" in line for line in job["logs"])
    item = (await planner.get("/api/scheduler/jobs", params={"ids": job_id}))[1]["items"][0]
    assert item["lastRunAt"] is not None
    async with sessionmaker() as session:
        names = set(
            (
                await session.execute(
                    select(OutboxEvent.name).where(OutboxEvent.payload["scheduleId"].astext == job_id)
                )
            ).scalars()
        )
    assert names == {"scheduler.scheduled_job_execution.succeeded"}
    # Redis is read only for runs the caller may see: another queue name or job id is a 404.
    assert (await planner.get(f"/api/scheduler/queue-jobs/{queue_job}", params={"queue": "other"}))[0] == 404
    assert (await planner.get("/api/scheduler/queue-jobs/cron:x", params={"queue": settings.queue_name}))[
        0
    ] == 404


async def test_a_due_minute_runs_once_even_with_two_workers(planner, settings, sessionmaker):
    job_id = await schedule(planner, "Every minute", scheduleValue="* * * * *")
    await clear_of_a_minute_boundary()
    due = minute(datetime.now(UTC)) - timedelta(minutes=3)
    await make_due(sessionmaker, job_id, due)

    await asyncio.gather(run_worker(settings, tick=True), run_worker(settings, tick=True))

    runs = await executions(planner, job_id)
    assert [(r["status"], r["triggerType"]) for r in runs] == [("succeeded", "scheduled")]
    assert runs[0]["queueJobId"] == scheduled_job_id(uuid.UUID(job_id), due)
    item = (await planner.get("/api/scheduler/jobs", params={"ids": job_id}))[1]["items"][0]
    next_run = datetime.fromisoformat(item["nextRunAt"].replace("Z", "+00:00"))
    assert next_run > datetime.now(UTC) - timedelta(seconds=5)  # missed minutes are not caught up

    # The same minute evaluated again (another worker, a retried cron job) adds nothing; the next
    # due minute adds exactly one run.
    await make_due(sessionmaker, job_id, due)
    later = due + timedelta(minutes=1)

    async def evaluate(pool: Any) -> tuple[list[str], list[str], list[str]]:
        first = await enqueue_due(settings, sessionmaker, pool, now=due)
        await make_due(sessionmaker, job_id, due)
        again = await enqueue_due(settings, sessionmaker, pool, now=due)
        return first, again, await enqueue_due(settings, sessionmaker, pool, now=later)

    first, again, following = await with_pool(settings, evaluate)
    mine = f"scheduler:{job_id}:"
    assert [j for j in first + again if j.startswith(mine)] == []
    assert [j for j in following if j.startswith(mine)] == [scheduled_job_id(uuid.UUID(job_id), later)]
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ScheduledJobExecution)
            .where(ScheduledJobExecution.schedule_id == uuid.UUID(job_id))
        )
    assert count == 2


async def test_a_command_target_runs_with_the_owners_rights(boss, planner, settings, sessionmaker, sworld):
    body = {
        "name": "Address format",
        "scheduleType": "interval",
        "scheduleValue": "1h",
        "targetType": "command",
        "targetCommand": "customers.set_customer_address_format",
        "targetPayload": {"addressFormat": "street_first"},
    }
    status, reply = await planner.post("/api/scheduler/jobs", body)
    assert status == 201, reply
    job_id = reply["id"]
    assert (await planner.get("/api/customers/settings/address-format"))[1] == {"addressFormat": "line_first"}
    assert (await planner.post("/api/scheduler/trigger", {"id": job_id}))[0] == 200
    await run_worker(settings)
    [run] = await executions(planner, job_id)
    assert run["status"] == "succeeded", run
    assert (await planner.get("/api/customers/settings/address-format"))[1] == {
        "addressFormat": "street_first"
    }

    # The owner loses the feature: the next run fails, recorded with the reason, and arq keeps the
    # job as failed.
    acl = {"roleId": str(sworld.role_ids["planner"]), "features": ["scheduler.jobs.*"]}
    assert (await boss.put("/api/auth/roles/acl", {**acl, "organizations": [str(sworld.branch_org)]}))[
        0
    ] == 200
    status, reply = await boss.post("/api/scheduler/trigger", {"id": job_id})
    assert status == 200
    await run_worker(settings)
    latest = (await executions(boss, job_id))[0]
    assert latest["status"] == "failed" and "customers.settings.manage" in latest["errorMessage"]
    status, job = await boss.get(
        f"/api/scheduler/queue-jobs/{reply['jobId']}", params={"queue": settings.queue_name}
    )
    assert job["state"] == "failed" and "customers.settings.manage" in job["failedReason"]


async def test_disabled_deleted_and_stale_runs(planner, settings, sessionmaker):
    disabled = await schedule(planner, "Paused", scheduleValue="* * * * *", isEnabled=False)
    item = (await planner.get("/api/scheduler/jobs", params={"ids": disabled}))[1]["items"][0]
    await make_due(sessionmaker, disabled, minute(datetime.now(UTC)) - timedelta(minutes=1))
    assert (await planner.post("/api/scheduler/trigger", {"id": disabled}))[0] == 200  # manual runs still run
    gone = await schedule(planner, "Gone")
    assert (await planner.post("/api/scheduler/trigger", {"id": gone}))[0] == 200
    assert (await planner.delete("/api/scheduler/jobs", json={"id": gone}))[0] == 200

    await run_worker(settings, tick=True)

    assert [r["status"] for r in await executions(planner, disabled)] == ["succeeded"]  # nothing due ran
    async with sessionmaker() as session:
        status = await session.scalar(
            select(ScheduledJobExecution.status).where(ScheduledJobExecution.schedule_id == uuid.UUID(gone))
        )
    assert status == "skipped"
    # Re-enabling computes the next run from now: the minutes it missed are not caught up.
    assert (await planner.put("/api/scheduler/jobs", {"id": disabled, "isEnabled": True}))[0] == 200
    resumed = (await planner.get("/api/scheduler/jobs", params={"ids": disabled}))[1]["items"][0]
    assert (
        resumed["nextRunAt"] > item["updatedAt"] and resumed["nextRunAt"] > datetime.now(UTC).isoformat()[:16]
    )

    # A run recorded but never queued (Redis was down) is queued again by the next evaluation; one
    # cut off while running (a job timeout) is recorded as failed.
    stale = await schedule(planner, "Stale")
    ago = datetime.now(UTC) - timedelta(minutes=20)
    async with sessionmaker() as session:
        owner = await session.get(ScheduledJob, uuid.UUID(stale))
        for status, minutes in (("queued", 5), ("running", 20)):
            session.add(
                ScheduledJobExecution(
                    id=uuid.uuid4(),
                    schedule_id=owner.id,
                    tenant_id=owner.tenant_id,
                    organization_id=owner.organization_id,
                    due_at=datetime.now(UTC) - timedelta(minutes=minutes),
                    trigger_type="scheduled",
                    status=status,
                    started_at=ago if status == "running" else None,
                    queue_job_id=f"scheduler:{owner.id}:{status}",
                    queue_name=settings.queue_name,
                    created_at=datetime.now(UTC) - timedelta(minutes=minutes),
                )
            )
        await session.commit()
    await run_worker(settings, tick=True)
    runs = {r["queueJobId"].rsplit(":", 1)[1]: r for r in await executions(planner, stale)}
    assert runs["queued"]["status"] == "succeeded"
    assert runs["running"]["status"] == "failed" and "did not finish" in runs["running"]["errorMessage"]
