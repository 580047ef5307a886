"""Sales records for ``tests/test_executor_equivalence.py``: every sales relation gets an edge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Create = Callable[[str, dict[str, Any]], Awaitable[str]]


async def seed_sales_graph(create: Create, *, customers: tuple[str, ...], deal: str) -> None:
    """Per customer: a quote and an order (on the deal, through a channel) with a line and a line
    adjustment each; the order with a payment (by a method), a shipment and a return."""
    channel = await create("/sales/channels", {"name": "Equivalence desk"})
    method = await create("/sales/payment-methods", {"name": "Card", "code": "card-eq"})
    for customer in customers:
        refs = {"currencyCode": "PLN", "customerEntityId": customer, "dealId": deal, "channelId": channel}
        for kind in ("quote", "order"):
            doc = await create(f"/sales/{kind}s", refs)
            line = await create(
                f"/sales/{kind}-lines",
                {f"{kind}Id": doc, "name": "Valve check", "unitPriceNet": "80", "taxRate": "23"},
            )
            await create(
                f"/sales/{kind}-adjustments",
                {f"{kind}Id": doc, f"{kind}LineId": line, "scope": "line", "kind": "discount", "rate": "10"},
            )
        await create(
            "/sales/payments",
            {"orderId": doc, "amount": "20", "currencyCode": "PLN", "paymentMethodId": method},
        )
        await create("/sales/shipments", {"orderId": doc, "carrierName": "Courier"})
        await create("/sales/returns", {"orderId": doc, "lines": [{"orderLineId": line, "quantity": "1"}]})


# Payload builders for ``tests/test_isolation.py`` (entities whose create needs a document first).
async def _document(owner: Any, kind: str) -> str:
    status, reply = await owner.post(f"/api/sales/{kind}s", {"currencyCode": "PLN"})
    assert status == 201, reply
    return reply["id"]


def _child(kind: str, build: Callable[[str], dict[str, Any]]) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def payload(tag: str, world: Any, owner: Any) -> dict[str, Any]:
        return build(await _document(owner, kind))

    return payload


async def _return(tag: str, world: Any, owner: Any) -> dict[str, Any]:
    order = await _document(owner, "order")
    status, line = await owner.post("/api/sales/order-lines", {"orderId": order, "quantity": "2"})
    assert status == 201, line
    return {"orderId": order, "lines": [{"orderLineId": line["id"], "quantity": "1"}]}


SALES_SAMPLES: dict[str, Any] = {
    "sales_quote": lambda tag, world, owner: {"currencyCode": "PLN", "comment": f"iso-{tag}"},
    "sales_order": lambda tag, world, owner: {"currencyCode": "PLN", "comment": f"iso-{tag}"},
    "sales_tax_rate": lambda tag, world, owner: {"name": f"iso-{tag}", "rate": "23"},
    "sales_payment": lambda tag, world, owner: {"amount": "1.00", "currencyCode": "PLN"},
    "sales_quote_line": _child("quote", lambda doc: {"quoteId": doc, "unitPriceNet": "1"}),
    "sales_order_line": _child("order", lambda doc: {"orderId": doc, "unitPriceNet": "1"}),
    "sales_quote_adjustment": _child("quote", lambda doc: {"quoteId": doc, "rate": "5"}),
    "sales_order_adjustment": _child("order", lambda doc: {"orderId": doc, "rate": "5"}),
    "sales_note": _child("order", lambda doc: {"contextType": "order", "contextId": doc, "body": "iso"}),
    "sales_document_address": _child(
        "order", lambda doc: {"documentId": doc, "documentKind": "order", "addressLine1": "iso"}
    ),
    "sales_return": _return,
}
