"""The cases module's demo data: cases of the demo customers, one with a procedure under way."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.cases import Case, CaseProcedureTask
from models.customers import CustomerEntity
from resolvers.cases.cases import CASE
from resolvers.operations import OPERATIONS, invoke

# title, customer e-mail, priority, playbook title (None: no procedure), note
CASES = [
    (
        "Winter storage: Yamaha R1",
        "anna.kowalska@example.com",
        "normal",
        "Winter storage intake",
        "Garage slot B4",
    ),
    ("Breakdown on the A4", "krzysztof.kozlowski@example.com", "urgent", "Roadside assistance", None),
    ("Invoice question", "marta.wisniewska@example.com", "low", None, "Asked for a VAT invoice"),
]


async def _existing(self: DemoSeeder, title: str) -> bool:
    async with self.ctx.read_session() as session:
        query = select(Case.id).where(Case.tenant_id == self.ctx.tenant_id(), Case.title == title)
        return await session.scalar(query.where(Case.deleted_at.is_(None)).limit(1)) is not None


async def seed(self: DemoSeeder) -> None:
    """Three cases; the first two get their playbook's procedure, the first has its first task done."""
    for title, email, priority, playbook, note in CASES:
        if await _existing(self, title):
            continue
        async with self.ctx.read_session() as session:
            customer = await session.scalar(
                select(CustomerEntity.id).where(
                    CustomerEntity.tenant_id == self.ctx.tenant_id(), CustomerEntity.primary_email == email
                )
            )
        payload = {
            "title": title,
            "priority": priority,
            "customerEntityId": str(customer) if customer else None,
        }
        if playbook:
            payload["playbookId"] = str(self.ids[f"playbook:{playbook}"])
        case_id = await self.ensure(CASE, {"title": title}, payload)
        if note:
            await invoke(
                OPERATIONS["add_case_timeline_entry"], self.ctx, {"caseId": str(case_id), "body": note}
            )
        if playbook == "Winter storage intake":
            async with self.ctx.read_session() as session:
                first = await session.scalar(
                    select(CaseProcedureTask.id).where(
                        CaseProcedureTask.case_id == case_id, CaseProcedureTask.position == 1
                    )
                )
            task = {"caseId": str(case_id), "taskId": str(first), "status": "done"}
            await invoke(OPERATIONS["update_case_procedure_task"], self.ctx, task)
