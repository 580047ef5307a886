"""arq job of the workflows module: run a long automated step (``resolvers.workflows.jobs``)."""

from __future__ import annotations

import uuid
from typing import Any

from resolvers.scheduler.engine import system_context
from resolvers.workflows.jobs import run_step


async def run_workflow_step(ctx: dict[str, Any], instance_id: str) -> str:
    system = system_context(ctx["settings"], ctx["sessionmaker"], ctx.get("redis"))
    return await run_step(system, uuid.UUID(instance_id))


FUNCTIONS = [run_workflow_step]
