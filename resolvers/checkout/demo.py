"""The checkout module's demo data: a deposit template, a public pay link made from it
(``/api/checkout/pay/service-deposit-<tenant>``) and a password-protected tip page (password
``demo``). Slugs are unique across tenants, so they end with the tenant's id."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.checkout.entities import CHECKOUT_LINK, CHECKOUT_TEMPLATE


async def seed(self: DemoSeeder) -> None:
    suffix = self.ctx.tenant_id().hex[:8]
    template = await self.ensure(
        CHECKOUT_TEMPLATE,
        {"name": "Service deposit"},
        {
            "name": "Service deposit",
            "title": "Motorcycle service deposit",
            "description": "A deposit to book your motorcycle's service slot.",
            "amount": "200.00",
            "currencyCode": "PLN",
            "providerKey": "manual",
            "successMessage": "Thank you, your slot is booked.",
        },
    )
    await self.ensure(
        CHECKOUT_LINK,
        {"name": "Service deposit"},
        {"templateId": str(template), "name": "Service deposit", "slug": f"service-deposit-{suffix}"},
    )
    await self.ensure(
        CHECKOUT_LINK,
        {"name": "Tip jar"},
        {
            "name": "Tip jar",
            "slug": f"tip-jar-{suffix}",
            "title": "Tip the mechanics",
            "allowCustomAmount": True,
            "minAmount": "5.00",
            "maxAmount": "500.00",
            "currencyCode": "PLN",
            "password": "demo",
        },
    )
