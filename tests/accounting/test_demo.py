"""The demo data of the accounting and shipping carriers modules: the concierge's selling entity, its
first invoice and a manual shipment, once (seeded into a tenant of its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.authn import load_user_principal
from crmgraph.context import RequestContext
from crmgraph.demo import DemoSeeder
from models.accounting import Invoice, SellingEntity
from models.auth import User
from models.shipping_carriers import CarrierShipment
from resolvers.accounting import demo as accounting_demo
from resolvers.shipping_carriers import demo as shipping_demo
from tests.factories import make_world


async def rows(sessionmaker: Any, model: Any, tenant_id: Any) -> list[Any]:
    async with sessionmaker() as session:
        return list((await session.execute(select(model).where(model.tenant_id == tenant_id))).scalars())


async def test_demo_data_is_seeded_once(sessionmaker, settings):
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
        principal = await load_user_principal(session, admin_id)
    for _ in range(2):
        seeder = DemoSeeder(RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal))
        await accounting_demo.seed(seeder)
        await shipping_demo.seed(seeder)
    [entity] = await rows(sessionmaker, SellingEntity, world.tenant_id)
    assert entity.name == "Moto Concierge sp. z o.o." and entity.is_default
    [invoice] = await rows(sessionmaker, Invoice, world.tenant_id)
    assert invoice.document_number == "FV/2026/1" and invoice.seller_entity_id == entity.id
    # 23%: 850.00 + 193.46 (4.5 × 42.99) = 1043.46, VAT 240.00 (239.9958); 5%: 59.00, VAT 2.95
    assert (str(invoice.net_amount), str(invoice.vat_amount), str(invoice.total_amount)) == (
        "1102.46",
        "242.95",
        "1345.41",
    )
    [shipment] = await rows(sessionmaker, CarrierShipment, world.tenant_id)
    assert (shipment.provider, shipment.status, str(shipment.cost_amount)) == ("manual", "created", "15.00")
