"""The playbooks module's demo data: the concierge's standard procedures."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.playbooks.playbooks import PLAYBOOK

PLAYBOOKS = [
    (
        "Winter storage intake",
        ["winter", "storage"],
        [
            ("intake", "Intake call with the rider", 1),
            ("pickup", "Pick up the bike", 3),
            ("inspect", "Inspection and battery tender", 5),
            ("store", "Store and confirm with photos", 7),
        ],
    ),
    (
        "Roadside assistance",
        ["vip", "priority:urgent", "breakdown"],
        [
            ("locate", "Locate the rider and the bike", 0),
            ("tow", "Dispatch the tow truck", 0),
            ("diagnose", "Workshop diagnosis", 2),
            ("report", "Report to the rider and the insurer", 3),
        ],
    ),
]


async def seed(self: DemoSeeder) -> None:
    """Two playbooks with ordered steps (ids kept in ``seeder.ids`` by slug-ish title)."""
    for title, tags, steps in PLAYBOOKS:
        definition = [{"key": key, "title": step, "dueInDays": days} for key, step, days in steps]
        payload = {"title": title, "contextTags": tags, "procedureDefinition": definition, "body": title}
        self.ids[f"playbook:{title}"] = await self.ensure(PLAYBOOK, {"title": title}, payload)
