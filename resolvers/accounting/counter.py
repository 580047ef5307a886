"""The per-(selling entity, year) invoice counter: ``{prefix}/{year}/{n}`` numbers, consecutive
without gaps or duplicates.

The counter is one row per (entity, year), bumped by an upsert inside the invoice's own transaction:
the row stays locked until that transaction ends, so concurrent invoices queue on it and each gets
the next number, and an invoice that fails rolls its number back with it.
"""

from __future__ import annotations

from crmgraph.context import UnitOfWork
from models.accounting import InvoiceCounter, SellingEntity
from resolvers.sequences import take_next


def document_number(entity: SellingEntity, year: int, number: int) -> str:
    return f"{entity.invoice_prefix}/{year}/{number}"


async def allocate(uow: UnitOfWork, entity: SellingEntity, year: int) -> str:
    """Take the entity's next number of ``year`` in this transaction (locks the counter row)."""
    number = await take_next(
        uow.session,
        InvoiceCounter.last_number,
        {"tenant_id": entity.tenant_id, "selling_entity_id": entity.id, "year": year},
        index_elements=[InvoiceCounter.selling_entity_id, InvoiceCounter.year],
    )
    return document_number(entity, year, number)
