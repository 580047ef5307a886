"""Payment transactions and their history, declared once: read-only through the CRUD layer (every
change goes through the commands of ``operations`` and ``webhooks``, which keep the status machine)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from models.payment_gateways import PaymentTransaction, PaymentTransactionEvent
from resolvers.entity import Entity, Features, Field, Relation, eq, one_of, since, until
from resolvers.payment_gateways.states import STATUS

MODULE = "payment_gateways"
VIEW, MANAGE = "payment_gateways.view", "payment_gateways.manage"
CAPTURE, REFUND = "payment_gateways.capture", "payment_gateways.refund"


def readonly(attr: str, type_: type = str, *, sort: bool = False, search: bool = False) -> Field:
    return Field(attr, type_, create=False, update=False, sort=sort, search=search)


PAYMENT_TRANSACTION = Entity(
    name="payment_transaction",
    module=MODULE,
    model=PaymentTransaction,
    path="/payment_gateways/transactions",
    graphql_name="PaymentTransaction",
    plural="paymentTransactions",
    features=Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE]),
    fields=[
        readonly("provider_key", sort=True),
        readonly("gateway_transaction_id", search=True),
        readonly("status", sort=True),
        readonly("capture_method"),
        readonly("amount", Decimal, sort=True),
        readonly("captured_amount", Decimal),
        readonly("refunded_amount", Decimal),
        readonly("currency_code", sort=True),
        readonly("description", search=True),
        readonly("order_id", uuid.UUID),
        readonly("error_message"),
        readonly("metadata_", dict),
        readonly("paid_at", datetime, sort=True),
        readonly("organization_id", uuid.UUID),
        readonly("tenant_id", uuid.UUID),
        readonly("created_at", datetime, sort=True),
        readonly("updated_at", datetime, sort=True),
    ],
    filters=[
        eq("status", PaymentTransaction.status),
        one_of("statusIn", PaymentTransaction.status),
        eq("providerKey", PaymentTransaction.provider_key),
        eq("gatewayTransactionId", PaymentTransaction.gateway_transaction_id),
        eq("currencyCode", PaymentTransaction.currency_code),
        eq("orderId", PaymentTransaction.order_id, uuid.UUID),
        since("createdFrom", PaymentTransaction.created_at),
        until("createdTo", PaymentTransaction.created_at),
    ],
    relations=[
        Relation(
            "events", "payment_transaction_event", "many", target_fk="transaction_id", description="History."
        )
    ],
    soft_delete=False,
    default_sort="created_at",
    rest_verbs=("GET",),
    mutations=(),
    description=f"A payment at a provider; status one of {', '.join(STATUS.states)}. Amounts are exact.",
)

PAYMENT_TRANSACTION_EVENT = Entity(
    name="payment_transaction_event",
    module=MODULE,
    model=PaymentTransactionEvent,
    path=None,
    graphql_name="PaymentTransactionEvent",
    plural="paymentTransactionEvents",
    features=Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE]),
    fields=[
        readonly("transaction_id", uuid.UUID),
        readonly("provider_key"),
        readonly("kind", sort=True),
        readonly("event_type"),
        readonly("provider_event_id"),
        readonly("from_status"),
        readonly("to_status"),
        readonly("amount", Decimal),
        readonly("outcome"),
        readonly("organization_id", uuid.UUID),
        readonly("tenant_id", uuid.UUID),
        readonly("created_at", datetime, sort=True),
    ],
    filters=[
        eq("transactionId", PaymentTransactionEvent.transaction_id, uuid.UUID),
        eq("kind", PaymentTransactionEvent.kind),
    ],
    relations=[Relation("transaction", "payment_transaction", "one", source_fk="transaction_id")],
    soft_delete=False,
    default_sort="created_at",
    rest_verbs=(),
    mutations=(),
    description="One step of a payment's history: a command of ours or a provider's webhook event.",
)
