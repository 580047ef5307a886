"""Paying on a public page: ``submit`` opens the payment at the link's provider through
``payment_gateways`` and records the checkout transaction, in one unit of work (``idempotencyKey``
answers a repeated submit with the first one's payment); ``status`` tells where a payment of this
page stands (polling). Both are public and answer only what the payer's page needs."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, Unauthorized
from models.checkout import CheckoutLink, CheckoutTransaction
from models.payment_gateways import PaymentTransaction
from resolvers.checkout.entities import CHECKOUT_TRANSACTION, MODULE
from resolvers.checkout.pages import PAGES, find_link, unlocked
from resolvers.entity import serialize, to_jsonable
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.payment_gateways.money import Amount, checked_amount, fail
from resolvers.payment_gateways.service import SessionRequest, start_session
from resolvers.payment_gateways.states import PAID
from resolvers.ratelimits import Budget, require
from resolvers.validation import text

SUBMIT = Budget("checkout.submit", 30, 60)
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"
    ),
]


class CheckoutSubmitInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: text(100)
    amount: Amount | None = None
    customerEmail: Email | None = None
    customerName: text(200) | None = None
    accessToken: text(200) | None = None
    idempotencyKey: text(80) | None = None


class CheckoutSubmitResult(BaseModel):
    transactionId: uuid.UUID
    paymentTransactionId: uuid.UUID
    providerKey: str
    gatewayTransactionId: str | None = None
    status: str
    amount: Decimal
    currencyCode: str
    clientSecret: str | None = None
    redirectUrl: str | None = None


def _amount(link: CheckoutLink, given: Decimal | None) -> Decimal:
    if not link.allow_custom_amount:
        if given is not None and given != link.amount:
            raise fail("amount", "This page asks for a fixed amount", "invalid")
        return link.amount
    if given is None:
        raise fail("amount", "Enter an amount", "required")
    amount = checked_amount(given, link.currency_code)
    if link.min_amount is not None and amount < link.min_amount:
        raise fail("amount", f"At least {link.min_amount} {link.currency_code}", "too_small")
    if link.max_amount is not None and amount > link.max_amount:
        raise fail("amount", f"At most {link.max_amount} {link.currency_code}", "too_big")
    return amount


def submit_body(row: CheckoutTransaction, payment: PaymentTransaction, secret: str | None) -> dict[str, Any]:
    return {
        "transactionId": str(row.id),
        "paymentTransactionId": str(payment.id),
        "providerKey": row.provider_key,
        "gatewayTransactionId": row.gateway_transaction_id,
        "status": row.status,
        "amount": str(row.amount),
        "currencyCode": row.currency_code,
        "clientSecret": secret,
        "redirectUrl": None,
    }


def idempotency_key(link: CheckoutLink, given: str) -> str:
    """The payment's idempotency key for a payer's key on this page (fits the column, whatever given)."""
    return "checkout:" + hashlib.sha256(f"{link.id}:{given}".encode()).hexdigest()[:48]


async def _earlier(uow: UnitOfWork, link: CheckoutLink, key: str) -> dict[str, Any] | None:
    found = (
        await uow.session.execute(
            select(CheckoutTransaction, PaymentTransaction)
            .join(PaymentTransaction, PaymentTransaction.id == CheckoutTransaction.payment_transaction_id)
            .where(PaymentTransaction.tenant_id == link.tenant_id, PaymentTransaction.idempotency_key == key)
        )
    ).first()
    return submit_body(found[0], found[1], None) if found else None


@operation(
    "submit_checkout_payment",
    MODULE,
    input=CheckoutSubmitInput,
    output=CheckoutSubmitResult,
    auth=False,
    transaction=False,  # a system unit of work: the link names the tenant, not a caller
    rest=Rest("POST", "/checkout/pay/{slug}/submit", status=201),
)
async def submit(ctx: RequestContext, data: CheckoutSubmitInput) -> dict[str, Any]:
    """Pay on a page (public): opens the payment at the page's provider; the answer carries what
    the payer's browser needs to finish it (``clientSecret`` for Stripe)."""
    await require(ctx, SUBMIT)
    async with ctx.unit_of_work(system=True, command=f"{MODULE}.submit") as uow:
        link = await find_link(uow.session, data.slug, lock=True)
        if not unlocked(ctx, link, data.accessToken):
            raise Unauthorized("Password required")
        key = idempotency_key(link, data.idempotencyKey) if data.idempotencyKey else None
        if key and (earlier := await _earlier(uow, link, key)):
            return earlier
        amount = _amount(link, data.amount)
        request = SessionRequest(
            tenant_id=link.tenant_id,
            organization_id=link.organization_id,
            provider_key=link.provider_key,
            amount=amount,
            currency_code=link.currency_code,
            description=link.title[:500],
            order_id=link.order_id,
            metadata={"checkoutLinkId": str(link.id)},
            idempotency_key=key,
        )
        payment, secret = await start_session(ctx, uow, request)
        row = CheckoutTransaction(
            id=uuid.uuid4(),
            tenant_id=link.tenant_id,
            organization_id=link.organization_id,
            link_id=link.id,
            payment_transaction_id=payment.id,
            provider_key=payment.provider_key,
            gateway_transaction_id=payment.gateway_transaction_id,
            status=payment.status,
            amount=payment.amount,
            currency_code=payment.currency_code,
            customer_email=data.customerEmail,
            customer_name=data.customerName,
            order_id=link.order_id,
        )
        uow.session.add(row)
        if payment.status in PAID:
            link.use_count = CheckoutLink.use_count + 1
        await uow.session.flush()
        await uow.session.refresh(row)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity=CHECKOUT_TRANSACTION.name,
            verb="create",
            event="created",
            resource_id=row.id,
            tenant_id=row.tenant_id,
            organization_id=row.organization_id,
            after=serialize(CHECKOUT_TRANSACTION, row),
        )
        return submit_body(row, payment, secret)


class CheckoutStatusInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: text(100)
    transactionId: text(64)


class CheckoutPageStatus(BaseModel):
    transactionId: uuid.UUID
    status: str
    paid: bool
    amount: Decimal
    currencyCode: str
    successMessage: str | None = None
    updatedAt: str | None = None


@operation(
    "checkout_payment_status",
    MODULE,
    kind="query",
    input=CheckoutStatusInput,
    output=CheckoutPageStatus,
    auth=False,
    rest=Rest("GET", "/checkout/pay/{slug}/status/{transactionId}"),
)
async def payment_status(ctx: RequestContext, data: CheckoutStatusInput) -> dict[str, Any]:
    """Where a payment made on this page stands (public; 404 for another page's payment)."""
    await require(ctx, PAGES)
    try:
        ident = uuid.UUID(data.transactionId)
    except ValueError:
        raise NotFound() from None
    async with ctx.read_session(system=True) as session:
        found = (
            await session.execute(
                select(CheckoutTransaction, CheckoutLink.success_message)
                .join(CheckoutLink, CheckoutLink.id == CheckoutTransaction.link_id)
                .where(CheckoutTransaction.id == ident, CheckoutLink.slug == data.slug.lower())
                .order_by(func.coalesce(CheckoutLink.deleted_at, func.now()).desc())
                .limit(1)
            )
        ).first()
    if found is None:
        raise NotFound()
    row, message = found
    paid = row.status in PAID
    return {
        "transactionId": str(row.id),
        "status": row.status,
        "paid": paid,
        "amount": str(row.amount),
        "currencyCode": row.currency_code,
        "successMessage": message if paid else None,
        "updatedAt": to_jsonable(row.updated_at),
    }
