"""The shipping carriers module's demo data: a parcel of brake pads sent with the built-in manual
provider (no carrier account needed), booked through the documented operation."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.shipping_carriers import CarrierShipment
from resolvers.operations import OPERATIONS, invoke

REFERENCE = "DEMO-PARTS-1"
SHIPMENT = {
    "provider": "manual",
    "service": "standard",
    "reference": REFERENCE,
    "receiver": {
        "firstName": "Jan",
        "lastName": "Kowalski",
        "phone": "500600700",
        "street": "Długa",
        "buildingNumber": "1",
        "city": "Warszawa",
        "postCode": "00-001",
    },
    "parcels": [{"weight": "2.5"}],
}


async def seed(self: DemoSeeder) -> None:
    """One manual shipment, unless the demo tenant has it already."""
    async with self.ctx.read_session() as session:
        found = await session.scalar(
            select(CarrierShipment.id).where(
                CarrierShipment.tenant_id == self.ctx.tenant_id(), CarrierShipment.reference == REFERENCE
            )
        )
    if found is None:
        _, result = await invoke(OPERATIONS["create_carrier_shipment"], self.ctx, SHIPMENT)
        found = result["shipment"]["id"]
    self.ids["carrier_shipment"] = found
