"""The partner_programs module's demo data: one referral program with two partner members."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.customers import CustomerEntity
from resolvers.partner_programs.programs import MEMBERSHIP, PROGRAM

MEMBERS = [("anna.kowalska@example.com", "ambassador"), ("jan.wojcik@example.com", "referrer")]


async def seed(self: DemoSeeder) -> None:
    program = await self.ensure(
        PROGRAM,
        {"name": "Riders referral programme"},
        {"name": "Riders referral programme", "description": "Club members who refer new riders."},
    )
    for email, role in MEMBERS:
        async with self.ctx.read_session() as session:
            partner = await session.scalar(
                select(CustomerEntity.id).where(
                    CustomerEntity.tenant_id == self.ctx.tenant_id(),
                    CustomerEntity.primary_email == email,
                    CustomerEntity.deleted_at.is_(None),
                )
            )
        if partner is not None:
            await self.ensure(
                MEMBERSHIP,
                {"program_id": program, "partner_entity_id": partner},
                {"programId": str(program), "partnerEntityId": str(partner), "role": role},
            )
