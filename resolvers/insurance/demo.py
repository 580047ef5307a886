"""The insurance module's demo data: insurers with contacts, policies of demo customers and deals,
and a few leads (see ``crmgraph.demo``; runs after the customers and partner_programs demo data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.customers import CustomerEntity, Deal
from resolvers.insurance.entities import INSURER, INSURER_CONTACT, LEAD, POLICY

INSURERS = [
    ("pzu", "PZU", "Ewelina Broker", "broker@pzu.example"),
    ("warta", "Warta", "Robert Agent", "agent@warta.example"),
    ("allianz", "Allianz", "Olga Desk", "desk@allianz.example"),
]
# policy number, insurer index, insured person e-mail, deal title (or None), months valid, status
POLICIES = [
    ("PZU/2026/0001", 0, "anna.kowalska@example.com", "Winter storage for 12 club bikes", 12, "active"),
    (
        "WAR/2026/0417",
        1,
        "michal.szymanski@example.com",
        "Track day preparation: Ducati Panigale",
        12,
        "active",
    ),
    ("ALZ/2025/9931", 2, "jan.wojcik@example.com", "Tatra tour bikes: full inspection", 1, "active"),
]
LEADS = [
    ("OC/AC quote: Honda Africa Twin", "new", "demo-lead-1"),
    ("Fleet insurance: 14 courier scooters", "contacted", "demo-lead-2"),
]


async def _lookup(self: DemoSeeder, model: type, **where: str) -> object | None:
    query = select(model.id).where(model.tenant_id == self.ctx.tenant_id(), model.deleted_at.is_(None))
    for attr, value in where.items():
        query = query.where(getattr(model, attr) == value)
    async with self.ctx.read_session() as session:
        return await session.scalar(query.limit(1))


async def seed(self: DemoSeeder) -> None:
    """Three insurers with a default contact each, three policies, two leads."""
    insurers = []
    for code, name, contact, email in INSURERS:
        insurer = await self.ensure(INSURER, {"code": code}, {"code": code, "name": name})
        await self.ensure(
            INSURER_CONTACT,
            {"insurer_id": insurer, "full_name": contact},
            {"insurerId": str(insurer), "fullName": contact, "email": email, "isDefault": True},
        )
        insurers.append(insurer)
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    policies = []
    for number, insurer, email, deal_title, months, status in POLICIES:
        person = await _lookup(self, CustomerEntity, primary_email=email)
        deal = await _lookup(self, Deal, title=deal_title)
        payload = {
            "policyNumber": number,
            "insurerId": str(insurers[insurer]),
            "insuredPersonEntityId": str(person) if person else None,
            "dealId": str(deal) if deal else None,
            "validFrom": (start - timedelta(days=20)).isoformat(),
            "validTo": (start - timedelta(days=20) + timedelta(days=30 * months)).isoformat(),
            "status": status,
        }
        policies.append(await self.ensure(POLICY, {"policy_number": number}, payload))
    for index, (title, status, external_id) in enumerate(LEADS):
        await self.ensure(
            LEAD,
            {"external_id": external_id},
            {
                "title": title,
                "status": status,
                "source": "demo",
                "externalId": external_id,
                "linkedPolicyId": str(policies[0]) if index == 0 else None,
            },
        )
