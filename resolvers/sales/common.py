"""What the sales module's parts share: features, the two document kinds, field helpers, document
history and the recalculation of a document's totals (the one path every change goes through)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import false, func, or_, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.currencies import Currency
from models.sales import (
    SalesDocumentEvent,
    SalesOrder,
    SalesOrderAdjustment,
    SalesOrderLine,
    SalesPayment,
    SalesQuote,
    SalesQuoteAdjustment,
    SalesQuoteLine,
)
from resolvers.entity import Computed, Field, Filter
from resolvers.sales.totals import AdjustmentIn, LineIn, compute, minor_units
from resolvers.scope import org_scope, parse_uuid, scope_conditions

MODULE = "sales"
ORDERS_VIEW, ORDERS_MANAGE = "sales.orders.view", "sales.orders.manage"
QUOTES_VIEW, QUOTES_MANAGE = "sales.quotes.view", "sales.quotes.manage"
PAYMENTS_MANAGE = "sales.payments.manage"
RETURNS_VIEW = "sales.returns.view"
SETTINGS_MANAGE = "sales.settings.manage"
CHANNELS_MANAGE = "sales.channels.manage"
READONLY = {"create": False, "update": False}


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def stamps(deleted: bool = False) -> list[Field]:
    fields = [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]
    return fields


def visible_with(*pairs: tuple[str, Any]) -> Any:
    """An entity ``visibility`` for children of documents whose routes document no features: rows
    whose parent kind the caller may view. ``pairs``: (feature, condition on the row or None)."""

    async def visible(ctx: RequestContext, target: Any) -> Any:
        principal = ctx.require_auth()
        allowed = [condition(target) for feature, condition in pairs if principal.has(feature)]
        if len(allowed) == len(pairs):
            return None
        return or_(*allowed) if allowed else false()

    return visible


def metadata_fields(model: type, snake: bool) -> tuple[list[Field], list[Computed]]:
    """The ``metadata`` JSON column (attribute ``metadata_``): a camelCase entity reads it as
    ``metadata`` directly; a snake_case one through a computed key of that name."""
    if not snake:
        return [Field("metadata_", dict)], []
    return [Field("metadata_", dict, read=False, aliases=("metadata",))], [
        Computed("metadata", lambda: model.metadata_)
    ]


def decimal_bound(name: str, column: Any, op: str) -> Filter:
    """``column >= value`` (``op='min'``) or ``<=`` from an exact decimal written as text."""

    def apply(query: Any, raw: str) -> Any:
        try:
            value = Decimal(str(raw).strip())
        except ArithmeticError:
            raise fail(name, "Expected a number", "invalid_type") from None
        if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
            raise fail(name, "Expected a finite number within range", "invalid_type")
        return query.where(column >= value if op == "min" else column <= value)

    return Filter(name, str, apply)


def int_bound(name: str, column: Any, op: str) -> Filter:
    return Filter(name, int, lambda q, v: q.where(column >= v if op == "min" else column <= v))


@dataclass(frozen=True)
class DocKind:
    """A kind of sales document and its children's tables."""

    name: str  # "quote" | "order"
    model: Any
    line_model: Any
    adjustment_model: Any
    fk: str  # "quote_id" | "order_id" on lines and adjustments
    line_fk: str  # "quote_line_id" | "order_line_id" on adjustments
    number_attr: str
    view: str
    manage: str

    def key(self) -> str:
        return camel_key(self.fk)


def camel_key(attr: str) -> str:
    head, *rest = attr.split("_")
    return head + "".join(p.capitalize() for p in rest)


QUOTE = DocKind(
    "quote",
    SalesQuote,
    SalesQuoteLine,
    SalesQuoteAdjustment,
    "quote_id",
    "quote_line_id",
    "quote_number",
    QUOTES_VIEW,
    QUOTES_MANAGE,
)
ORDER = DocKind(
    "order",
    SalesOrder,
    SalesOrderLine,
    SalesOrderAdjustment,
    "order_id",
    "order_line_id",
    "order_number",
    ORDERS_VIEW,
    ORDERS_MANAGE,
)
KINDS = {"quote": QUOTE, "order": ORDER}


async def load_document(
    ctx: RequestContext, session: Any, kind: DocKind, ident: Any, *, lock: bool = False, path: str = "id"
) -> Any:
    """A live quote/order in the caller's scope, else 404 (another tenant's ids too)."""
    parsed = parse_uuid(ident)
    if parsed is None:
        raise NotFound(f"{kind.name.capitalize()} not found")
    model = kind.model
    query = select(model).where(model.id == parsed, *scope_conditions(model, await org_scope(ctx)))
    if lock:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{kind.name.capitalize()} not found")
    return found


def record_history(
    ctx: RequestContext,
    uow: UnitOfWork,
    kind: DocKind,
    document: Any,
    history_kind: str,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """One entry of a document's history, in the command's transaction."""
    principal = ctx.principal
    uow.session.add(
        SalesDocumentEvent(
            id=uuid.uuid4(),
            tenant_id=document.tenant_id,
            organization_id=document.organization_id,
            document_kind=kind.name,
            document_id=document.id,
            kind=history_kind,
            action=action[:300],
            actor_user_id=principal.user_id if principal else None,
            actor_label=(principal.email or principal.subject) if principal else "customer",
            details=details,
        )
    )


async def currency_places(session: Any, document: Any) -> int:
    """Minor units of the document's currency: the organization's currency if it has one, else ISO."""
    places = await session.scalar(
        select(Currency.decimal_places).where(
            Currency.tenant_id == document.tenant_id,
            Currency.organization_id == document.organization_id,
            Currency.code == document.currency_code,
            Currency.deleted_at.is_(None),
        )
    )
    return int(places) if places is not None else minor_units(document.currency_code)


async def recalculate(
    ctx: RequestContext,
    uow: UnitOfWork,
    kind: DocKind,
    document_id: uuid.UUID,
    *,
    exclude: tuple[uuid.UUID, ...] = (),
    reason: str = "Totals recalculated",
) -> Any:
    """Recompute every line, adjustment and total of a document from its rows and write them (the
    document row is locked first, so concurrent line changes apply one after the other)."""
    session = uow.session
    document = (
        await session.execute(select(kind.model).where(kind.model.id == document_id).with_for_update())
    ).scalar_one()
    fk_line = getattr(kind.line_model, kind.fk)
    lines = list(
        (
            await session.execute(
                select(kind.line_model)
                .where(fk_line == document_id, kind.line_model.id.not_in(exclude))
                .order_by(kind.line_model.line_number, kind.line_model.id)
            )
        ).scalars()
    )
    adj_model = kind.adjustment_model
    adjustments = list(
        (
            await session.execute(
                select(adj_model)
                .where(getattr(adj_model, kind.fk) == document_id, adj_model.id.not_in(exclude))
                .order_by(adj_model.position, adj_model.id)
            )
        ).scalars()
    )
    paid = refunded = Decimal(0)
    if kind is ORDER:
        sums = (
            await session.execute(
                select(
                    func.coalesce(func.sum(SalesPayment.amount), 0),
                    func.coalesce(func.sum(SalesPayment.refunded_amount), 0),
                ).where(
                    SalesPayment.order_id == document_id,
                    SalesPayment.deleted_at.is_(None),
                    SalesPayment.id.not_in(exclude),
                )
            )
        ).one()
        paid, refunded = Decimal(sums[0]), Decimal(sums[1])
    totals = compute(
        [line_input(line) for line in lines],
        [adjustment_input(adj, kind) for adj in adjustments],
        places=await currency_places(session, document),
        paid=paid,
        refunded=refunded,
    )
    for line, result in zip(lines, totals.lines, strict=True):
        line.unit_price_net, line.unit_price_gross = result.unit_price_net, result.unit_price_gross
        line.tax_amount = result.tax_amount
        line.total_net_amount, line.total_gross_amount = result.total_net_amount, result.total_gross_amount
    for adj, (net, gross) in zip(adjustments, totals.adjustments, strict=True):
        adj.amount_net, adj.amount_gross = net, gross
    before = document.grand_total_gross_amount
    for attr, value in totals.document_values().items():
        setattr(document, attr, value)
    await session.flush()
    if before != document.grand_total_gross_amount:
        record_history(
            ctx,
            uow,
            kind,
            document,
            "totals",
            reason,
            {"grandTotalGrossAmount": {"from": str(before), "to": str(document.grand_total_gross_amount)}},
        )
    return document


def line_input(line: Any) -> LineIn:
    return LineIn(
        quantity=line.quantity,
        unit_price_net=line.unit_price_net,
        unit_price_gross=line.unit_price_gross,
        tax_rate=line.tax_rate or Decimal(0),
        discount_amount=line.discount_amount or Decimal(0),
        discount_percent=line.discount_percent or Decimal(0),
        reference=line.unit_price_reference or "net",
        key=line.id,
    )


def adjustment_input(adj: Any, kind: DocKind) -> AdjustmentIn:
    return AdjustmentIn(
        kind=adj.kind,
        rate=adj.rate,
        amount_net=adj.fixed_net,
        amount_gross=adj.fixed_gross,
        line_key=getattr(adj, kind.line_fk) if adj.scope == "line" else None,
        key=adj.id,
    )


def recalculated_on_undo(entity: Any, kind: DocKind, fk: str) -> None:
    """Undo and redo of ``entity``'s writes (lines, adjustments, payments) restore the row
    generically, then recalculate its document, as every other change does."""
    from resolvers.undo import apply_entity_step, undo_handler

    async def handler(ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: str) -> None:
        await apply_entity_step(ctx, uow, entity, step, direction)  # type: ignore[arg-type]
        snapshot = step.get("before") or step.get("after") or {}
        document = parse_uuid(snapshot.get(fk))
        if document is not None:
            await recalculate(ctx, uow, kind, document, reason=f"Change {direction}ne")

    for verb in ("create", "update", "delete"):
        undo_handler(f"{entity.module}.{entity.name}.{verb}")(handler)
