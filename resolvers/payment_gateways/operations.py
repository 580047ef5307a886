"""The payment commands and reads: sessions, capture, refund, cancel, status, providers.

Commands hold the transaction's row lock while the provider is asked, so two refunds of one payment
are checked one after the other; provider writes carry idempotency keys derived from the
transaction's state, so a command retried after a lost commit never repeats a charge or a refund.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.payment_gateways import PaymentTransaction
from resolvers.crud import service
from resolvers.customers.settings import selected_organization
from resolvers.entity import serialize
from resolvers.operations import Rest, operation, reloaded
from resolvers.payment_gateways.entities import CAPTURE, MANAGE, MODULE, PAYMENT_TRANSACTION, REFUND, VIEW
from resolvers.payment_gateways.money import Amount, checked_amount, fail
from resolvers.payment_gateways.providers import KEYS, describe, provider
from resolvers.payment_gateways.service import (
    SessionRequest,
    change,
    configured_provider,
    session_body,
    start_session,
    status_body,
)
from resolvers.payment_gateways.states import STATUS
from resolvers.validation import text

Metadata = Annotated[dict[text(40), text(500)], PydanticField(max_length=20)]


class PaymentSessionInput(BaseModel):
    """A payment to open at ``providerKey`` (``manual`` or ``stripe``); ``idempotencyKey`` makes a
    repeated request answer the first one's payment."""

    model_config = ConfigDict(extra="ignore")
    providerKey: text(50)
    amount: Amount
    currencyCode: text(3)
    captureMethod: Literal["automatic", "manual"] = "automatic"
    description: text(500) | None = None
    orderId: uuid.UUID | None = None
    metadata: Metadata | None = None
    idempotencyKey: text(100) | None = None


class PaymentSessionResult(BaseModel):
    transactionId: uuid.UUID
    providerKey: str
    gatewayTransactionId: str | None = None
    status: str
    amount: Decimal
    currencyCode: str
    clientSecret: str | None = None
    redirectUrl: str | None = None


class PaymentTransactionRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    transactionId: text(64)


class PaymentCaptureInput(PaymentTransactionRef):
    amount: Amount | None = None


class PaymentRefundInput(PaymentTransactionRef):
    amount: Amount | None = None


class PaymentStatusResult(BaseModel):
    transactionId: uuid.UUID
    providerKey: str
    gatewayTransactionId: str | None = None
    status: str
    amount: Decimal
    capturedAmount: Decimal
    refundedAmount: Decimal
    currencyCode: str
    paidAt: str | None = None
    updatedAt: str | None = None


class PaymentProviderInfo(BaseModel):
    key: str
    name: str
    description: str
    configured: bool
    capabilities: list[str]
    supportsWebhooks: bool
    webhookPath: str | None = None


class PaymentProviderRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    providerKey: text(50)


async def _existing(ctx: RequestContext, tenant_id: uuid.UUID, key: str) -> PaymentTransaction | None:
    async with ctx.read_session() as session:
        return await session.scalar(
            select(PaymentTransaction).where(
                PaymentTransaction.tenant_id == tenant_id, PaymentTransaction.idempotency_key == key
            )
        )


async def _session_result(_ctx: RequestContext, _input: Any, result: Any) -> Any:
    return result[0]


@operation(
    "create_payment_session",
    MODULE,
    input=PaymentSessionInput,
    output=PaymentSessionResult,
    features=(MANAGE,),
    graphql_result=_session_result,
    rest=Rest("POST", "/payment_gateways/sessions", status=201, reply=lambda r: (r[0], 201 if r[1] else 200)),
)
async def create_session(ctx: RequestContext, data: PaymentSessionInput) -> tuple[dict[str, Any], bool]:
    """Open a payment at a provider in the selected organization (201; 200 with the earlier payment
    when ``idempotencyKey`` was used before)."""
    tenant_id, org_id = await selected_organization(ctx)
    if data.idempotencyKey and (found := await _existing(ctx, tenant_id, data.idempotencyKey)):
        return session_body(found), False
    request = SessionRequest(
        tenant_id=tenant_id,
        organization_id=org_id,
        provider_key=data.providerKey,
        amount=data.amount,
        currency_code=data.currencyCode,
        capture_method=data.captureMethod,
        description=data.description,
        order_id=data.orderId,
        metadata=data.metadata,
        idempotency_key=data.idempotencyKey,
    )
    async with ctx.unit_of_work() as uow:
        txn, secret = await start_session(ctx, uow, request)
    return session_body(txn, secret), True


async def _locked(ctx: RequestContext, uow: UnitOfWork, ident: str) -> PaymentTransaction:
    return await service(PAYMENT_TRANSACTION).fetch(ctx, uow.session, ident, lock=True)


def _reply(txn: PaymentTransaction, **extra: Any) -> dict[str, Any]:
    return {"ok": True, "transaction": serialize(PAYMENT_TRANSACTION, txn), **extra}


TRANSACTION_RESULT = {
    "output": PAYMENT_TRANSACTION,
    "graphql_result": reloaded(PAYMENT_TRANSACTION, lambda r: r["transaction"]["id"]),
}


@operation(
    "capture_payment",
    MODULE,
    input=PaymentCaptureInput,
    features=(CAPTURE,),
    rest=Rest("POST", "/payment_gateways/capture"),
    **TRANSACTION_RESULT,
)
async def capture(ctx: RequestContext, data: PaymentCaptureInput) -> dict[str, Any]:
    """Capture an authorized (or pending manual) payment, all of it unless ``amount`` says less."""
    async with ctx.unit_of_work() as uow:
        txn = await _locked(ctx, uow, data.transactionId)
        STATUS.check(txn.status, "captured")
        amount = checked_amount(data.amount, txn.currency_code) if data.amount is not None else txn.amount
        if amount > txn.amount:
            raise fail("amount", "Capture amount exceeds the payment amount", "too_big")
        gateway = configured_provider(ctx, txn.provider_key)
        payment = await gateway.capture(
            txn.gateway_transaction_id or "", amount, txn.currency_code, f"capture-{txn.id}"
        )
        await change(
            ctx,
            uow,
            txn,
            kind="capture",
            status=payment.status,
            captured=payment.captured or amount,
            amount=amount,
        )
    return _reply(txn)


@operation(
    "refund_payment",
    MODULE,
    input=PaymentRefundInput,
    features=(REFUND,),
    rest=Rest("POST", "/payment_gateways/refund"),
    **TRANSACTION_RESULT,
)
async def refund(ctx: RequestContext, data: PaymentRefundInput) -> dict[str, Any]:
    """Refund a captured payment, the rest of it unless ``amount`` says less; more than was captured
    and not yet refunded is refused (400)."""
    async with ctx.unit_of_work() as uow:
        txn = await _locked(ctx, uow, data.transactionId)
        STATUS.check(txn.status, "refunded")
        remaining = txn.captured_amount - txn.refunded_amount
        amount = checked_amount(data.amount, txn.currency_code) if data.amount is not None else remaining
        if amount > remaining or remaining <= 0:
            raise ValidationFailed(
                [issue("amount", f"At most {remaining} {txn.currency_code} can be refunded", "too_big")],
                "Refund amount exceeds the captured amount",
            )
        gateway = configured_provider(ctx, txn.provider_key)
        key = f"refund-{txn.id}-{txn.refunded_amount}-{amount}"
        made = await gateway.refund(txn.gateway_transaction_id or "", amount, txn.currency_code, key)
        total = txn.refunded_amount + made.amount
        status = "refunded" if total >= txn.captured_amount else "partially_refunded"
        await change(ctx, uow, txn, kind="refund", status=status, refunded=total, amount=made.amount)
    return _reply(txn, refund={"id": made.refund_id, "amount": str(made.amount), "status": made.status})


@operation(
    "cancel_payment",
    MODULE,
    input=PaymentTransactionRef,
    features=(MANAGE,),
    rest=Rest("POST", "/payment_gateways/cancel"),
    **TRANSACTION_RESULT,
)
async def cancel(ctx: RequestContext, data: PaymentTransactionRef) -> dict[str, Any]:
    """Cancel a payment not captured yet (409 once captured, refunded or failed)."""
    async with ctx.unit_of_work() as uow:
        txn = await _locked(ctx, uow, data.transactionId)
        STATUS.check(txn.status, "cancelled")
        gateway = configured_provider(ctx, txn.provider_key)
        await gateway.cancel(txn.gateway_transaction_id or "", f"cancel-{txn.id}")
        await change(ctx, uow, txn, kind="cancel", status="cancelled")
    return _reply(txn)


@operation(
    "payment_status",
    MODULE,
    kind="query",
    input=PaymentTransactionRef,
    output=PaymentStatusResult,
    features=(VIEW,),
    rest=Rest("GET", "/payment_gateways/status"),
)
async def payment_status(ctx: RequestContext, data: PaymentTransactionRef) -> dict[str, Any]:
    """Where a payment stands: status and exact amounts."""
    txn = await service(PAYMENT_TRANSACTION).get(ctx, data.transactionId, check=False)
    return status_body(txn)


def _providers(ctx: RequestContext) -> list[dict[str, Any]]:
    return [describe(p) for key in KEYS if (p := provider(key, ctx.settings)) is not None]


async def _items(_ctx: RequestContext, _input: Any, result: Any) -> Any:
    return result["items"]


@operation(
    "payment_providers",
    MODULE,
    kind="query",
    output=list[PaymentProviderInfo],
    features=(VIEW,),
    graphql_result=_items,
    rest=Rest("GET", "/payment_gateways/providers"),
)
async def providers(ctx: RequestContext) -> dict[str, Any]:
    """The payment providers and whether each is configured."""
    items = _providers(ctx)
    return {"items": items, "total": len(items)}


@operation(
    "payment_provider",
    MODULE,
    kind="query",
    input=PaymentProviderRef,
    output=PaymentProviderInfo,
    features=(VIEW,),
    rest=Rest("GET", "/payment_gateways/providers/{providerKey}"),
)
async def provider_detail(ctx: RequestContext, data: PaymentProviderRef) -> dict[str, Any]:
    """One payment provider (404 for an unknown key)."""
    found = provider(data.providerKey, ctx.settings)
    if found is None:
        raise NotFound()
    return describe(found)
