"""The transaction status machine, the listeners other modules attach to its changes (checkout keeps
its own rows in step, in the same unit of work), and the commands undo must refuse."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from crmgraph.errors import BadRequest
from resolvers.statemachine import machine
from resolvers.undo import NOT_AVAILABLE, undo_handler

STATUS = machine(
    "payment_gateways.transaction.status",
    "status",
    "pending",
    pending=("authorized", "captured", "cancelled", "failed"),
    authorized=("captured", "cancelled", "failed"),
    captured=("partially_refunded", "refunded"),
    partially_refunded=("refunded",),
    refunded=(),
    cancelled=(),
    failed=(),
)
PAID = ("captured", "partially_refunded", "refunded")

# listener(ctx, uow, transaction, previous status): called after every change of a transaction.
Listener = Callable[[Any, Any, Any, str | None], Awaitable[None]]
LISTENERS: list[Listener] = []


def on_change(listener: Listener) -> Listener:
    """Register ``listener`` for every transaction change (decorator)."""
    LISTENERS.append(listener)
    return listener


def irreversible(*command_ids: str) -> None:
    """Refuse undo/redo of these commands: money moved at a provider cannot be put back by
    restoring a snapshot (a refund or a cancellation is the way back)."""

    async def refuse(_ctx: Any, _uow: Any, _step: dict[str, Any], _direction: str) -> None:
        raise BadRequest(NOT_AVAILABLE, reason="payments at a provider cannot be undone")

    for command_id in command_ids:
        undo_handler(command_id)(refuse)


irreversible(
    *(
        f"payment_gateways.payment_transaction.{verb}"
        for verb in ("create", "capture", "refund", "cancel", "webhook")
    ),
    "checkout.checkout_transaction.create",
    "checkout.checkout_transaction.update",
)
