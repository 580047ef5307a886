"""The workflows module's demo data: a repair-approval workflow and one instance waiting for the
manager's review task — written once."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.workflows import WorkflowDefinition, WorkflowInstance
from resolvers.workflows.definitions import WorkflowDefinitionCreate, create_definition
from resolvers.workflows.instances import WorkflowStartInput, start_instance

REPAIR_APPROVAL = {
    "steps": [
        {
            "stepId": "start",
            "stepName": "Quote received",
            "stepType": "START",
            "preConditions": [{"expression": "estimate > 0", "message": "The quote needs an estimate"}],
        },
        {
            "stepId": "triage",
            "stepName": "Triage",
            "stepType": "AUTOMATED",
            "config": {"set": {"triaged": True}},
        },
        {
            "stepId": "review",
            "stepName": "Workshop manager approves the quote",
            "stepType": "USER_TASK",
            "userTaskConfig": {
                "formSchema": {
                    "required": ["decision"],
                    "properties": {"decision": {"type": "string", "enum": ["approve", "reject"]}},
                },
                "dueInHours": 24,
            },
        },
        {
            "stepId": "parts",
            "stepName": "Parts delivered",
            "stepType": "WAIT_FOR_SIGNAL",
            "signalName": "parts_delivered",
        },
        {"stepId": "done", "stepName": "Repair scheduled", "stepType": "END"},
        {"stepId": "declined", "stepName": "Quote declined", "stepType": "END"},
    ],
    "transitions": [
        {"transitionId": "to-triage", "fromStepId": "start", "toStepId": "triage"},
        {
            "transitionId": "needs-review",
            "fromStepId": "triage",
            "toStepId": "review",
            "condition": "estimate >= 1000",
        },
        {
            "transitionId": "small-job",
            "fromStepId": "triage",
            "toStepId": "parts",
            "condition": "estimate < 1000",
        },
        {
            "transitionId": "approved",
            "fromStepId": "review",
            "toStepId": "parts",
            "condition": "decision == 'approve'",
        },
        {
            "transitionId": "rejected",
            "fromStepId": "review",
            "toStepId": "declined",
            "condition": "decision == 'reject'",
        },
        {"transitionId": "scheduled", "fromStepId": "parts", "toStepId": "done"},
    ],
}


async def seed(seeder: DemoSeeder) -> None:
    ctx = seeder.ctx
    async with ctx.read_session() as session:
        definition = await session.scalar(
            select(WorkflowDefinition.id).where(
                WorkflowDefinition.tenant_id == ctx.tenant_id(),
                WorkflowDefinition.workflow_id == "repair-approval",
                WorkflowDefinition.deleted_at.is_(None),
            )
        )
    if definition is None:
        data = WorkflowDefinitionCreate(
            workflowId="repair-approval",
            workflowName="Repair quote approval",
            description="Big repair quotes wait for the workshop manager, then for the parts.",
            definition=REPAIR_APPROVAL,
        )
        definition = (await create_definition(ctx, data))["data"]["id"]
    async with ctx.read_session() as session:
        started = await session.scalar(
            select(WorkflowInstance.id).where(WorkflowInstance.definition_id == definition)
        )
    if started is None:
        context = {"estimate": "2400.00", "bike": "Yamaha R1", "customer": "Anna Nowak"}
        await start_instance(
            ctx,
            WorkflowStartInput(workflowId="repair-approval", context=context, correlationKey="demo-quote-1"),
        )
