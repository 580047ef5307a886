"""The ``progressJob(id)`` subscription: a job's state now, then after every change, until it ends."""

import uuid
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from crmgraph.eventhub import Closed
from resolvers.crud import service
from resolvers.event_stream.feed import open_feed
from resolvers.event_stream.stream import HEARTBEAT_SECONDS
from resolvers.progress.jobs import FINISHED, PROGRESS_JOB, job_snapshot
from schema.entity import OBJECT_TYPES


def subscriptions() -> dict[str, Any]:
    job_type = OBJECT_TYPES[PROGRESS_JOB.name]

    async def progress_job(info: Info, id: uuid.UUID) -> AsyncGenerator[job_type, None]:
        ctx = info.context
        # Subscribed before the first read: no change between the two can be missed.
        feed = await open_feed(ctx, names=[f"{PROGRESS_JOB.event_prefix}.*"])
        try:
            job = await service(PROGRESS_JOB).get(ctx, id)
            yield job
            while job.status not in FINISHED:
                try:
                    event = await feed.next(HEARTBEAT_SECONDS)
                except Closed:
                    return
                if event is not None and event.payload.get("id") == str(job.id):
                    job = job_snapshot(event.payload) or await service(PROGRESS_JOB).get(ctx, id)
                    yield job
        finally:
            await feed.close()

    return {
        "progress_job": strawberry.subscription(
            resolver=progress_job,
            description="A progress job now and after each change (404 outside your scope), until it finishes.",
        )
    }
