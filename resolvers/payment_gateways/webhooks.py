"""Provider webhooks: ``POST /payment_gateways/webhook/{provider}`` with the provider's signed event.

The event is verified by the provider (Stripe: ``Stripe-Signature``, 400 when missing or malformed,
401 when it does not match or is outside the tolerance window), then applied to the transaction it
names under that row's lock, once: the event id is kept in the transaction's history (unique per
provider), so a redelivered event answers ``duplicate: true`` and changes nothing. An event that
does not fit the transaction's state (late, out of order) is noted as ``ignored``; the provider
still gets a 2xx, so it stops retrying. The REST adapter hands over the raw body and the header.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound
from models.payment_gateways import PaymentTransaction, PaymentTransactionEvent
from resolvers.operations import operation
from resolvers.payment_gateways.entities import MODULE
from resolvers.payment_gateways.providers import WebhookEvent, provider
from resolvers.payment_gateways.service import change, ignored
from resolvers.payment_gateways.states import STATUS
from resolvers.validation import text

MAX_PAYLOAD = 512 * 1024


class WebhookInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    provider: text(50)
    payload: text(MAX_PAYLOAD)
    signature: text(2000) | None = None


class PaymentWebhookResult(BaseModel):
    received: bool
    duplicate: bool
    applied: bool
    transactionId: str | None = None
    status: str | None = None


def _plan(txn: PaymentTransaction, event: WebhookEvent) -> dict[str, Any] | None:
    """The change ``event`` makes to ``txn`` (None: nothing applies, e.g. amounts that do not fit)."""
    if event.currency is not None and event.currency != txn.currency_code:
        return None
    if event.refunded is not None:
        if event.refunded <= txn.refunded_amount or event.refunded > txn.captured_amount:
            return None
        status = "refunded" if event.refunded >= txn.captured_amount else "partially_refunded"
        plan: dict[str, Any] = {"status": status, "refunded": event.refunded}
        plan["amount"] = event.refunded - txn.refunded_amount
    elif event.status is not None:
        if event.status == txn.status:
            return None
        plan = {"status": event.status, "error": event.error}
        if event.status == "captured":
            plan["captured"] = event.captured if event.captured is not None else txn.amount
            plan["amount"] = plan["captured"]
            if plan["captured"] > txn.amount:
                return None
    else:
        return None
    if plan["status"] != txn.status and plan["status"] not in STATUS.transitions.get(txn.status, ()):
        return None
    return plan


async def _apply(ctx: RequestContext, uow: UnitOfWork, key: str, event: WebhookEvent) -> dict[str, Any]:
    result: dict[str, Any] = {"received": True, "duplicate": False, "applied": False}
    txn = await uow.session.scalar(
        select(PaymentTransaction)
        .where(
            PaymentTransaction.provider_key == key,
            PaymentTransaction.gateway_transaction_id == event.gateway_id,
        )
        .with_for_update()
    )
    if txn is None:
        return result
    result["transactionId"] = str(txn.id)
    seen = await uow.session.scalar(
        select(PaymentTransactionEvent.id).where(
            PaymentTransactionEvent.provider_key == key,
            PaymentTransactionEvent.provider_event_id == event.event_id,
        )
    )
    if seen is not None:
        return {**result, "duplicate": True, "status": txn.status}
    plan = _plan(txn, event)
    if plan is None:
        ignored(uow, txn, event.type, event.event_id)
    else:
        await change(
            ctx,
            uow,
            txn,
            kind="webhook",
            event_type=event.type,
            provider_event_id=event.event_id,
            status=plan["status"],
            captured=plan.get("captured"),
            refunded=plan.get("refunded"),
            amount=plan.get("amount"),
            error=plan.get("error"),
        )
        result["applied"] = True
    return {**result, "status": txn.status}


@operation(
    "receive_payment_webhook",
    MODULE,
    input=WebhookInput,
    output=PaymentWebhookResult,
    auth=False,
    graphql=False,  # a provider posts signed bytes; REST only (openapi_compat.payment_gateways)
    transaction=False,  # a system unit of work: the event names the tenant, not a caller
)
async def receive_webhook(ctx: RequestContext, data: WebhookInput) -> dict[str, Any]:
    """A provider's signed event about a payment, applied once (public; the signature is the proof)."""
    gateway = provider(data.provider, ctx.settings)
    if gateway is None or not gateway.webhooks:
        raise NotFound()
    event = gateway.parse_webhook(data.payload.encode(), {"Stripe-Signature": data.signature or ""})
    if event.gateway_id is None:
        return {"received": True, "duplicate": False, "applied": False}
    async with ctx.unit_of_work(system=True) as uow:
        return await _apply(ctx, uow, gateway.key, event)
