"""The dictionaries module's demo data: the (protected) currency dictionary and the motorcycle
brands the concierge services, in the demo organization."""

from __future__ import annotations

from sqlalchemy import func, select

from crmgraph.demo import DemoSeeder
from models.dictionaries import DictionaryEntry
from resolvers.crud import service
from resolvers.dictionaries.entities import DICTIONARY, ENTRY

# key, name, system?, entries (value, label, color, icon)
DICTIONARIES = [
    (
        "currency",
        "Currencies",
        True,
        [
            ("EUR", "Euro", "#1e88e5", "euro"),
            ("PLN", "Polish złoty", "#e53935", "coins"),
            ("USD", "US dollar", "#43a047", "dollar-sign"),
        ],
    ),
    (
        "motorcycle-brands",
        "Motorcycle brands",
        False,
        [
            ("bmw", "BMW Motorrad", "#0066b1", "bike"),
            ("ducati", "Ducati", "#cc0000", "bike"),
            ("honda", "Honda", "#e40521", "bike"),
            ("yamaha", "Yamaha", "#183693", "bike"),
        ],
    ),
]


async def seed(self: DemoSeeder) -> None:
    """Two dictionaries with their entries (the first entry of each is the default)."""
    for key, name, system, entries in DICTIONARIES:
        dictionary = await self.ensure(
            DICTIONARY, {"key": key}, {"key": key, "name": name, "isSystem": system}
        )
        self.ids[f"dictionary:{key}"] = dictionary
        for position, (value, label, color, icon) in enumerate(entries):
            async with self.ctx.read_session() as session:
                found = await session.scalar(
                    select(DictionaryEntry.id).where(
                        DictionaryEntry.dictionary_id == dictionary,
                        DictionaryEntry.normalized_value == func.lower(value),
                    )
                )
            if found is None:
                entry = {"dictionaryId": str(dictionary), "value": value, "label": label, "color": color}
                extra = {"icon": icon, "position": position, "isDefault": position == 0}
                await service(ENTRY).create(self.ctx, {**entry, **extra})
