"""Selling entities and invoices: declarations and the rules every write path goes through.

Selling entities: a name, Polish identifiers checked by their checksums (NIP, REGON), a bank account
(NRB, 26 digits, checked as an IBAN), an invoice prefix; at most one is the organization's default.

Invoices: ``issued`` (by one of the organization's selling entities, numbered from its counter when
no ``documentNumber`` is given) or ``received``; the seller's details are copied from the selling
entity unless given; line items are validated and priced (``resolvers.accounting.vat``), and the
totals and the VAT breakdown are always derived from them. Deleting is a soft delete.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.accounting import Invoice, SellingEntity
from models.customers import CustomerEntity
from resolvers.accounting.counter import allocate
from resolvers.accounting.vat import invoice_amounts
from resolvers.crud import guarded
from resolvers.customers.registry import digits, valid_nip, valid_regon
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, camel, eq
from resolvers.flags import take_flag
from resolvers.scope import load_in_scope

MODULE = "accounting"
SETTINGS_MANAGE = "accounting.settings.manage"
VIEW, MANAGE = "accounting.invoices.view", "accounting.invoices.manage"
READONLY = {"create": False, "update": False}
KINDS = ("issued", "received")
PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,19}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def fail(path: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([issue(path, message, code)])


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def identifiers(data: dict[str, Any], nip: str, regon: str) -> None:
    """NIP and REGON normalized to digits and checked (an empty one becomes null)."""
    for attr, check, label in ((nip, valid_nip, "NIP"), (regon, valid_regon, "REGON")):
        if data.get(attr) is None:
            continue
        value = digits(data[attr])
        if data[attr].strip() and not check(value):
            raise fail(camel(attr), f"Invalid {label}", "invalid_string")
        data[attr] = value or None


def bank_account(raw: str, path: str) -> str:
    """A Polish account number (NRB: 26 digits, optionally ``PL``-prefixed) with a valid checksum."""
    value = re.sub(r"[\s-]", "", raw).upper().removeprefix("PL")
    if not re.fullmatch(r"\d{26}", value):
        raise fail(path, "A Polish account number has 26 digits", "invalid_string")
    rearranged = value[2:] + "2521" + value[:2]  # IBAN check: PL = 25 21
    if int(rearranged) % 97 != 1:
        raise fail(path, "Invalid account number checksum", "invalid_string")
    return value


# --- selling entities -----------------------------------------------------------------------------


def _entity_values(data: dict[str, Any]) -> None:
    if data.get("name") is not None:
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise fail("name", "Name is required", "too_small")
    identifiers(data, "nip", "regon")
    if data.get("bank_account"):
        data["bank_account"] = bank_account(data["bank_account"], "bankAccount")
    if data.get("invoice_prefix") is not None and not PREFIX.match(data["invoice_prefix"]):
        raise fail("invoicePrefix", "1-20 letters, digits, '.', '_', '/' or '-'", "invalid_string")
    days = data.get("default_payment_term_days")
    if days is not None and not 0 <= days <= 365:
        raise fail("defaultPaymentTermDays", "Between 0 and 365 days", "out_of_range")
    for attr in ("invoice_prefix", "is_default"):
        if attr in data and data[attr] is None:
            data.pop(attr)


def _default_group(row: Any) -> list[Any]:
    return [
        SellingEntity.tenant_id == row["tenant_id"],
        SellingEntity.organization_id == row["organization_id"],
    ]


async def _entity_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _entity_values(data)
    data.setdefault("invoice_prefix", "FV")
    data.setdefault("is_default", False)
    if data["is_default"]:
        await take_flag(ctx, uow, SELLING_ENTITY, "is_default", _default_group(data))


async def _entity_update(
    ctx: RequestContext, uow: UnitOfWork, obj: SellingEntity, data: dict[str, Any]
) -> None:
    _entity_values(data)
    if data.get("is_default") and not obj.is_default:
        scope = {"tenant_id": obj.tenant_id, "organization_id": obj.organization_id}
        await take_flag(ctx, uow, SELLING_ENTITY, "is_default", _default_group(scope), keep=obj.id)


SELLING_ENTITY = Entity(
    name="selling_entity",
    module=MODULE,
    model=SellingEntity,
    path="/accounting/selling-entities",
    graphql_name="SellingEntity",
    plural="sellingEntities",
    features=Features.view_manage(None, SETTINGS_MANAGE),
    fields=[
        Field("name", str, required=True, sort=True, search=True),
        Field("nip", str, search=True),
        Field("regon", str),
        Field("address", str),
        Field("bank_account", str),
        Field("bank_name", str),
        Field("invoice_prefix", str, sort=True),
        Field("default_payment_term_days", int),
        Field("is_default", bool, sort=True),
        *stamps(),
    ],
    filters=[eq("isDefault", SellingEntity.is_default, bool), eq("nip", SellingEntity.nip)],
    relations=[
        Relation(
            "invoices", "invoice", "many", target_fk="seller_entity_id", description="Invoices it issued."
        )
    ],
    default_sort="name",
    hooks=guarded(SellingEntity, Hooks(before_create=_entity_create, before_update=_entity_update)),
    description="A legal entity of the organization that issues invoices (numbered prefix/year/n).",
)


# --- invoices -------------------------------------------------------------------------------------

SELLER_COPY = {
    "seller_name": "name",
    "seller_nip": "nip",
    "seller_regon": "regon",
    "seller_address": "address",
    "payment_account": "bank_account",
}


def _invoice_values(data: dict[str, Any]) -> None:
    if data.get("document_number") is not None:
        data["document_number"] = data["document_number"].strip() or None
        if data["document_number"] is None:
            data.pop("document_number")
    if data.get("document_kind") is not None and data["document_kind"] not in KINDS:
        raise fail("documentKind", f"One of {', '.join(KINDS)}", "invalid_enum_value")
    if data.get("currency_code") is not None:
        data["currency_code"] = data["currency_code"].strip().upper()
        if not CURRENCY.match(data["currency_code"]):
            raise fail("currencyCode", "A three-letter ISO code (e.g., PLN)", "invalid_string")
    if data.get("payment_account"):
        data["payment_account"] = bank_account(data["payment_account"], "paymentAccount")
    days = data.get("payment_term_days")
    if days is not None and not 0 <= days <= 365:
        raise fail("paymentTermDays", "Between 0 and 365 days", "out_of_range")
    for side in ("seller", "buyer"):
        identifiers(data, f"{side}_nip", f"{side}_regon")
    if "line_items" in data:
        data.update(invoice_amounts(data["line_items"] or []))
    for attr in ("document_kind", "is_draft"):
        if attr in data and data[attr] is None:
            data.pop(attr)


async def _seller(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> SellingEntity | None:
    """The selling entity the invoice names (in the caller's scope, else 400), its details copied
    into the seller fields the caller left empty."""
    if data.get("seller_entity_id") is None:
        return None
    try:
        entity = await load_in_scope(
            ctx, uow.session, SellingEntity, data["seller_entity_id"], "Selling entity"
        )
    except NotFound:  # a reference in the body is a validation error, the same for any tenant's id
        raise fail("sellerEntityId", "Selling entity not found", "not_found") from None
    for target, source in SELLER_COPY.items():
        if data.get(target) is None:
            data[target] = getattr(entity, source)
    if data.get("payment_term_days") is None and entity.default_payment_term_days is not None:
        data["payment_term_days"] = entity.default_payment_term_days
    return entity


async def _buyer(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    """The buyer, when named, is a live customer (person or company) in the caller's scope (else 400)."""
    if data.get("buyer_entity_id") is None:
        return
    try:
        buyer = await load_in_scope(ctx, uow.session, CustomerEntity, data["buyer_entity_id"], "Customer")
    except NotFound:
        raise fail("buyerEntityId", "Customer not found", "not_found") from None
    if data.get("buyer_name") is None:
        data["buyer_name"] = buyer.display_name


def _due_date(data: dict[str, Any], issued: date) -> None:
    if data.get("payment_due_date") is None and data.get("payment_term_days") is not None:
        data["payment_due_date"] = issued + timedelta(days=data["payment_term_days"])


async def _invoice_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _invoice_values(data)
    data.setdefault("document_kind", "issued")
    data.setdefault("is_draft", False)
    if data.get("issue_date") is None:
        data["issue_date"] = datetime.now(UTC).date()
    if "line_items" not in data:
        data.update(invoice_amounts([]))
    seller = await _seller(ctx, uow, data)
    await _buyer(ctx, uow, data)
    if data.get("document_number") is None:
        if seller is None or data["document_kind"] != "issued":
            raise fail(
                "documentNumber", "Required unless an issued invoice names its selling entity", "invalid_type"
            )
        data["document_number"] = await allocate(uow, seller, data["issue_date"].year)
    _due_date(data, data["issue_date"])


async def _invoice_update(ctx: RequestContext, uow: UnitOfWork, obj: Invoice, data: dict[str, Any]) -> None:
    _invoice_values(data)
    if data.get("seller_entity_id") not in (None, obj.seller_entity_id):
        if obj.document_kind == "issued" and obj.seller_entity_id is not None:
            raise fail("sellerEntityId", "An issued invoice keeps the selling entity that numbered it")
        await _seller(ctx, uow, data)
    if data.get("buyer_entity_id") not in (None, obj.buyer_entity_id):
        await _buyer(ctx, uow, data)
    _due_date(data, obj.issue_date)


def _money(attr: str) -> Field:
    return Field(
        attr, Decimal, sort=attr == "total_amount", description="Exact decimal, as a string.", **READONLY
    )


INVOICE = Entity(
    name="invoice",
    module=MODULE,
    model=Invoice,
    path="/accounting/invoices",
    graphql_name="Invoice",
    plural="invoices",
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("document_number", str, sort=True, search=True, update=False),
        Field("document_kind", str, sort=True, update=False),
        Field("issue_date", date, sort=True, update=False),
        Field("sales_date", date),
        Field("payment_due_date", date, sort=True),
        Field("payment_term_days", int),
        Field("payment_method", str),
        Field("payment_account", str),
        Field("seller_entity_id", uuid.UUID),
        Field("seller_name", str, search=True),
        Field("seller_nip", str),
        Field("seller_regon", str),
        Field("seller_address", str),
        Field("buyer_entity_id", uuid.UUID),
        Field("buyer_name", str, sort=True, search=True),
        Field("buyer_nip", str),
        Field("buyer_regon", str),
        Field("buyer_address", str),
        Field("line_items", list, description="Lines with their net, VAT and gross amounts (strings)."),
        Field("vat_breakdown", list, description="Net, VAT and gross per VAT rate (strings).", **READONLY),
        Field("title", str, search=True),
        Field("counterparty_name", str, search=True),
        Field("external_reference", str),
        Field("currency_code", str),
        _money("net_amount"),
        _money("vat_amount"),
        _money("total_amount"),
        Field("source_system", str),
        Field("notes", str),
        Field("is_draft", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("documentKind", Invoice.document_kind),
        eq("isDraft", Invoice.is_draft, bool),
        eq("currencyCode", Invoice.currency_code),
        eq("sourceSystem", Invoice.source_system),
        eq("sellerEntityId", Invoice.seller_entity_id, uuid.UUID),
        Filter("issueDateFrom", date, lambda q, v: q.where(Invoice.issue_date >= v)),
        Filter("issueDateTo", date, lambda q, v: q.where(Invoice.issue_date <= v)),
    ],
    relations=[Relation("seller_entity", "selling_entity", "one", source_fk="seller_entity_id")],
    default_sort="issue_date",
    hooks=guarded(Invoice, Hooks(before_create=_invoice_create, before_update=_invoice_update)),
    description="An issued or received invoice: line items, VAT per rate and totals in exact decimals.",
)
