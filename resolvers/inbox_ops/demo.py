"""The inbox ops module's demo data: two forwarded emails (an order and a question) with the
proposals the extractor made of them, written through the ``extract`` command (looked up by subject)."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.inbox_ops import InboxEmail
from resolvers.inbox_ops.emails import ExtractInput, extract_text

EMAILS = [
    {
        "subject": "Order for the spring service season",
        "fromAddress": "marta.kowalska@moto-garage.test",
        "fromName": "Marta Kowalska",
        "text": "Hello,\nplease send us\n4 x Brake pads @ 35.00\n2 x Chain kit @ 120.00\n1 pcs Tank bag\n"
        "PO# SPR-2026\nPhone: +48 600 200 300\nPrices in EUR.\nBest regards, Marta",
    },
    {
        "subject": "Touring trip in June?",
        "fromAddress": "tom.rider@example.test",
        "fromName": "Tom Rider",
        "text": "Hi, do you still have places on the June Alps tour? Tom",
    },
]


async def seed(seeder: DemoSeeder) -> None:
    for spec in EMAILS:
        query = select(InboxEmail.id).where(
            InboxEmail.tenant_id == seeder.ctx.tenant_id(), InboxEmail.subject == spec["subject"]
        )
        async with seeder.ctx.read_session() as session:
            found = await session.scalar(query.limit(1))
        if found is None:
            found = (await extract_text(seeder.ctx, ExtractInput(**spec)))["emailId"]
        seeder.ids[f"inbox_ops:{spec['subject']}"] = found
