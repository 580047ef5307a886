"""Checkout templates, pay links and checkout transactions, declared once.

A template and a link describe a pay page: a title, and either a fixed ``amount`` or a custom one
(``allowCustomAmount``, optionally between ``minAmount`` and ``maxAmount``), in ``currencyCode``,
paid through ``providerKey``. A link may start from a template (the fields it does not give are
copied), has a ``slug`` unique among live links (generated when omitted) and an optional password,
written as ``password`` and kept only as its argon2 hash (``passwordProtected`` tells it is set;
an empty password removes it). Checkout transactions are written by the pay page only.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest
from crmgraph.security import hash_password
from models.checkout import CheckoutLink, CheckoutTemplate, CheckoutTransaction
from resolvers.crud import guarded, service
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq, one_of
from resolvers.payment_gateways.money import checked_amount, currency, fail
from resolvers.payment_gateways.providers import KEYS
from resolvers.undo import NOT_AVAILABLE, apply_entity_step, undo_handler

MODULE = "checkout"
VIEW, CREATE, EDIT, DELETE = "checkout.view", "checkout.create", "checkout.edit", "checkout.delete"
FEATURES = Features(view=[VIEW], create=[CREATE], update=[EDIT], delete=[DELETE])
READONLY = {"create": False, "update": False}
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,98}[a-z0-9])$")
PAGE_ATTRS = (
    "title",
    "description",
    "amount",
    "currency_code",
    "allow_custom_amount",
    "min_amount",
    "max_amount",
    "provider_key",
    "success_message",
)


def page_fields(title_required: bool = True) -> list[Field]:
    return [
        Field("title", str, required=title_required, sort=True, search=True, max_length=200),
        Field("description", str, max_length=5000),
        Field("amount", Decimal, sort=True),
        Field("currency_code", str, max_length=3),
        Field("allow_custom_amount", bool),
        Field("min_amount", Decimal),
        Field("max_amount", Decimal),
        Field("provider_key", str, max_length=50),
        Field("success_message", str, max_length=5000),
    ]


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def check_page(page: dict[str, Any]) -> dict[str, Any]:
    """Normalize and check a pay page's values (``page``: the row's values as they will be); returns
    the normalized ones to write."""
    out: dict[str, Any] = {"currency_code": currency(page.get("currency_code") or "EUR")}
    code = out["currency_code"]
    if page.get("provider_key") not in KEYS:
        raise fail("providerKey", f"One of {', '.join(KEYS)}", "invalid_enum_value")
    for attr, path in (("amount", "amount"), ("min_amount", "minAmount"), ("max_amount", "maxAmount")):
        if page.get(attr) is not None:
            out[attr] = checked_amount(page[attr], code, path)
    if not page.get("allow_custom_amount") and page.get("amount") is None:
        raise fail("amount", "An amount is required unless the payer may enter one", "required")
    low, high = out.get("min_amount"), out.get("max_amount")
    if low is not None and high is not None and low > high:
        raise fail("maxAmount", "Must not be less than minAmount", "too_small")
    title = (page.get("title") or "").strip()
    if not title:
        raise fail("title", "Title is required", "too_small")
    out["title"] = title
    return out


def _page_values(data: dict[str, Any], obj: Any = None) -> None:
    for attr in ("allow_custom_amount", "currency_code", "provider_key"):
        if attr in data and data[attr] is None:
            data.pop(attr)
    current = {attr: getattr(obj, attr) for attr in PAGE_ATTRS} if obj is not None else {}
    merged = {**current, **data}
    merged.setdefault("provider_key", "manual")
    merged.setdefault("allow_custom_amount", False)
    checked = check_page(merged)
    data.update({k: v for k, v in checked.items() if k in data or obj is None})
    if obj is None:
        data.setdefault("provider_key", "manual")
        data.setdefault("allow_custom_amount", False)


async def _template_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["name"] = (data.get("name") or "").strip() or None
    _page_values(data)
    data["name"] = data["name"] or data["title"]


async def _template_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    if "name" in data and not (data["name"] or "").strip():
        raise fail("name", "Name is required", "too_small")
    _page_values(data, obj)


CHECKOUT_TEMPLATE = Entity(
    name="checkout_template",
    module=MODULE,
    model=CheckoutTemplate,
    path="/checkout/templates",
    graphql_name="CheckoutTemplate",
    plural="checkoutTemplates",
    features=FEATURES,
    fields=[Field("name", str, sort=True, search=True, max_length=200), *page_fields(), *stamps()],
    filters=[
        eq("providerKey", CheckoutTemplate.provider_key),
        eq("currencyCode", CheckoutTemplate.currency_code),
    ],
    relations=[
        Relation("links", "checkout_link", "many", target_fk="template_id", description="Links made from it.")
    ],
    default_sort="name",
    rest_verbs=("GET", "POST"),  # item paths: openapi_compat.crud.item_routes
    hooks=guarded(CheckoutTemplate, Hooks(before_create=_template_create, before_update=_template_update)),
    description="A reusable pay page: what a link made from it asks for, unless the link says otherwise.",
)


def _slug(raw: Any) -> str:
    slug = str(raw or "").strip().lower()
    if not SLUG.match(slug):
        raise fail(
            "slug", "3-100 lower-case letters, digits or hyphens (not at either end)", "invalid_string"
        )
    return slug


def _password(data: dict[str, Any]) -> None:
    """``password`` becomes its hash (empty or null: no password)."""
    if "password" not in data:
        return
    given = data.pop("password")
    data["password_hash"] = hash_password(given) if given else None
    data["password_protected"] = bool(given)
    data["password_changed_at"] = datetime.now(UTC)


async def _link_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if data.get("template_id") is not None:
        template = await service(CHECKOUT_TEMPLATE).fetch(ctx, uow.session, data["template_id"])
        for attr in PAGE_ATTRS:
            if data.get(attr) is None:
                data[attr] = getattr(template, attr)
    _page_values(data)
    data["slug"] = _slug(data["slug"]) if data.get("slug") else f"pay-{secrets.token_hex(6)}"
    data["name"] = (data.get("name") or "").strip() or data["title"]
    data.setdefault("is_active", True)
    if data["is_active"] is None:
        data["is_active"] = True
    _uses(data)
    _password(data)


def _uses(data: dict[str, Any]) -> None:
    if data.get("max_uses") is not None and data["max_uses"] < 1:
        raise fail("maxUses", "At least 1 (or null: unlimited)", "too_small")


async def _link_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
    if "template_id" in data and data["template_id"] is not None:
        await service(CHECKOUT_TEMPLATE).fetch(ctx, uow.session, data["template_id"])
    if "slug" in data:
        data["slug"] = _slug(data["slug"])
    if "name" in data and not (data["name"] or "").strip():
        raise fail("name", "Name is required", "too_small")
    if "is_active" in data and data["is_active"] is None:
        data.pop("is_active")
    _page_values(data, obj)
    _uses(data)
    _password(data)


CHECKOUT_LINK = Entity(
    name="checkout_link",
    module=MODULE,
    model=CheckoutLink,
    path="/checkout/links",
    graphql_name="CheckoutLink",
    plural="checkoutLinks",
    features=FEATURES,
    fields=[
        Field("name", str, sort=True, search=True, max_length=200),
        Field("slug", str, sort=True, search=True, max_length=100),
        Field("template_id", uuid.UUID),
        *page_fields(title_required=False),  # a link made from a template may take its title
        Field("password", str, read=False, max_length=200, description="Write only; empty removes it."),
        Field("password_protected", bool, **READONLY),
        Field("password_changed_at", datetime, **READONLY),
        Field("is_active", bool, sort=True),
        Field("expires_at", datetime, sort=True),
        Field("max_uses", int),
        Field("use_count", int, **READONLY),
        Field("order_id", uuid.UUID),
        *stamps(),
    ],
    filters=[
        eq("slug", CheckoutLink.slug),
        eq("isActive", CheckoutLink.is_active, bool),
        eq("templateId", CheckoutLink.template_id, uuid.UUID),
        eq("providerKey", CheckoutLink.provider_key),
        eq("orderId", CheckoutLink.order_id, uuid.UUID),
    ],
    relations=[
        Relation("template", "checkout_template", "one", source_fk="template_id"),
        Relation("transactions", "checkout_transaction", "many", target_fk="link_id"),
    ],
    default_sort="created_at",
    rest_verbs=("GET", "POST"),  # item paths: openapi_compat.crud.item_routes
    hooks=guarded(CheckoutLink, Hooks(before_create=_link_create, before_update=_link_update)),
    description="A public pay page at /checkout/pay/{slug}, optionally password-protected.",
)

CHECKOUT_TRANSACTION = Entity(
    name="checkout_transaction",
    module=MODULE,
    model=CheckoutTransaction,
    path="/checkout/transactions",
    graphql_name="CheckoutTransaction",
    plural="checkoutTransactions",
    features=Features(view=[VIEW], create=[CREATE], update=[EDIT], delete=[DELETE]),
    fields=[
        Field("link_id", uuid.UUID, **READONLY),
        Field("payment_transaction_id", uuid.UUID, **READONLY),
        Field("provider_key", str, sort=True, **READONLY),
        Field("gateway_transaction_id", str, search=True, **READONLY),
        Field("status", str, sort=True, **READONLY),
        Field("amount", Decimal, sort=True, **READONLY),
        Field("currency_code", str, **READONLY),
        Field("customer_email", str, search=True, **READONLY),
        Field("customer_name", str, search=True, **READONLY),
        Field("order_id", uuid.UUID, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("status", CheckoutTransaction.status),
        one_of("statusIn", CheckoutTransaction.status),
        eq("linkId", CheckoutTransaction.link_id, uuid.UUID),
        eq("providerKey", CheckoutTransaction.provider_key),
        eq("gatewayTransactionId", CheckoutTransaction.gateway_transaction_id),
        eq("orderId", CheckoutTransaction.order_id, uuid.UUID),
    ],
    relations=[
        Relation("link", "checkout_link", "one", source_fk="link_id"),
        Relation("payment_transaction", "payment_transaction", "one", source_fk="payment_transaction_id"),
    ],
    soft_delete=False,
    default_sort="created_at",
    rest_verbs=("GET",),
    mutations=(),
    description="A payment submitted on a pay page; its status follows the payment transaction's.",
)


@undo_handler("checkout.checkout_link.update")
async def _undo_link_update(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: str
) -> None:
    """A password change is not undone (only its hash is kept, never in a snapshot); other changes are."""
    before, after = step.get("before") or {}, step.get("after") or {}
    if before.get("passwordChangedAt") != after.get("passwordChangedAt"):
        raise BadRequest(NOT_AVAILABLE, reason="a password change cannot be undone")
    await apply_entity_step(ctx, uow, CHECKOUT_LINK, step, direction)  # type: ignore[arg-type]
