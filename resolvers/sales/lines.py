"""Lines and adjustments of quotes and orders: one declaration per kind of document, the same
rules for both; every create, update and delete recalculates the document's totals."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict
from resolvers.crud import guarded
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq
from resolvers.sales.common import (
    MODULE,
    ORDER,
    QUOTE,
    READONLY,
    DocKind,
    fail,
    load_document,
    metadata_fields,
    recalculate,
    recalculated_on_undo,
    record_history,
    stamps,
    visible_with,
)

LINE_KINDS = ("product", "service", "shipping", "fee", "other")
ADJUSTMENT_SCOPES = ("order", "line")
MAX_RATE = Decimal(1000)


async def _document(ctx: RequestContext, uow: UnitOfWork, kind: DocKind, ident: Any) -> Any:
    """The parent document, locked; a converted quote is read-only (409)."""
    if ident is None:
        raise fail(kind.key(), "Required", "invalid_type")
    ctx.require_features([kind.manage])
    document = await load_document(ctx, uow.session, kind, ident, lock=True)
    if kind is QUOTE and document.status == "converted":
        raise Conflict("A converted quote cannot change")
    return document


def _line_values(data: dict[str, Any], document: Any) -> None:
    if data.get("kind") is not None and data["kind"] not in LINE_KINDS:
        raise fail("kind", f"One of {', '.join(LINE_KINDS)}", "invalid_enum_value")
    if (
        data.get("currency_code") is not None
        and data["currency_code"].strip().upper() != document.currency_code
    ):
        raise fail(
            "currencyCode", f"Lines are in the document's currency ({document.currency_code})", "invalid"
        )
    data["currency_code"] = document.currency_code
    if data.get("quantity") is not None and data["quantity"] <= 0:
        raise fail("quantity", "Must be greater than zero", "too_small")
    for key in ("unit_price_net", "unit_price_gross", "discount_amount"):
        if data.get(key) is not None and data[key] < 0:
            raise fail(key, "Must not be negative", "too_small")
    for key in ("discount_percent", "tax_rate"):
        if data.get(key) is not None and not 0 <= data[key] <= (
            100 if key == "discount_percent" else MAX_RATE
        ):
            raise fail(key, "Out of range", "out_of_range")
    if data.get("unit_price_gross") is not None and data.get("unit_price_net") is None:
        data["unit_price_reference"] = "gross"
    elif data.get("unit_price_net") is not None:
        data["unit_price_reference"] = "net"
    for key in (
        "quantity",
        "kind",
        "unit_price_net",
        "unit_price_gross",
        "discount_amount",
        "discount_percent",
        "tax_rate",
    ):
        if key in data and data[key] is None:
            data.pop(key)


def _child_hooks(kind: DocKind, model: type, **hooks: Any) -> Hooks:
    """The hooks of a document's lines or adjustments, guarded like the document; a create answers
    the document's id."""
    return guarded(
        model, Hooks(**hooks, create_result=lambda obj, _data: {kind.key(): str(getattr(obj, kind.fk))})
    )


def _child_entity(kind: DocKind, model: type, part: str, *, fields: list[Field], **more: Any) -> Entity:
    """A document's lines or adjustments (``part``): REST under ``/sales/<kind>-<part>s`` in snake
    case, seen and changed with the document's rights, filtered and linked by the document."""
    return Entity(
        name=f"sales_{kind.name}_{part}",
        module=MODULE,
        model=model,
        path=f"/sales/{kind.name}-{part}s",
        graphql_name=f"{kind.name.capitalize()}{part.capitalize()}",
        plural=f"{kind.name}{part.capitalize()}s",
        key_case="snake",
        soft_delete=False,
        features=Features(),  # documented without features: the parent document's rights apply
        visibility=visible_with((kind.view, lambda _t: None)),
        fields=[Field(kind.fk, uuid.UUID, required=True, update=False), *fields],
        filters=[eq(kind.key(), getattr(model, kind.fk), uuid.UUID)],
        relations=[Relation(kind.name, f"sales_{kind.name}", "one", source_fk=kind.fk)],
        **more,
    )


def line_hooks(kind: DocKind) -> Hooks:
    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        document = await _document(ctx, uow, kind, data.get(kind.fk))
        data[kind.fk] = document.id
        data["organization_id"] = document.organization_id
        _line_values(data, document)
        data.setdefault("quantity", Decimal(1))
        data.setdefault("normalized_quantity", data["quantity"])
        model = kind.line_model
        last = await uow.session.scalar(
            select(func.max(model.line_number)).where(getattr(model, kind.fk) == document.id)
        )
        data["line_number"] = (last or 0) + 1

    async def after_create(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        document = await recalculate(ctx, uow, kind, getattr(obj, kind.fk), reason="Line added")
        record_history(
            ctx, uow, kind, document, "lines", f"Line {obj.line_number} added: {obj.name or obj.kind}"
        )

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        document = await _document(ctx, uow, kind, getattr(obj, kind.fk))
        _line_values(data, document)

    async def after_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        document = await recalculate(ctx, uow, kind, getattr(obj, kind.fk), reason="Line changed")
        record_history(ctx, uow, kind, document, "lines", f"Line {obj.line_number} changed")

    async def before_delete(ctx: RequestContext, uow: UnitOfWork, obj: Any) -> None:
        await _document(ctx, uow, kind, getattr(obj, kind.fk))
        adj = kind.adjustment_model
        await uow.session.execute(delete(adj).where(getattr(adj, kind.line_fk) == obj.id))
        document = await recalculate(
            ctx, uow, kind, getattr(obj, kind.fk), exclude=(obj.id,), reason="Line removed"
        )
        record_history(ctx, uow, kind, document, "lines", f"Line {obj.line_number} removed")

    return _child_hooks(
        kind,
        kind.line_model,
        before_create=before_create,
        after_create=after_create,
        before_update=before_update,
        after_update=after_update,
        before_delete=before_delete,
    )


def line_entity(kind: DocKind) -> Entity:
    model = kind.line_model
    meta, computed = metadata_fields(model, snake=True)
    return _child_entity(
        kind,
        model,
        "line",
        computed=computed,
        fields=[
            Field("line_number", int, sort=True, **READONLY),
            Field("kind", str, sort=True),
            Field("status_entry_id", uuid.UUID),
            Field("status", str),
            Field("product_id", uuid.UUID, description="Catalog product (no foreign key)."),
            Field("product_variant_id", uuid.UUID, aliases=("variantId", "variant_id")),
            Field("catalog_snapshot", dict),
            Field("name", str, sort=True, search=True),
            Field("sku", str, search=True),
            Field("description", str, max_length=10000),
            Field("comment", str, max_length=10000),
            Field("quantity", Decimal),
            Field("quantity_unit", str),
            Field("normalized_quantity", Decimal),
            Field("normalized_unit", str),
            Field("uom_snapshot", dict),
            Field("currency_code", str),
            Field("unit_price_net", Decimal),
            Field("unit_price_gross", Decimal),
            Field("unit_price_reference", str, **READONLY),
            Field("discount_amount", Decimal),
            Field("discount_percent", Decimal),
            Field("tax_rate", Decimal, description="Percent."),
            Field("tax_amount", Decimal, **READONLY),
            Field("total_net_amount", Decimal, sort=True, **READONLY),
            Field("total_gross_amount", Decimal, sort=True, **READONLY),
            Field("configuration", dict),
            Field("promotion_code", str),
            Field("promotion_snapshot", dict),
            *meta,
            Field("custom_field_set_id", uuid.UUID),
            *stamps(),
        ],
        default_sort="line_number",
        hooks=line_hooks(kind),
        description=f"A line of a {kind.name}: a product or service, quantity, prices and tax (totals computed).",
    )


def _adjustment_values(data: dict[str, Any]) -> None:
    if data.get("scope") is not None and data["scope"] not in ADJUSTMENT_SCOPES:
        raise fail("scope", f"One of {', '.join(ADJUSTMENT_SCOPES)}", "invalid_enum_value")
    if data.get("kind") is not None:
        data["kind"] = data["kind"].strip().lower()
        if not data["kind"]:
            raise fail("kind", "Required", "too_small")
    if data.get("rate") is not None and not 0 <= data["rate"] <= 100:
        raise fail("rate", "A percentage between 0 and 100", "out_of_range")
    for key in ("fixed_net", "fixed_gross"):
        if data.get(key) is not None and data[key] < 0:
            raise fail(key.replace("fixed", "amount"), "Must not be negative", "too_small")
    for key in ("scope", "kind", "position"):
        if key in data and data[key] is None:
            data.pop(key)


def adjustment_hooks(kind: DocKind) -> Hooks:
    async def check_line(uow: UnitOfWork, document: Any, data: dict[str, Any], current: Any = None) -> None:
        line_id = data.get(kind.line_fk, getattr(current, kind.line_fk, None))
        scope = data.get("scope", getattr(current, "scope", None) or ("line" if line_id else "order"))
        data["scope"] = scope
        if scope == "line" and line_id is None:
            raise fail(kind.line_fk, "A line adjustment names its line", "invalid_type")
        if line_id is not None:
            model = kind.line_model
            found = await uow.session.scalar(
                select(model.id).where(model.id == line_id, getattr(model, kind.fk) == document.id)
            )
            if found is None:
                raise fail(kind.line_fk, "Not a line of this document", "not_found")

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        document = await _document(ctx, uow, kind, data.get(kind.fk))
        data[kind.fk] = document.id
        data["organization_id"] = document.organization_id
        data["currency_code"] = document.currency_code
        _adjustment_values(data)
        await check_line(uow, document, data)
        if data.get("rate") is None and data.get("fixed_net") is None and data.get("fixed_gross") is None:
            raise fail("rate", "Give a rate (percent) or an amount", "invalid_type")

    async def after_create(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        document = await recalculate(ctx, uow, kind, getattr(obj, kind.fk), reason="Adjustment added")
        record_history(ctx, uow, kind, document, "adjustments", f"Adjustment added: {obj.label or obj.kind}")

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        document = await _document(ctx, uow, kind, getattr(obj, kind.fk))
        data.pop("currency_code", None)
        _adjustment_values(data)
        await check_line(uow, document, data, obj)
        if "rate" in data and data["rate"] is not None and not ({"fixed_net", "fixed_gross"} & data.keys()):
            data["fixed_net"] = data["fixed_gross"] = None  # a percentage replaces fixed amounts

    async def after_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        document = await recalculate(ctx, uow, kind, getattr(obj, kind.fk), reason="Adjustment changed")
        record_history(
            ctx, uow, kind, document, "adjustments", f"Adjustment changed: {obj.label or obj.kind}"
        )

    async def before_delete(ctx: RequestContext, uow: UnitOfWork, obj: Any) -> None:
        await _document(ctx, uow, kind, getattr(obj, kind.fk))
        document = await recalculate(
            ctx, uow, kind, getattr(obj, kind.fk), exclude=(obj.id,), reason="Adjustment removed"
        )
        record_history(
            ctx, uow, kind, document, "adjustments", f"Adjustment removed: {obj.label or obj.kind}"
        )

    return _child_hooks(
        kind,
        kind.adjustment_model,
        before_create=before_create,
        after_create=after_create,
        before_update=before_update,
        after_update=after_update,
        before_delete=before_delete,
    )


def adjustment_entity(kind: DocKind) -> Entity:
    model = kind.adjustment_model
    meta, computed = metadata_fields(model, snake=True)
    return _child_entity(
        kind,
        model,
        "adjustment",
        computed=computed,
        fields=[
            Field(kind.line_fk, uuid.UUID),
            Field("scope", str),
            Field("kind", str, sort=True),
            Field("code", str),
            Field("label", str, search=True),
            Field("calculator_key", str),
            Field("promotion_id", uuid.UUID),
            Field("rate", Decimal, description="Percent of the base (the line's or the lines' totals)."),
            Field("amount_net", Decimal, **READONLY),
            Field("amount_gross", Decimal, **READONLY),
            Field(
                "fixed_net",
                Decimal,
                aliases=("amountNet", "amount_net"),
                description="Fixed net amount given.",
            ),
            Field("fixed_gross", Decimal, aliases=("amountGross", "amount_gross")),
            Field("currency_code", str),
            *meta,
            Field("position", int, sort=True),
            *stamps(),
        ],
        default_sort="position",
        hooks=adjustment_hooks(kind),
        description=f"A discount, surcharge or shipping charge on a {kind.name} or one of its lines.",
    )


QUOTE_LINE = line_entity(QUOTE)
ORDER_LINE = line_entity(ORDER)
QUOTE_ADJUSTMENT = adjustment_entity(QUOTE)
ORDER_ADJUSTMENT = adjustment_entity(ORDER)

for _kind, _line, _adjustment in (
    (QUOTE, QUOTE_LINE, QUOTE_ADJUSTMENT),
    (ORDER, ORDER_LINE, ORDER_ADJUSTMENT),
):
    recalculated_on_undo(_line, _kind, _kind.fk)
    recalculated_on_undo(_adjustment, _kind, _kind.fk)
