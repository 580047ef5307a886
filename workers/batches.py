"""Batch loops shared by the jobs that drain a table in batches (outbox dispatch, webhook delivery).

Every committed change queues a job; the jobs coalesce per worker process into at most ``loops``
batch loops. A job arriving while they all run only asks one of them to go round again (checked
after each batch, with no await in between, so no work is missed) and returns at once: a burst of
writes becomes a few full batches, never a crowd of jobs each holding connections. A loop goes round
while batches come back full or more jobs arrived; past ``max_seconds`` it hands over to a fresh job
(the job timeout stays short).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

Batch = Callable[[], Awaitable[tuple[Sequence[int], bool]]]  # () -> (counts, batch was full)


@dataclass
class BatchLoops:
    job: str  # the arq function a long drain continues in
    loops: int = 2
    max_seconds: float = 20.0
    running: int = 0
    again: bool = False

    async def run(self, ctx: dict[str, Any], batch: Batch) -> list[int] | None:
        """Run batches until drained; the summed counts, or None when coalesced into a running loop."""
        if self.running >= self.loops:
            self.again = True
            return None
        self.running += 1
        totals: list[int] = []
        started = time.monotonic()
        try:
            while True:
                self.again = False
                counts, full = await batch()
                totals = [a + b for a, b in zip(totals or [0] * len(counts), counts, strict=True)]
                if not (full or self.again):
                    return totals
                if time.monotonic() - started > self.max_seconds and ctx.get("redis") is not None:
                    await ctx["redis"].enqueue_job(self.job, None, _job_id=f"batch:{uuid.uuid4()}")
                    return totals
        finally:
            self.running -= 1
