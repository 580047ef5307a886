"""Checkout transactions: kept in step with their payment transactions (a listener in the payment's
unit of work), counted as a use of their link once paid, and found by the provider's payment id."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound
from models.checkout import CheckoutLink, CheckoutTransaction
from models.payment_gateways import PaymentTransaction
from resolvers.checkout.entities import CHECKOUT_TRANSACTION, MODULE, VIEW
from resolvers.entity import serialize
from resolvers.events import record_command
from resolvers.operations import Rest, operation, reloaded
from resolvers.payment_gateways.states import PAID, on_change
from resolvers.scope import entity_conditions
from resolvers.validation import text


@on_change
async def follow_payment(
    ctx: RequestContext, uow: UnitOfWork, payment: PaymentTransaction, previous: str | None
) -> None:
    """Mirror the payment's status on its checkout transaction; its first payment counts a use."""
    row = await uow.session.scalar(
        select(CheckoutTransaction)
        .where(CheckoutTransaction.payment_transaction_id == payment.id)
        .with_for_update()
    )
    if row is None or row.status == payment.status:
        return
    before = serialize(CHECKOUT_TRANSACTION, row)
    row.status = payment.status
    if payment.status in PAID and previous not in PAID:
        await uow.session.execute(
            update(CheckoutLink)
            .where(CheckoutLink.id == row.link_id)
            .values(use_count=CheckoutLink.use_count + 1)
        )
    await uow.session.flush()
    await uow.session.refresh(row)
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=CHECKOUT_TRANSACTION.name,
        verb="update",
        event="updated",
        resource_id=row.id,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        before=before,
        after=serialize(CHECKOUT_TRANSACTION, row),
        secondary=True,
    )


class CheckoutGatewayRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    gatewayTransactionId: text(255)


@operation(
    "checkout_transaction_by_gateway",
    MODULE,
    kind="query",
    input=CheckoutGatewayRef,
    output=CHECKOUT_TRANSACTION,
    features=(VIEW,),
    graphql_result=reloaded(CHECKOUT_TRANSACTION, lambda r: r["id"]),
    rest=Rest("GET", "/checkout/transactions/by-gateway/{gatewayTransactionId}"),
)
async def by_gateway(ctx: RequestContext, data: CheckoutGatewayRef) -> dict[str, Any]:
    """The checkout transaction of the provider's payment id (404 when none in scope)."""
    async with ctx.read_session() as session:
        row = await session.scalar(
            select(CheckoutTransaction)
            .where(
                CheckoutTransaction.gateway_transaction_id == data.gatewayTransactionId,
                *await entity_conditions(ctx, CHECKOUT_TRANSACTION),
            )
            .order_by(CheckoutTransaction.created_at.desc())
            .limit(1)
        )
    if row is None:
        raise NotFound()
    return serialize(CHECKOUT_TRANSACTION, row)
