"""The commands every path shares: opening a payment at a provider, and changing a transaction
(status through the machine, amounts, one history row, one recorded step, the listeners)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from models.payment_gateways import PaymentTransaction, PaymentTransactionEvent
from resolvers.crud import flush_or_conflict
from resolvers.entity import serialize, to_jsonable
from resolvers.events import record_command
from resolvers.payment_gateways.entities import MODULE, PAYMENT_TRANSACTION
from resolvers.payment_gateways.money import checked_amount, currency, fail
from resolvers.payment_gateways.providers import PaymentProvider, PaymentRequest, provider
from resolvers.payment_gateways.states import LISTENERS, PAID, STATUS


def configured_provider(ctx: RequestContext, key: str, path: str = "providerKey") -> PaymentProvider:
    """The provider ``key``, configured (else a 400 naming the field)."""
    found = provider(key, ctx.settings)
    if found is None:
        raise fail(path, f"Unknown payment provider {key!r}", "invalid_enum_value")
    if not found.configured():
        raise fail(path, f"Payment provider {key!r} is not configured", "not_configured")
    return found


@dataclass
class SessionRequest:
    tenant_id: uuid.UUID
    organization_id: uuid.UUID | None
    provider_key: str
    amount: Decimal
    currency_code: str
    capture_method: str = "automatic"
    description: str | None = None
    order_id: uuid.UUID | None = None
    metadata: dict[str, str] | None = None
    idempotency_key: str | None = None


def session_body(txn: PaymentTransaction, client_secret: str | None = None) -> dict[str, Any]:
    return {
        "transactionId": str(txn.id),
        "providerKey": txn.provider_key,
        "gatewayTransactionId": txn.gateway_transaction_id,
        "status": txn.status,
        "amount": str(txn.amount),
        "currencyCode": txn.currency_code,
        "clientSecret": client_secret,
        "redirectUrl": None,
    }


async def start_session(
    ctx: RequestContext, uow: UnitOfWork, request: SessionRequest
) -> tuple[PaymentTransaction, str | None]:
    """Open the payment at its provider (idempotency key: the new transaction's id), then store it;
    returns the transaction and the client secret the payer's page confirms it with."""
    gateway = configured_provider(ctx, request.provider_key)
    code = currency(request.currency_code)
    amount = checked_amount(request.amount, code)
    txn_id = uuid.uuid4()
    payment = await gateway.create(
        PaymentRequest(
            txn_id, amount, code, request.capture_method, request.description, request.metadata or {}
        )
    )
    now = datetime.now(UTC)
    txn = PaymentTransaction(
        id=txn_id,
        tenant_id=request.tenant_id,
        organization_id=request.organization_id,
        provider_key=gateway.key,
        gateway_transaction_id=payment.gateway_id,
        status=STATUS.validate_state(payment.status),
        capture_method=request.capture_method,
        amount=amount,
        captured_amount=payment.captured or Decimal(0),
        refunded_amount=Decimal(0),
        currency_code=code,
        description=request.description,
        order_id=request.order_id,
        idempotency_key=request.idempotency_key,
        metadata_=request.metadata,
        paid_at=now if payment.status in PAID else None,
    )
    uow.session.add(txn)
    await flush_or_conflict(uow, "A payment with this idempotency key already exists")
    _history(uow, txn, kind="session", from_status=None, amount=amount)
    await flush_or_conflict(uow)
    await uow.session.refresh(txn)
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=PAYMENT_TRANSACTION.name,
        verb="create",
        event="created",
        resource_id=txn.id,
        tenant_id=txn.tenant_id,
        organization_id=txn.organization_id,
        after=serialize(PAYMENT_TRANSACTION, txn),
    )
    return txn, payment.client_secret


def _history(
    uow: UnitOfWork,
    txn: PaymentTransaction,
    *,
    kind: str,
    from_status: str | None,
    amount: Decimal | None = None,
    event_type: str | None = None,
    provider_event_id: str | None = None,
    outcome: str = "applied",
) -> PaymentTransactionEvent:
    row = PaymentTransactionEvent(
        id=uuid.uuid4(),
        tenant_id=txn.tenant_id,
        organization_id=txn.organization_id,
        transaction_id=txn.id,
        provider_key=txn.provider_key,
        kind=kind,
        event_type=event_type,
        provider_event_id=provider_event_id,
        from_status=from_status,
        to_status=txn.status,
        amount=amount,
        outcome=outcome,
    )
    uow.session.add(row)
    return row


async def change(
    ctx: RequestContext,
    uow: UnitOfWork,
    txn: PaymentTransaction,
    *,
    kind: str,
    status: str | None = None,
    captured: Decimal | None = None,
    refunded: Decimal | None = None,
    amount: Decimal | None = None,
    error: str | None = None,
    event_type: str | None = None,
    provider_event_id: str | None = None,
) -> None:
    """Apply one change (the status through the machine: 409 on a forbidden move) and record it."""
    before = serialize(PAYMENT_TRANSACTION, txn)
    previous = txn.status
    if status is not None:
        STATUS.check(previous, status)
        txn.status = status
    if captured is not None:
        txn.captured_amount = captured
    if refunded is not None:
        txn.refunded_amount = refunded
    if error is not None:
        txn.error_message = error
    if txn.status in PAID and txn.paid_at is None:
        txn.paid_at = datetime.now(UTC)
    _history(
        uow,
        txn,
        kind=kind,
        from_status=previous,
        amount=amount,
        event_type=event_type,
        provider_event_id=provider_event_id,
    )
    await flush_or_conflict(uow)
    await uow.session.refresh(txn)
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=PAYMENT_TRANSACTION.name,
        verb=kind,
        event="updated",
        resource_id=txn.id,
        tenant_id=txn.tenant_id,
        organization_id=txn.organization_id,
        before=before,
        after=serialize(PAYMENT_TRANSACTION, txn),
        payload={"status": txn.status, "previousStatus": previous},
    )
    for listener in LISTENERS:
        await listener(ctx, uow, txn, previous)


def ignored(uow: UnitOfWork, txn: PaymentTransaction, event_type: str, provider_event_id: str) -> None:
    """Note a provider event that changes nothing (out of order, or of no interest)."""
    _history(
        uow,
        txn,
        kind="webhook",
        from_status=txn.status,
        event_type=event_type,
        provider_event_id=provider_event_id,
        outcome="ignored",
    )


def status_body(txn: PaymentTransaction) -> dict[str, Any]:
    return {
        "transactionId": str(txn.id),
        "providerKey": txn.provider_key,
        "gatewayTransactionId": txn.gateway_transaction_id,
        "status": txn.status,
        "amount": str(txn.amount),
        "capturedAmount": str(txn.captured_amount),
        "refundedAmount": str(txn.refunded_amount),
        "currencyCode": txn.currency_code,
        "paidAt": to_jsonable(txn.paid_at),
        "updatedAt": to_jsonable(txn.updated_at),
    }
