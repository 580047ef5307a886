"""The example module's demo data: workshop todos (labels, assignees), priorities of demo customers
and a published blog page."""

from __future__ import annotations

from sqlalchemy import func, select

from crmgraph.demo import DemoSeeder
from models.auth import User
from models.customers import CustomerEntity
from resolvers.example.blog import BLOG_POST
from resolvers.example.priorities import CUSTOMER_PRIORITY
from resolvers.example.todos import TODO

MECHANIC = "mechanic@example.com"
# title, labels, priority, assigned to the mechanic, done
TODOS = [
    ("Order brake pads for the R1", ["parts"], 4, True, False),
    ("Call back about the winter storage quote", ["customer-call"], 3, False, False),
    ("Check the warranty of the club's GS fleet", ["warranty"], 2, True, True),
]
PRIORITIES = [("anna.kowalska@example.com", "high"), ("marta.wisniewska@example.com", "critical")]
BLOG = (
    "Getting your bike ready for winter",
    "Clean it, charge the battery, inflate the tyres and store it dry. We can do it for you.",
)


async def _id_by_email(seeder: DemoSeeder, model: type, column: str, email: str):
    async with seeder.ctx.read_session() as session:
        query = select(model.id).where(
            model.tenant_id == seeder.ctx.tenant_id(), func.lower(getattr(model, column)) == email
        )
        return await session.scalar(query.where(model.deleted_at.is_(None)).limit(1))


async def seed(self: DemoSeeder) -> None:
    """Three todos, two customer priorities and one published blog page (idempotent)."""
    mechanic = await _id_by_email(self, User, "email", MECHANIC)
    for title, labels, priority, assigned, done in TODOS:
        payload = {"title": title, "is_done": done, "cf_labels": labels, "cf_priority": priority}
        if assigned and mechanic:
            payload["assignee_ids"] = [str(mechanic)]
        await self.ensure(TODO, {"title": title}, payload)
    for email, priority in PRIORITIES:
        customer = await _id_by_email(self, CustomerEntity, "primary_email", email)
        if customer is not None:
            await self.ensure(
                CUSTOMER_PRIORITY,
                {"customer_id": customer},
                {"customerId": str(customer), "priority": priority},
            )
    title, body = BLOG
    self.ids["blog:winter"] = await self.ensure(
        BLOG_POST, {"title": title}, {"title": title, "body": body, "status": "published"}
    )
