"""The resources module's demo data: vehicle types, tags and the demo customers' motorcycles, each
with a service book entry (written after the customers module's demo data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crmgraph.demo import DemoSeeder
from resolvers.customers.demo import PEOPLE
from resolvers.customers.people import PERSON
from resolvers.operations import OPERATIONS, invoke
from resolvers.resources.catalog import RESOURCE, RESOURCE_TAG, RESOURCE_TYPE
from resolvers.resources.timeline import SERVICE_BOOK_ENTRY

TYPES = [
    ("Motorcycle", "Road, touring and sport motorcycles", "bike", True),
    ("Scooter", "Urban and courier scooters", "scooter", True),
    ("Trailer", "Transport trailers", "truck", False),
]
TAGS = [("track-ready", "Track ready", "#e53935"), ("winter-storage", "Winter storage", "#1e88e5")]
# person index (customers demo), vehicle name, type index, tag slugs, service type, service activity
VEHICLES = [
    (0, "BMW R 1250 GS Adventure", 0, ["winter-storage"], "inspection", "Annual inspection"),
    (1, "Honda Africa Twin CRF1100L", 0, [], "maintenance", "Oil and filter change"),
    (2, "Yamaha NMAX 125 (courier #7)", 1, [], "maintenance", "Brake pads replacement"),
    (4, "KTM 890 Adventure R", 0, [], "repair", "Chain and sprockets"),
    (5, "Harley-Davidson Road Glide", 0, ["winter-storage"], "storage", "Winter storage check-in"),
    (7, "Ducati Panigale V4 S", 0, ["track-ready"], "preparation", "Track day preparation"),
    (9, "Triumph Street Triple RS", 0, ["track-ready"], "inspection", "Pre-season inspection"),
]


async def seed(self: DemoSeeder) -> None:
    """Vehicle types, tags, one vehicle per listed demo customer and its service book entry."""
    types = [
        await self.ensure(
            RESOURCE_TYPE,
            {"name": name},
            {"name": name, "description": description, "appearanceIcon": icon, "financingEligible": eligible},
        )
        for name, description, icon, eligible in TYPES
    ]
    tags = {
        slug: await self.ensure(RESOURCE_TAG, {"slug": slug}, {"slug": slug, "label": label, "color": color})
        for slug, label, color in TAGS
    }
    came_in = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=30)
    for index, (person, name, kind, slugs, service_type, activity) in enumerate(VEHICLES):
        first, last, email = PEOPLE[person][:3]
        owner = await self.ensure(
            PERSON, {"primary_email": email}, {"firstName": first, "lastName": last, "primaryEmail": email}
        )
        vehicle = await self.ensure(
            RESOURCE,
            {"name": name},
            {
                "name": name,
                "resourceTypeId": str(types[kind]),
                "customerEntityId": str(owner),
                "capacity": 2,
                "statusValue": "active",
            },
        )
        for slug in slugs:
            await invoke(
                OPERATIONS["assign_resource_tag"],
                self.ctx,
                {"tagId": str(tags[slug]), "resourceId": str(vehicle)},
            )
        start = came_in + timedelta(days=3 * index)
        await self.ensure(
            SERVICE_BOOK_ENTRY,
            {"resource_id": vehicle, "service_activity": activity},
            {
                "entityId": str(vehicle),
                "serviceType": service_type,
                "serviceActivity": activity,
                "serviceInAt": start.isoformat(),
                "serviceOutAt": (start + timedelta(days=2)).isoformat(),
                "description": f"{activity} done; customer notified.",
            },
        )
