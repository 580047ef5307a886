"""The procurement module's demo data (see ``crmgraph.demo``): default settings and transition
rules, and a parts-sourcing process with line items, supplier candidates and tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.customers import CustomerEntity
from resolvers.operations import OPERATIONS, invoke
from resolvers.procurement.children import LINE_ITEM, SUPPLIER, TASK
from resolvers.procurement.processes import PROCESS
from resolvers.procurement.rules import rules_of
from resolvers.procurement.settings import selected_organization, settings_row

# from (None: any status), to
RULES = [
    ("new", "sourcing"),
    ("sourcing", "offers"),
    ("offers", "ordered"),
    ("ordered", "delivered"),
    ("delivered", "closed"),
    (None, "canceled"),
]
PROCESS_TITLE = "Brembo brake kit for a Panigale V4"
LINE_ITEMS = [
    ("Brembo Stylema calipers (pair)", "Front, radial mount, 100 mm", 1, "set"),
    ("Sintered brake pads", "Track compound", 2, "set"),
    ("Braided brake lines", "Front and rear, stainless", 1, "kit"),
]
# label, e-mail, offer, line item indexes
SUPPLIERS = [
    ("Moto Parts Warszawa", "offers@motoparts.example", "Full kit, 5 working days", [0, 1, 2]),
    ("Track Shop Kraków", "sales@trackshop.example", "Pads and lines in stock", [1, 2]),
]


async def seed(self: DemoSeeder) -> None:
    """Settings and rules of the demo organization, one process with its records."""
    await _settings_and_rules(self)
    customer = await _customer(self)
    payload: dict[str, Any] = {
        "title": PROCESS_TITLE,
        "description": "Track-day preparation: brake upgrade sourcing.",
        "typeValue": "parts",
    }
    if customer is not None:
        payload["customerEntityId"] = str(customer)
    process = await self.ensure(PROCESS, {"title": PROCESS_TITLE}, payload)
    items = [
        await self.ensure(
            LINE_ITEM,
            {"process_id": process, "title": title},
            {
                "processId": str(process),
                "title": title,
                "specification": spec,
                "quantity": qty,
                "unitLabel": unit,
            },
        )
        for title, spec, qty, unit in LINE_ITEMS
    ]
    suppliers = [
        await self.ensure(
            SUPPLIER,
            {"process_id": process, "vendor_label": label},
            {
                "processId": str(process),
                "vendorLabel": label,
                "email": email,
                "offerSummary": offer,
                "lineItemIds": [str(items[i]) for i in offered],
            },
        )
        for label, email, offer, offered in SUPPLIERS
    ]
    due = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=2)
    for index, supplier in enumerate(suppliers):
        title = f"Ask {SUPPLIERS[index][0]} for a final quote"
        await self.ensure(
            TASK,
            {"process_id": process, "title": title},
            {
                "processId": str(process),
                "title": title,
                "supplierId": str(supplier),
                "dueAt": due.isoformat(),
            },
        )


async def _settings_and_rules(self: DemoSeeder) -> None:
    """The default catalogs saved for the demo organization, and the standard status path."""
    tenant_id, org_id = await selected_organization(self.ctx)
    async with self.ctx.read_session() as session:
        saved = await settings_row(session, tenant_id, org_id)
        existing = await rules_of(session, tenant_id, org_id)
    if saved is None:
        await invoke(OPERATIONS["save_procurement_settings"], self.ctx, {"defaultTypeValue": "parts"})
    if not existing:
        for source, target in RULES:
            body = {"fromStatusValue": source, "toStatusValue": target}
            await invoke(OPERATIONS["create_procurement_status_transition_rule"], self.ctx, body)


async def _customer(self: DemoSeeder) -> Any:
    """The track-day client of the customers demo, when it is there."""
    async with self.ctx.read_session() as session:
        return await session.scalar(
            select(CustomerEntity.id).where(
                CustomerEntity.tenant_id == self.ctx.tenant_id(),
                CustomerEntity.primary_email == "michal.szymanski@example.com",
                CustomerEntity.deleted_at.is_(None),
            )
        )
