"""The customers module's demo data (see ``crmgraph.demo``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from crmgraph.demo import DemoSeeder
from resolvers.customers.deals import DEAL
from resolvers.customers.interactions import INTERACTION
from resolvers.customers.people import COMPANY, PERSON
from resolvers.customers.pipelines import PIPELINE, PIPELINE_STAGE
from resolvers.customers.tags import TAG
from resolvers.customers.timeline import ACTIVITY, TODO
from resolvers.operations import OPERATIONS, invoke

COMPANIES = [
    ("Vistula Riders Club", "vistula-riders.example", "Motorcycle club"),
    ("Baltic Moto Logistics", "balticmoto.example", "Logistics"),
    ("Tatra Adventure Tours", "tatra-tours.example", "Tourism"),
    ("Mazovia Courier Fleet", "mazovia-courier.example", "Delivery"),
]
# first, last, e-mail, job title, company index (None: private client), tag slugs
PEOPLE = [
    ("Anna", "Kowalska", "anna.kowalska@example.com", "Club president", 0, ["vip"]),
    ("Piotr", "Nowak", "piotr.nowak@example.com", "Road captain", 0, []),
    ("Marta", "Wiśniewska", "marta.wisniewska@example.com", "Fleet manager", 1, ["fleet"]),
    ("Tomasz", "Zieliński", "tomasz.zielinski@example.com", "Operations lead", 1, ["fleet"]),
    ("Katarzyna", "Lewandowska", "k.lewandowska@example.com", "Tour guide", 2, []),
    ("Jan", "Wójcik", "jan.wojcik@example.com", "Owner", 2, ["vip"]),
    ("Ewa", "Kamińska", "ewa.kaminska@example.com", "Dispatcher", 3, ["fleet"]),
    ("Michał", "Szymański", "michal.szymanski@example.com", None, None, ["track-day"]),
    ("Agnieszka", "Dąbrowska", "agnieszka.dabrowska@example.com", None, None, []),
    ("Krzysztof", "Kozłowski", "krzysztof.kozlowski@example.com", None, None, ["track-day", "vip"]),
]
TAGS = [
    ("vip", "VIP rider", "#d4af37"),
    ("fleet", "Fleet account", "#1e88e5"),
    ("track-day", "Track day", "#e53935"),
]
STAGES = ["Inquiry", "Bike inspection", "Quote sent", "Negotiation", "Won", "Lost"]
# title, stage index, amount (PLN), person index, company index
DEALS = [
    ("Winter storage for 12 club bikes", 0, 14400, 0, 0),
    ("Pre-season service: club fleet", 2, 21800, 1, 0),
    ("Courier scooters maintenance contract", 3, 58000, 2, 1),
    ("Tyre replacement programme", 1, 9600, 3, 1),
    ("Tatra tour bikes: full inspection", 4, 17250, 5, 2),
    ("Guided Alps trip logistics", 5, 32000, 4, 2),
    ("Delivery fleet electrification pilot", 2, 120000, 6, 3),
    ("Track day preparation: Ducati Panigale", 4, 6800, 7, None),
]


async def seed(self: DemoSeeder) -> None:
    """Customers, companies, tags, a pipeline with deals, activities, todos and interactions."""
    tags = {
        slug: await self.ensure(TAG, {"slug": slug}, {"slug": slug, "label": label, "color": color})
        for slug, label, color in TAGS
    }
    companies = [
        await self.ensure(
            COMPANY,
            {"display_name": name},
            {"displayName": name, "domain": domain, "industry": industry, "status": "active"},
        )
        for name, domain, industry in COMPANIES
    ]
    people = []
    for first, last, email, job, company, slugs in PEOPLE:
        payload = {"firstName": first, "lastName": last, "primaryEmail": email, "status": "active"}
        if job:
            payload["jobTitle"] = job
        if company is not None:
            payload["companyEntityId"] = str(companies[company])
        person = await self.ensure(PERSON, {"primary_email": email}, payload)
        for slug in slugs:
            await invoke(
                OPERATIONS["assign_customer_tag"],
                self.ctx,
                {"tagId": str(tags[slug]), "entityId": str(person)},
            )
        people.append(person)
    stages = await _pipeline(self)
    await _deals(self, stages, people, companies)
    await _timeline(self, people)


async def _pipeline(self: DemoSeeder) -> list[uuid.UUID]:
    pipeline = await self.ensure(
        PIPELINE, {"name": "Service & sales"}, {"name": "Service & sales", "isDefault": True}
    )
    return [
        await self.ensure(
            PIPELINE_STAGE,
            {"pipeline_id": pipeline, "label": label},
            {"pipelineId": str(pipeline), "label": label, "order": order},
        )
        for order, label in enumerate(STAGES)
    ]


async def _deals(
    self: DemoSeeder, stages: list[uuid.UUID], people: list[uuid.UUID], companies: list[uuid.UUID]
) -> None:
    for title, stage, amount, person, company in DEALS:
        payload: dict[str, Any] = {
            "title": title,
            "pipelineStageId": str(stages[stage]),
            "valueAmount": amount,
            "valueCurrency": "PLN",
            "personIds": [str(people[person])],
            "status": {4: "won", 5: "lost"}.get(stage, "open"),
        }
        if company is not None:
            payload["companyIds"] = [str(companies[company])]
        await self.ensure(DEAL, {"title": title}, payload)


async def _timeline(self: DemoSeeder, people: list[uuid.UUID]) -> None:
    soon = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=3)
    for index, person in enumerate(people[:6]):
        await self.ensure(
            ACTIVITY,
            {"entity_id": person, "subject": "Intro call"},
            {
                "entityId": str(person),
                "activityType": "call",
                "subject": "Intro call",
                "body": "Discussed the season plan.",
            },
        )
        await self.ensure(
            TODO,
            {"entity_id": person, "title": "Send service quote"},
            {
                "entityId": str(person),
                "title": "Send service quote",
                "dueAt": (soon + timedelta(days=index)).isoformat(),
            },
        )
        await self.ensure(
            INTERACTION,
            {"entity_id": person, "title": "Bike pick-up"},
            {
                "entityId": str(person),
                "interactionType": "meeting",
                "title": "Bike pick-up",
                "scheduledAt": (soon + timedelta(days=index, hours=2)).isoformat(),
            },
        )
