"""The default (INFO) worker log stays readable: an outbox sweep that finds nothing logs at DEBUG."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from arq import Worker

from workers.settings import SWEEP_JOB, worker_settings


async def sweep_once(settings: Any) -> None:
    queue = replace(settings, queue_name=settings.queue_name + ":sweeplog")
    worker = Worker(**worker_settings(queue, burst=True, poll_delay=0.05))
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def test_idle_sweep_is_debug_only(settings: Any, database: str, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="arq.worker"):
        await sweep_once(settings)
    sweep_lines = [r.getMessage() for r in caplog.records if SWEEP_JOB in r.getMessage()]
    assert not any("→" in line for line in sweep_lines), sweep_lines  # job start: DEBUG
    # a result line survives at INFO only when the sweep re-enqueued something
    assert all(re.search(r"● [1-9]\d*$", line) for line in sweep_lines if "←" in line), sweep_lines

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="arq.worker"):
        await sweep_once(settings)
    assert any(SWEEP_JOB in r.getMessage() and "→" in r.getMessage() for r in caplog.records)
