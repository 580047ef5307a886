"""The demo data of payment_gateways and checkout: a captured manual payment, a deposit template, its
public pay link and a password-protected tip page, seeded once (in a tenant of its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crmgraph.config import Settings
from crmgraph.demo import seed_demo_data
from models.auth import User
from models.checkout import CheckoutLink
from models.payment_gateways import PaymentTransaction
from tests.conftest import Api, login
from tests.factories import make_world


async def test_demo_payment_and_pay_links(
    sessionmaker: Any, settings: Settings, client: Any, monkeypatch: Any
):
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        admin_id = await session.scalar(select(User.id).where(User.email == world.admin_email))
    monkeypatch.setattr("crmgraph.demo.demo_modules", lambda: ["payment_gateways", "checkout"])  # ours only
    for _ in range(2):  # idempotent
        await seed_demo_data(sessionmaker, settings, admin_id)
    async with sessionmaker() as session:
        payments = (
            (
                await session.execute(
                    select(PaymentTransaction).where(PaymentTransaction.tenant_id == world.tenant_id)
                )
            )
            .scalars()
            .all()
        )
        links = (
            (await session.execute(select(CheckoutLink).where(CheckoutLink.tenant_id == world.tenant_id)))
            .scalars()
            .all()
        )
    assert [(p.provider_key, p.status, str(p.captured_amount)) for p in payments] == [
        ("manual", "captured", "480.00")
    ]
    assert sorted((link.name, link.password_protected) for link in links) == [
        ("Service deposit", False),
        ("Tip jar", True),
    ]
    deposit = next(link for link in links if link.name == "Service deposit")
    status, page = await Api(client).get(f"/api/checkout/pay/{deposit.slug}")
    assert status == 200 and page["amount"] == "200.00" and page["currencyCode"] == "PLN"
    admin = await login(client, world.admin_email)
    status, listed = await admin.get("/api/payment_gateways/transactions")
    assert status == 200 and listed["items"][0]["status"] == "captured"
