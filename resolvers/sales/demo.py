"""The sales module's demo data (see ``crmgraph.demo``): a workshop channel, VAT rates, payment and
shipping methods, order statuses, and service quotes and orders for demo riders' motorcycles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.customers import CustomerEntity
from resolvers.crud import service
from resolvers.sales import configuration as conf
from resolvers.sales.documents import ORDER_ENTITY, QUOTE_ENTITY
from resolvers.sales.fulfillment import PAYMENT
from resolvers.sales.lines import ORDER_ADJUSTMENT, ORDER_LINE, QUOTE_ADJUSTMENT, QUOTE_LINE

STATUSES = [
    ("open", "Open", "#1e88e5"),
    ("in-service", "In service", "#fb8c00"),
    ("ready", "Ready for pickup", "#43a047"),
]
# kind, external reference (natural key), customer e-mail, comment, status, lines, adjustment, payment
DOCUMENTS: list[dict[str, Any]] = [
    {
        "kind": "order",
        "ref": "demo-gs-30k",
        "email": "anna.kowalska@example.com",
        "comment": "BMW R 1250 GS: 30,000 km service before the club's spring tour",
        "status": "in-service",
        "lines": [
            ("service", "30k km inspection (labour)", "WS-30K", "4", "180.00", "23"),
            ("product", "Engine oil 10W-40, 4 l", "OIL-1040", "1", "219.00", "23"),
            ("product", "Air filter", "AF-R1250", "1", "149.00", "23"),
        ],
        "adjustment": {"kind": "discount", "rate": "10", "label": "Club member discount"},
        "payment": "500.00",
    },
    {
        "kind": "order",
        "ref": "demo-fleet-tyres",
        "email": "marta.wisniewska@example.com",
        "comment": "Courier fleet: tyre change on five Honda NC750X",
        "status": "open",
        "lines": [
            ("product", "Tyre set Michelin Road 6", "TY-RD6", "5", "1290.00", "23"),
            ("service", "Tyre fitting and balancing", "WS-TYRE", "5", "120.00", "23"),
        ],
        "adjustment": {
            "kind": "shipping",
            "amountNet": "150.00",
            "amountGross": "184.50",
            "label": "Pickup and return of the bikes",
        },
        "payment": None,
    },
    {
        "kind": "quote",
        "ref": "demo-panigale-track",
        "email": "michal.szymanski@example.com",
        "comment": "Ducati Panigale V4: track-day preparation",
        "status": None,
        "lines": [
            ("service", "Valve clearance check (labour)", "WS-VALVE", "6", "200.00", "23"),
            ("product", "Chain and sprocket kit", "CK-V4", "1", "1450.00", "23"),
            ("product", "Track day voucher (Poznań)", "TD-POZ", "1", "650.00", "8"),
        ],
        "adjustment": None,
        "payment": None,
    },
]


async def _customer(seeder: DemoSeeder, email: str) -> Any:
    async with seeder.ctx.read_session() as session:
        return await session.scalar(
            select(CustomerEntity.id).where(
                CustomerEntity.tenant_id == seeder.ctx.tenant_id(),
                CustomerEntity.primary_email == email,
                CustomerEntity.deleted_at.is_(None),
            )
        )


async def _document(seeder: DemoSeeder, spec: dict[str, Any]) -> None:
    entity = ORDER_ENTITY if spec["kind"] == "order" else QUOTE_ENTITY
    model = entity.model
    async with seeder.ctx.read_session() as session:
        found = await session.scalar(
            select(model.id).where(
                model.tenant_id == seeder.ctx.tenant_id(), model.external_reference == spec["ref"]
            )
        )
    if found is not None:
        return
    customer = await _customer(seeder, spec["email"])
    payload = {
        "currencyCode": "PLN",
        "externalReference": spec["ref"],
        "comment": spec["comment"],
        "customerEntityId": str(customer) if customer else None,
        "channelId": str(seeder.ids["sales:channel"]),
        "paymentMethodId": str(seeder.ids["sales:payment:bank-transfer"]),
    }
    if spec["status"]:
        payload["status"] = spec["status"]
    doc, _ = await service(entity).create(seeder.ctx, payload)
    key = f"{spec['kind']}Id"
    line_entity = ORDER_LINE if spec["kind"] == "order" else QUOTE_LINE
    for kind, name, sku, quantity, price, tax in spec["lines"]:
        line = {key: str(doc.id), "kind": kind, "name": name, "sku": sku, "quantity": quantity}
        await service(line_entity).create(seeder.ctx, {**line, "unitPriceNet": price, "taxRate": tax})
    if spec["adjustment"]:
        adjustment_entity = ORDER_ADJUSTMENT if spec["kind"] == "order" else QUOTE_ADJUSTMENT
        await service(adjustment_entity).create(seeder.ctx, {key: str(doc.id), **spec["adjustment"]})
    if spec["payment"]:
        await service(PAYMENT).create(
            seeder.ctx,
            {
                "orderId": str(doc.id),
                "amount": spec["payment"],
                "currencyCode": "PLN",
                "paymentReference": "Transfer 2026/03",
            },
        )


async def seed(self: DemoSeeder) -> None:
    """Reference data, two workshop orders and a track-day quote."""
    self.ids["sales:channel"] = await self.ensure(
        conf.CHANNEL, {"name": "Workshop desk"}, {"name": "Workshop desk", "code": "workshop"}
    )
    for name, rate in (("VAT 23%", "23"), ("VAT 8%", "8")):
        await self.ensure(conf.TAX_RATE, {"name": name}, {"name": name, "rate": rate, "countryCode": "PL"})
    for code, name in (("bank-transfer", "Bank transfer"), ("card", "Card at the workshop")):
        self.ids[f"sales:payment:{code}"] = await self.ensure(
            conf.PAYMENT_METHOD, {"code": code}, {"code": code, "name": name}
        )
    await self.ensure(
        conf.SHIPPING_METHOD,
        {"code": "pickup"},
        {"code": "pickup", "name": "Pickup at the workshop", "baseRateNet": "0", "currencyCode": "PLN"},
    )
    for value, label, color in STATUSES:
        await self.ensure(
            conf.ORDER_STATUS, {"value": value}, {"value": value, "label": label, "color": color}
        )
    for spec in DOCUMENTS:
        await _document(self, spec)
