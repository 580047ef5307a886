"""Long automated steps run as arq jobs: a step with ``config.async`` pauses its instance and queues
``run_workflow_step``; the job runs the step's work and lets the instance go on from there."""

from __future__ import annotations

import uuid

from crmgraph.context import RequestContext
from models.workflows import WorkflowInstance
from resolvers.events import emit
from resolvers.workflows.engine import definition_of, proceed, run_automated, set_status, steps_of


async def run_step(ctx: RequestContext, instance_id: uuid.UUID) -> str:
    """Run the queued automated step of ``instance_id`` (a system job: any tenant's instance).
    Anything else — cancelled since, already run, another kind of pause — is left alone."""
    async with ctx.unit_of_work(system=True) as uow:
        instance = await uow.session.get(WorkflowInstance, instance_id, with_for_update=True)
        if instance is None or instance.status != "PAUSED" or instance.waiting_signal is not None:
            return "skipped"
        definition = await definition_of(uow, instance)
        step = steps_of(definition).get(instance.current_step_id or "")
        if step is None or step["stepType"] != "AUTOMATED" or not (step.get("config") or {}).get("async"):
            return "skipped"
        set_status(instance, "RUNNING")
        run_automated(uow, instance, step, None)
        await proceed(ctx, uow, instance, definition, user=None)
        payload = {"id": str(instance.id), "stepId": step["stepId"], "status": instance.status}
        emit(
            ctx,
            uow,
            "workflows.instance.step_completed",
            payload,
            instance.tenant_id,
            instance.organization_id,
        )
        return instance.status
