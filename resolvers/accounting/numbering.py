"""``GET /accounting/selling-entities/next-invoice-number``: the number a selling entity's next
invoice would get, read from its counter (``resolvers.accounting.counter``) without taking it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.accounting import InvoiceCounter, SellingEntity
from resolvers.accounting.counter import document_number
from resolvers.accounting.entities import MODULE, SELLING_ENTITY
from resolvers.crud import service
from resolvers.operations import Rest, operation
from resolvers.validation import text


class InvoiceNumberPreviewInput(BaseModel):
    """The selling entity (its default one when omitted) and the issue date (today when omitted)."""

    model_config = ConfigDict(extra="ignore")
    sellingEntityId: text(64) | None = None
    issueDate: date | None = None


class InvoiceNumberPreview(BaseModel):
    sellingEntityId: uuid.UUID
    year: int
    sequence: int
    documentNumber: str


async def default_entity(ctx: RequestContext) -> Any:
    """The caller's default selling entity, else its oldest one (404 when it has none)."""
    from crmgraph.errors import NotFound
    from resolvers.scope import entity_conditions

    query = select(SellingEntity.id).where(*await entity_conditions(ctx, SELLING_ENTITY))
    query = query.order_by(SellingEntity.is_default.desc(), SellingEntity.created_at, SellingEntity.id)
    async with ctx.read_session() as session:
        found = await session.scalar(query.limit(1))
    if found is None:
        raise NotFound("Selling entity not found")
    return found


@operation(
    "next_invoice_number",
    MODULE,
    kind="query",
    input=InvoiceNumberPreviewInput,
    output=InvoiceNumberPreview,
    rest=Rest("GET", "/accounting/selling-entities/next-invoice-number"),
)
async def next_invoice_number(ctx: RequestContext, data: InvoiceNumberPreviewInput) -> dict[str, Any]:
    """The number the next invoice of a selling entity would get (a preview: no number is taken)."""
    ident = data.sellingEntityId or await default_entity(ctx)
    entity = await service(SELLING_ENTITY).get(ctx, ident)
    year = (data.issueDate or datetime.now(UTC).date()).year
    async with ctx.read_session() as session:
        last = await session.scalar(
            select(InvoiceCounter.last_number).where(
                InvoiceCounter.selling_entity_id == entity.id, InvoiceCounter.year == year
            )
        )
    sequence = (last or 0) + 1
    return {
        "sellingEntityId": entity.id,
        "year": year,
        "sequence": sequence,
        "documentNumber": document_number(entity, year, sequence),
    }
