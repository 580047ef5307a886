"""``track()``: the Python API of long-running work. Reports are throttled, persisted in their own
transactions, published as events (not action-log entries); a cancellation through REST or GraphQL
stops the work at its next report; a failure marks the job failed; the console bar follows it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import func, select, text

from crmgraph.errors import ValidationFailed, issue
from models.audit import ActionLog
from models.events import OutboxEvent
from resolvers.progress.console import ConsoleBar
from resolvers.progress.tracker import Tracker, track
from tests.conftest import Api
from tests.factories import World
from tests.progress.conftest import context_of, create_job, job


async def job_events(sessionmaker: Any, ident: Any) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.name)
            .where(OutboxEvent.payload["id"].astext == str(ident))
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
        )
        return list(rows)


async def action_log_entries(sessionmaker: Any, ident: Any) -> int:
    async with sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(ActionLog).where(ActionLog.resource_id == str(ident))
        )


async def test_a_tracked_block_completes_its_job(
    sessionmaker: Any, settings: Any, pworld: World, worker: Api
) -> None:
    ctx = await context_of(sessionmaker, settings, pworld.emails["worker"])
    seen: list[tuple[int, str | None]] = []
    async with track(
        ctx,
        "Reindex",
        total=4,
        job_type="test.reindex",
        interval=0,
        observers=[lambda t: seen.append((t.processed, t.status))],
    ) as tracked:
        for _ in range(4):
            await tracked.advance(message="indexing")
    body = await job(worker, str(tracked.id))  # the owner reads it through the API
    assert body["status"] == "completed" and body["processedCount"] == 4 and body["progressPercent"] == 100
    assert body["organizationId"] == str(pworld.branch_org) and body["jobType"] == "test.reindex"
    assert seen == [
        (0, "running"),
        (1, "running"),
        (2, "running"),
        (3, "running"),
        (4, "running"),
        (4, "completed"),
    ]
    events = await job_events(sessionmaker, tracked.id)
    assert events == ["progress.progress_job.created"] + ["progress.progress_job.updated"] * 4 + [
        "progress.progress_job.completed"
    ]
    assert await action_log_entries(sessionmaker, tracked.id) == 0  # telemetry, not user commands


async def test_reports_are_throttled(sessionmaker: Any, settings: Any, pworld: World) -> None:
    ctx = await context_of(sessionmaker, settings, pworld.emails["worker"])
    async with track(ctx, "Many small steps", total=500, interval=3600) as tracked:
        for _ in range(500):
            await tracked.advance()
    # Nothing was due within the hour: only the start and the end were written.
    assert await job_events(sessionmaker, tracked.id) == [
        "progress.progress_job.created",
        "progress.progress_job.completed",
    ]


@pytest.mark.parametrize("via", ["rest", "graphql"])
async def test_a_cancellation_through_the_api_stops_the_work(
    sessionmaker: Any, settings: Any, pworld: World, worker: Api, boss: Api, via: str
) -> None:
    ctx = await context_of(sessionmaker, settings, pworld.emails["worker"])
    done = 0
    async with track(ctx, "Long import", total=1000, interval=0) as tracked:
        for step in range(1000):
            if step == 3:  # an administrator cancels it meanwhile
                if via == "rest":
                    assert (await boss.delete(f"/api/progress/jobs/{tracked.id}"))[0] == 204
                else:
                    reply = await boss.gql(f'mutation {{ cancelProgressJob(id: "{tracked.id}") {{ id }} }}')
                    assert "errors" not in reply, reply
            await tracked.advance()
            done += 1
    assert tracked.cancelled and tracked.status == "cancelled"
    assert done == 3  # the report after the cancellation raised, the block stopped
    body = await job(worker, str(tracked.id))
    assert body["status"] == "cancelled" and body["processedCount"] == 3 and body["finishedAt"] is not None
    assert (await job_events(sessionmaker, tracked.id))[-2:] == [
        "progress.progress_job.cancel_requested",
        "progress.progress_job.cancelled",
    ]


async def test_a_failure_marks_the_job_failed_and_propagates(
    sessionmaker: Any, settings: Any, pworld: World, worker: Api
) -> None:
    ctx = await context_of(sessionmaker, settings, pworld.emails["worker"])
    with pytest.raises(ValidationFailed):
        async with track(ctx, "Doomed", total=2) as tracked:
            await tracked.advance()
            raise ValidationFailed([issue("file", "Unreadable row 7")], "Row 7 is unreadable")
    body = await job(worker, str(tracked.id))
    assert body["status"] == "failed" and body["errorMessage"] == "Row 7 is unreadable"
    with pytest.raises(RuntimeError):
        async with track(ctx, "Crashing", total=2) as crashing:
            raise RuntimeError("SELECT secret FROM somewhere")
    assert (await job(worker, str(crashing.id)))["errorMessage"] == "RuntimeError"  # never the text


async def test_a_job_created_through_the_api_is_adopted(
    sessionmaker: Any, settings: Any, pworld: World, worker: Api
) -> None:
    ident = await create_job(worker, totalCount=2, cancellable=True)
    ctx = await context_of(sessionmaker, settings, pworld.emails["worker"])
    async with track(ctx, "ignored", job_id=ident) as tracked:
        assert (await job(worker, ident))["status"] == "running"
        await tracked.advance(2)
    assert (await job(worker, ident))["status"] == "completed"
    colleague = await context_of(sessionmaker, settings, pworld.emails["colleague"])
    other = await create_job(worker)
    with pytest.raises(Exception, match="Forbidden"):
        async with track(colleague, "not mine", job_id=other):
            pass


async def test_reports_commit_while_the_work_transaction_is_open(
    sessionmaker: Any, settings: Any, pworld: World, worker: Api
) -> None:
    ctx = await context_of(sessionmaker, settings, pworld.emails["worker"])
    with pytest.raises(RuntimeError):
        async with ctx.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))  # the work's own transaction is open
            async with track(ctx, "Inside a command", total=10, interval=0) as tracked:
                await tracked.advance(5)
                # Another connection already sees the report: it did not wait for the work to commit.
                assert (await job(worker, str(tracked.id)))["processedCount"] == 5
            raise RuntimeError("the work rolls back")
    assert (await job(worker, str(tracked.id)))["status"] == "completed"  # the job's record stays


async def test_the_console_bar_renders_the_tracker() -> None:
    out = io.StringIO()
    bar = ConsoleBar(Console(file=out, width=100, force_terminal=False))
    tracker = Tracker(ctx=None, id=None, name="Demo data", total=3)  # type: ignore[arg-type]
    for step in range(3):
        tracker.processed, tracker.message = step + 1, f"module {step}"
        bar(tracker)
    tracker.status = "completed"
    bar(tracker)
    text = out.getvalue()
    assert "Demo data" in text and "3/3" in text and "done" in text
