"""The payment_gateways module's demo data: a captured manual payment (a workshop invoice paid in
cash) in the demo organization, with its history."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.payment_gateways import PaymentTransaction
from resolvers.customers.settings import selected_organization
from resolvers.operations import OPERATIONS, invoke
from resolvers.payment_gateways.service import SessionRequest, start_session

KEY = "demo-workshop-invoice"


async def seed(self: DemoSeeder) -> None:
    """One manual payment of 480.00 PLN, opened and captured through the module's commands."""
    ctx = self.ctx
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.read_session() as session:
        found = await session.scalar(
            select(PaymentTransaction.id).where(
                PaymentTransaction.tenant_id == tenant_id, PaymentTransaction.idempotency_key == KEY
            )
        )
    if found is None:
        request = SessionRequest(
            tenant_id=tenant_id,
            organization_id=org_id,
            provider_key="manual",
            amount=Decimal("480.00"),
            currency_code="PLN",
            description="Workshop invoice: chain kit and service (paid in cash)",
            idempotency_key=KEY,
        )
        async with ctx.unit_of_work(command="payment_gateways.demo") as uow:
            txn, _ = await start_session(ctx, uow, request)
        found = txn.id
        await invoke(OPERATIONS["capture_payment"], ctx, {"transactionId": str(found)})
    self.ids["payment:demo"] = found
