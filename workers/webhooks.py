"""arq jobs of the webhooks module: post the due deliveries (``resolvers.webhooks.sender.pump``;
jobs coalesce into one pump per worker process), post one
delivery (a retry after its backoff, queued by a failed attempt), and a sweep queueing a batch job
when due deliveries missed the queue (a crashed worker's lease ended, Redis was down)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from arq import cron

from resolvers.webhooks.sender import (
    DELIVER_BATCH_JOB,
    DELIVER_JOB,
    attempt,
    count_due,
    http_session,
    pump,
)
from workers.batches import BatchLoops

HTTP_KEY = "webhooks.http"
LOOPS_KEY = "webhooks.loops"


def open_client(ctx: dict[str, Any]) -> None:
    """The worker's HTTP client for deliveries (one connection pool, SSRF-guarded resolver) and its
    batch loops, made at start-up: jobs get a copy of the worker's ctx, so they must exist before
    them to be shared."""
    ctx[HTTP_KEY] = http_session(ctx["settings"])
    ctx[LOOPS_KEY] = pumps()


def client(ctx: dict[str, Any]) -> Any:
    if ctx.get(HTTP_KEY) is None:  # a job run outside a worker (tests): a client of its own
        open_client(ctx)
    return ctx[HTTP_KEY]


PUMP_SECONDS = 15.0  # a job claims this long, then a fresh one takes over (the job timeout stays short)


async def deliver_webhooks(ctx: dict[str, Any], reason: str | None = None) -> str:
    """Post the due deliveries until none is left (``resolvers.webhooks.sender.pump``); jobs coalesce
    into one pump per worker process."""
    http = client(ctx)

    async def retries(deliveries: list[Any]) -> None:
        await queue_retries(ctx["redis"], deliveries)

    async def batch() -> tuple[list[int], bool]:
        return await pump(ctx["sessionmaker"], ctx["settings"], http, seconds=PUMP_SECONDS, finished=retries)

    totals = await ctx.setdefault(LOOPS_KEY, pumps()).run(ctx, batch)
    if totals is None:
        return "coalesced"
    delivered, handled = totals
    return f"delivered {delivered} of {handled}" if handled else "skipped"


def pumps() -> BatchLoops:
    return BatchLoops(DELIVER_BATCH_JOB, loops=1, max_seconds=PUMP_SECONDS)


async def deliver_webhook(ctx: dict[str, Any], delivery_id: str) -> str:
    delivery = await attempt(ctx["sessionmaker"], ctx["settings"], client(ctx), uuid.UUID(delivery_id))
    if delivery is None:
        return "skipped"
    await queue_retries(ctx["redis"], [delivery])
    return delivery.status


async def queue_retries(redis: Any, deliveries: list[Any]) -> None:
    """A job per delivery due again later (failed attempt, rate limit), run when it is due. The job
    id names the attempt and its due time: queuing the same retry twice is a no-op, while a delivery
    held back again by its rate limit (same attempt number) gets a job of its own."""
    now = datetime.now(UTC)
    for delivery in deliveries:
        if delivery.status == "pending" and delivery.next_retry_at is not None:
            due = int(delivery.next_retry_at.timestamp() * 1000)
            await redis.enqueue_job(
                DELIVER_JOB,
                str(delivery.id),
                _job_id=f"webhook:{delivery.id}:{delivery.attempt_number}:{due}",
                _defer_by=max(0.0, (delivery.next_retry_at - now).total_seconds()),
            )


async def sweep_webhooks(ctx: dict[str, Any]) -> int:
    due = await count_due(ctx["sessionmaker"])
    if due:
        await ctx["redis"].enqueue_job(
            DELIVER_BATCH_JOB, "sweep", _job_id=f"webhooks:sweep:{uuid.uuid4().hex}"
        )
    return due


async def close_client(ctx: dict[str, Any]) -> None:
    http = ctx.pop(HTTP_KEY, None)
    if http is not None:
        await http.close()


FUNCTIONS = [deliver_webhooks, deliver_webhook]
CRON_JOBS = [cron(sweep_webhooks, second={10, 40}, run_at_startup=True)]
on_startup = open_client
on_shutdown = close_client
