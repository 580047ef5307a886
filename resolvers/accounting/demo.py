"""The accounting module's demo data: the concierge's selling entity (the default one) and one issued
invoice numbered from its counter, with lines at two VAT rates."""

from __future__ import annotations

from crmgraph.demo import DemoSeeder
from resolvers.accounting.entities import INVOICE, SELLING_ENTITY

ENTITY = {
    "name": "Moto Concierge sp. z o.o.",
    "nip": "5252248481",
    "address": "ul. Motocyklowa 7, 02-495 Warszawa",
    "bankAccount": "61109010140000071219812874",
    "bankName": "Santander Bank Polska",
    "invoicePrefix": "FV",
    "defaultPaymentTermDays": 14,
    "isDefault": True,
}
LINES = [
    {
        "name": "Seasonal service (BMW R 1250 GS)",
        "quantity": "1",
        "unit": "pcs",
        "unitNetPrice": "850.00",
        "vatRate": "23",
    },
    {"name": "Engine oil 10W-40", "quantity": "4.5", "unit": "l", "unitNetPrice": "42.99", "vatRate": "23"},
    {"name": "Riding manual (book)", "quantity": "1", "unit": "pcs", "unitNetPrice": "59.00", "vatRate": "5"},
]


async def seed(self: DemoSeeder) -> None:
    """The selling entity and its first invoice (FV/<year>/1 on a fresh database)."""
    entity = await self.ensure(SELLING_ENTITY, {"name": ENTITY["name"]}, ENTITY)
    self.ids["selling_entity"] = entity
    invoice = {
        "documentKind": "issued",
        "sellerEntityId": str(entity),
        "issueDate": "2026-03-02",
        "salesDate": "2026-03-02",
        "paymentMethod": "transfer",
        "buyerName": "Jan Kowalski",
        "buyerAddress": "ul. Długa 1, 00-001 Warszawa",
        "title": "Seasonal service",
        "currencyCode": "PLN",
        "externalReference": "demo-invoice-1",
        "lineItems": LINES,
    }
    self.ids["invoice"] = await self.ensure(INVOICE, {"external_reference": "demo-invoice-1"}, invoice)
