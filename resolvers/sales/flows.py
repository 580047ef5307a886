"""The quote flow: send (a mail with a public link), the public view, the customer's acceptance and
the conversion into an order.

The link's token is 256 random bits; only its SHA-256 is stored, with its expiry. Converting is
one transaction: the order, its lines and adjustments are written, its totals recalculated, and the
quote is marked converted and removed from the lists — or, on any error, none of it happens.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import inspect, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound
from models.customers import CustomerEntity
from models.sales import SalesDocument, SalesLine, SalesOrder, SalesQuote
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.mail import queue_mail
from resolvers.operations import Rest, operation, reloaded
from resolvers.sales.common import (
    MODULE,
    ORDER,
    ORDERS_MANAGE,
    QUOTE,
    QUOTES_MANAGE,
    load_document,
    recalculate,
    record_history,
)
from resolvers.sales.documents import ORDER_ENTITY, QUOTE_ENTITY, QUOTE_STATUS
from resolvers.sales.numbers import next_number

CONVERTIBLE = ("draft", "sent", "accepted")
NOT_COPIED = {
    "id",
    "tenant_id",
    "organization_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "status",
    "status_entry_id",
}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def shared_columns(mixin: type, source: type, target: type) -> tuple[str, ...]:
    """Attributes ``source`` and ``target`` share through ``mixin`` (copied on conversion)."""
    names = {attr.key for attr in inspect(source).column_attrs} & {
        attr.key for attr in inspect(target).column_attrs
    }
    declared = {name for klass in mixin.__mro__ for name in vars(klass)}
    return tuple(sorted(n for n in names if n in declared and n not in NOT_COPIED))


async def copy_lines(uow: UnitOfWork, quote: SalesQuote, order: SalesOrder) -> dict[uuid.UUID, uuid.UUID]:
    """The quote's lines as lines of the order; returns quote line id -> order line id."""
    columns = shared_columns(SalesLine, QUOTE.line_model, ORDER.line_model)
    mapping: dict[uuid.UUID, uuid.UUID] = {}
    rows = (
        await uow.session.execute(
            select(QUOTE.line_model)
            .where(QUOTE.line_model.quote_id == quote.id)
            .order_by(QUOTE.line_model.line_number)
        )
    ).scalars()
    for line in rows:
        mapping[line.id] = uuid.uuid4()
        uow.session.add(
            ORDER.line_model(
                id=mapping[line.id],
                tenant_id=order.tenant_id,
                organization_id=order.organization_id,
                order_id=order.id,
                **{c: getattr(line, c) for c in columns},
            )
        )
    await uow.session.flush()
    return mapping


async def copy_adjustments(
    uow: UnitOfWork, quote: SalesQuote, order: SalesOrder, lines: dict[uuid.UUID, uuid.UUID]
) -> None:
    """The quote's adjustments on the order (line adjustments on the copied lines)."""
    source, target = QUOTE.adjustment_model, ORDER.adjustment_model
    columns = [c for c in shared_columns(source.__mro__[1], source, target)]
    rows = (await uow.session.execute(select(source).where(source.quote_id == quote.id))).scalars()
    for adj in rows:
        uow.session.add(
            target(
                id=uuid.uuid4(),
                tenant_id=order.tenant_id,
                organization_id=order.organization_id,
                order_id=order.id,
                order_line_id=lines.get(adj.quote_line_id) if adj.quote_line_id else None,
                **{c: getattr(adj, c) for c in columns},
            )
        )
    await uow.session.flush()


async def convert_quote(ctx: RequestContext, uow: UnitOfWork, quote: SalesQuote) -> SalesOrder:
    """Make the order of a (locked) quote and retire the quote, in ``uow``."""
    if quote.status not in CONVERTIBLE:
        raise Conflict(f"A quote in status {quote.status} cannot be converted")
    before = serialize(QUOTE_ENTITY, quote)
    number, _, _ = await next_number(uow, quote.tenant_id, quote.organization_id, "order")
    order = SalesOrder(
        id=uuid.uuid4(),
        tenant_id=quote.tenant_id,
        organization_id=quote.organization_id,
        order_number=number,
        quote_id=quote.id,
        **{
            **{c: getattr(quote, c) for c in shared_columns(SalesDocument, SalesQuote, SalesOrder)},
            "placed_at": datetime.now(UTC),
        },
    )
    uow.session.add(order)
    await uow.session.flush()
    lines = await copy_lines(uow, quote, order)
    await copy_adjustments(uow, quote, order, lines)
    order = await recalculate(ctx, uow, ORDER, order.id, reason="Order created from a quote")
    quote.status = "converted"
    quote.converted_order_id = order.id
    quote.deleted_at = datetime.now(UTC)
    await uow.session.flush()
    record_history(
        ctx, uow, ORDER, order, "created", f"Order {number} created from quote {quote.quote_number}"
    )
    record_history(
        ctx, uow, QUOTE, quote, "status", f"Converted to order {number}", {"orderId": str(order.id)}
    )
    await uow.session.flush()
    await uow.session.refresh(order)
    await uow.session.refresh(quote)
    record_command(ctx, uow, module=MODULE, entity="sales_order", verb="create", event="created",
                   resource_id=order.id, tenant_id=order.tenant_id, organization_id=order.organization_id,
                   after=serialize(ORDER_ENTITY, order))  # fmt: skip
    record_command(ctx, uow, module=MODULE, entity="sales_quote", verb="convert", event="converted",
                   resource_id=quote.id, tenant_id=quote.tenant_id, organization_id=quote.organization_id,
                   before=before, after=serialize(QUOTE_ENTITY, quote), secondary=True)  # fmt: skip
    return order


class ConvertInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quoteId: uuid.UUID


class ConvertOutput(BaseModel):
    orderId: uuid.UUID


@operation(
    "convert_sales_quote",
    MODULE,
    input=ConvertInput,
    output=ORDER_ENTITY,
    features=(QUOTES_MANAGE, ORDERS_MANAGE),
    rest=Rest("POST", "/sales/quotes/convert"),
    graphql_result=reloaded(ORDER_ENTITY, lambda result: result["orderId"]),
)
async def convert(ctx: RequestContext, data: ConvertInput) -> dict[str, Any]:
    """Create the order of a quote (lines, adjustments, totals) and remove the quote, atomically."""
    async with ctx.unit_of_work(about="sales.sales_order") as uow:
        quote = await load_document(ctx, uow.session, QUOTE, data.quoteId, lock=True)
        order = await convert_quote(ctx, uow, quote)
    return {"orderId": str(order.id)}


class SendInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quoteId: uuid.UUID
    validForDays: int = PydanticField(14, ge=1, le=365)
    email: str | None = PydanticField(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@operation(
    "send_sales_quote",
    MODULE,
    input=SendInput,
    features=(QUOTES_MANAGE,),
    rest=Rest("POST", "/sales/quotes/send"),
)
async def send(ctx: RequestContext, data: SendInput) -> dict[str, Any]:
    """Mail the customer a link to the quote, valid ``validForDays`` days (a new link replaces the old)."""
    async with ctx.unit_of_work() as uow:
        quote = await load_document(ctx, uow.session, QUOTE, data.quoteId, lock=True)
        QUOTE_STATUS.check(quote.status, "sent")
        if quote.line_item_count == 0:
            raise Conflict("An empty quote cannot be sent")
        recipient = data.email
        if recipient is None and quote.customer_entity_id is not None:
            recipient = await uow.session.scalar(
                select(CustomerEntity.primary_email).where(CustomerEntity.id == quote.customer_entity_id)
            )
        if not recipient:
            raise Conflict("The quote's customer has no e-mail address; give one")
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = now + timedelta(days=data.validForDays)
        quote.public_token_hash, quote.public_token_expires_at = token_digest(token), expires
        quote.status, quote.sent_at, quote.valid_until = "sent", now, expires
        quote.valid_from = quote.valid_from or now
        link = f"{ctx.settings.public_url.rstrip('/')}/api/sales/quotes/public/{token}"
        body = (
            f"Hello,\n\nyour quote {quote.quote_number} is ready: {quote.grand_total_gross_amount} "
            f"{quote.currency_code} (gross).\n\nView and accept it here (valid until "
            f"{expires.date().isoformat()}):\n{link}\n"
        )
        queue_mail(ctx, uow, tenant_id=quote.tenant_id, to=recipient, subject=f"Quote {quote.quote_number}",
                   body=body, expires_at=expires)  # fmt: skip
        record_history(ctx, uow, QUOTE, quote, "status", f"Sent to {recipient}")
        record_command(ctx, uow, module=MODULE, entity="sales_quote", verb="send", event="sent",
                       resource_id=quote.id, tenant_id=quote.tenant_id, organization_id=quote.organization_id,
                       payload={"validUntil": expires.isoformat()})  # fmt: skip
    return {"ok": True}


# --- public ---------------------------------------------------------------------------------------


class TokenInput(BaseModel):
    token: str = PydanticField(min_length=16, max_length=200)


async def _by_token(uow_or_session: Any, token: str, *, lock: bool = False) -> SalesQuote:
    query = select(SalesQuote).where(SalesQuote.public_token_hash == token_digest(token))
    if lock:
        query = query.with_for_update()
    quote = await uow_or_session.scalar(query)
    if quote is None or (quote.deleted_at is not None and quote.status != "converted"):
        raise NotFound("Quote not found")
    return quote


def _expired(quote: SalesQuote) -> bool:
    expires = quote.public_token_expires_at
    return quote.status == "expired" or expires is None or expires <= datetime.now(UTC)


def _money(value: Any) -> str | None:
    return str(value) if value is not None else None


@operation(
    "public_sales_quote",
    MODULE,
    input=TokenInput,
    kind="query",
    auth=False,
    rest=Rest("GET", "/sales/quotes/public/{token}"),
)
async def public_quote(ctx: RequestContext, data: TokenInput) -> dict[str, Any]:
    """The quote a mailed link shows, without signing in (404 for an unknown link)."""
    async with ctx.read_session(system=True) as session:
        quote = await _by_token(session, data.token)
        lines = (
            await session.execute(
                select(QUOTE.line_model)
                .where(QUOTE.line_model.quote_id == quote.id)
                .order_by(QUOTE.line_model.line_number)
            )
        ).scalars()
        adjustments = (
            await session.execute(
                select(QUOTE.adjustment_model)
                .where(QUOTE.adjustment_model.quote_id == quote.id)
                .order_by(QUOTE.adjustment_model.position)
            )
        ).scalars()
        money = ("subtotal_net_amount", "subtotal_gross_amount", "discount_total_amount", "tax_total_amount",
                 "grand_total_net_amount", "grand_total_gross_amount")  # fmt: skip
        return {
            "quote": {
                "quoteNumber": quote.quote_number,
                "currencyCode": quote.currency_code,
                "validFrom": _iso(quote.valid_from),
                "validUntil": _iso(quote.valid_until),
                "status": quote.status,
                **{_camel(k): _money(getattr(quote, k)) for k in money},
            },
            "lines": [
                {
                    "lineNumber": line.line_number,
                    "kind": line.kind,
                    "name": line.name,
                    "description": line.description,
                    "quantity": _money(line.quantity),
                    "quantityUnit": line.quantity_unit,
                    "normalizedQuantity": _money(line.normalized_quantity),
                    "normalizedUnit": line.normalized_unit,
                    "uomSnapshot": line.uom_snapshot,
                    "currencyCode": line.currency_code,
                    **{_camel(k): _money(getattr(line, k)) for k in LINE_MONEY},
                    "unitPriceReference": line.unit_price_reference,
                }
                for line in lines
            ],
            "adjustments": [
                {
                    "scope": adj.scope,
                    "kind": adj.kind,
                    "label": adj.label,
                    "rate": _money(adj.rate),
                    "amountNet": _money(adj.amount_net),
                    "amountGross": _money(adj.amount_gross),
                    "currencyCode": adj.currency_code,
                    "position": adj.position,
                    "quoteLineId": str(adj.quote_line_id) if adj.quote_line_id else None,
                }
                for adj in adjustments
            ],
            "isExpired": _expired(quote),
        }


LINE_MONEY = ("unit_price_net", "unit_price_gross", "discount_amount", "discount_percent", "tax_rate",
              "tax_amount", "total_net_amount", "total_gross_amount")  # fmt: skip


def _camel(attr: str) -> str:
    head, *rest = attr.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _iso(value: datetime | None) -> str | None:
    from crmgraph.timefmt import format_datetime

    return format_datetime(value) if value else None


class AcceptOutput(BaseModel):
    orderId: uuid.UUID
    orderNumber: str


@operation(
    "accept_sales_quote",
    MODULE,
    input=TokenInput,
    output=AcceptOutput,
    auth=False,
    transaction=False,  # a system unit of work: the link names the tenant, not the caller
    rest=Rest("POST", "/sales/quotes/accept"),
)
async def accept(ctx: RequestContext, data: TokenInput) -> dict[str, Any]:
    """The customer accepts a sent quote through its link: it becomes an order (409 once expired or
    already accepted)."""
    async with ctx.unit_of_work(
        system=True, command="sales.sales_quote.accept", about="sales.sales_order"
    ) as uow:
        quote = await _by_token(uow.session, data.token, lock=True)
        if quote.status != "sent":
            raise Conflict(f"This quote can no longer be accepted (status {quote.status})")
        if _expired(quote):
            raise Conflict("This quote has expired")
        QUOTE_STATUS.check(quote.status, "accepted")
        quote.status, quote.accepted_at = "accepted", datetime.now(UTC)
        record_history(ctx, uow, QUOTE, quote, "status", "Accepted by the customer")
        order = await convert_quote(ctx, uow, quote)
        return {"orderId": str(order.id), "orderNumber": order.order_number}
