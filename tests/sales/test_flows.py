"""Document numbers under concurrency, the quote flow end to end (send, public view, accept), the
atomicity of converting, and tenant isolation over REST and GraphQL."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from models.auth import EmailOutbox
from models.sales import SalesOrder, SalesOrderLine, SalesQuote
from resolvers.sales import flows
from tests.conftest import Api


async def test_concurrent_orders_get_distinct_consecutive_numbers(sales, sadmin):
    status, _ = await sadmin.put("/api/sales/settings/document-numbers", {"orderNumberFormat": "WO-{seq:6}"})
    assert status == 200
    start = (await sadmin.get("/api/sales/settings/document-numbers"))[1]["nextOrderNumber"]
    replies = await asyncio.gather(
        *(sadmin.post("/api/sales/orders", {"currencyCode": "PLN"}) for _ in range(50))
    )
    assert all(status == 201 for status, _ in replies), replies
    numbers = sorted([(await sales.one("orders", reply["id"]))["orderNumber"] for _, reply in replies])
    assert numbers == [f"WO-{n:06d}" for n in range(start, start + 50)]
    status, taken = await sadmin.post("/api/sales/document-numbers", {"kind": "order"})
    assert status == 200 and taken == {
        "number": f"WO-{start + 50:06d}",
        "format": "WO-{seq:6}",
        "sequence": start + 50,
    }
    status, body = await sadmin.put(
        "/api/sales/settings/document-numbers", {"orderNumberFormat": "SO-{YYYY}"}
    )
    assert status == 400, body


async def _mailed_token(sessionmaker: Any, to: str) -> str:
    async with sessionmaker() as session:
        body = await session.scalar(
            select(EmailOutbox.body)
            .where(EmailOutbox.to_address == to)
            .order_by(EmailOutbox.created_at.desc())
        )
    return re.search(r"/api/sales/quotes/public/(\S+)", body).group(1)


async def test_quote_send_public_view_accept_and_convert(sales, sadmin, anonymous, sessionmaker):
    status, person = await sadmin.post(
        "/api/customers/people",
        {"firstName": "Ola", "lastName": "Rider", "primaryEmail": "ola@rider.example"},
    )
    assert status == 201, person
    quote = await sales.quote(customerEntityId=person["id"])
    status, body = await sadmin.post("/api/sales/quotes/send", {"quoteId": quote})
    assert status == 409, body  # an empty quote is not sent
    await sales.line("quote", quote, name="Chain and sprockets", unitPriceNet="400", taxRate="23")
    await sales.adjustment("quote", quote, kind="discount", rate="5", label="Loyalty")
    status, body = await sadmin.post("/api/sales/quotes/send", {"quoteId": quote, "validForDays": 7})
    assert status == 200 and body == {"ok": True}
    token = await _mailed_token(sessionmaker, "ola@rider.example")

    status, view = await anonymous.get(f"/api/sales/quotes/public/{token}")
    assert status == 200, view
    assert view["quote"]["status"] == "sent" and view["isExpired"] is False
    assert view["quote"]["grandTotalGrossAmount"] == "467.4000"  # 492 less 5 %
    assert [line["name"] for line in view["lines"]] == ["Chain and sprockets"]
    assert (await anonymous.get(f"/api/sales/quotes/public/{token[:-2]}xx"))[0] == 404

    status, accepted = await anonymous.post("/api/sales/quotes/accept", {"token": token})
    assert status == 200, accepted
    order = await sales.one("orders", accepted["orderId"])
    assert order["orderNumber"] == accepted["orderNumber"] and order["grandTotalGrossAmount"] == "467.4000"
    assert order["customerEntityId"] == person["id"]
    assert (await sales.list("order-lines", orderId=accepted["orderId"]))["total"] == 1
    assert (await sales.list("quotes", id=quote))["total"] == 0  # the quote is gone from the lists
    assert (await anonymous.post("/api/sales/quotes/accept", {"token": token}))[0] == 409
    status, view = await anonymous.get(f"/api/sales/quotes/public/{token}")
    assert status == 200 and view["quote"]["status"] == "converted"
    gql = await sadmin.gql(
        "query($id: UUID!) { person(id: $id) { orders { orderNumber lines { name } } } }",
        {"id": person["id"]},
    )
    assert gql.get("errors") is None, gql
    orders = gql["data"]["person"]["orders"]
    assert orders == [{"orderNumber": accepted["orderNumber"], "lines": [{"name": "Chain and sprockets"}]}]


async def test_an_expired_link_shows_but_cannot_accept(sales, sadmin, anonymous, sessionmaker):
    quote = await sales.quote()
    await sales.line("quote", quote, unitPriceNet="10")
    status, _ = await sadmin.post("/api/sales/quotes/send", {"quoteId": quote, "email": "late@rider.example"})
    assert status == 200
    token = await _mailed_token(sessionmaker, "late@rider.example")
    async with sessionmaker() as session:
        await session.execute(
            update(SalesQuote)
            .where(SalesQuote.id == quote)
            .values(public_token_expires_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
        await session.commit()
    status, view = await anonymous.get(f"/api/sales/quotes/public/{token}")
    assert status == 200 and view["isExpired"] is True
    assert (await anonymous.post("/api/sales/quotes/accept", {"token": token}))[0] == 409
    assert (await sales.one("quotes", quote))["status"] == "sent"


async def test_convert_is_atomic(sales, sadmin, sessionmaker, monkeypatch):
    quote = await sales.quote()
    await sales.line("quote", quote, unitPriceNet="10")
    await sales.adjustment("quote", quote, kind="surcharge", amountNet="2")
    async with sessionmaker() as session:
        orders_before = await session.scalar(select(SalesOrder.id).where(SalesOrder.quote_id == quote))
    assert orders_before is None

    async def broken(*_args: Any) -> None:
        raise RuntimeError("injected failure after the order and its lines were written")

    monkeypatch.setattr(flows, "copy_adjustments", broken)
    status, body = await sadmin.post("/api/sales/quotes/convert", {"quoteId": quote})
    assert status == 500 and "injected" not in str(body)
    async with sessionmaker() as session:
        assert await session.scalar(select(SalesOrder.id).where(SalesOrder.quote_id == quote)) is None
        assert (
            await session.execute(
                select(SalesOrderLine.id).join(SalesOrder).where(SalesOrder.quote_id == quote)
            )
        ).first() is None
    assert (await sales.one("quotes", quote))["status"] == "draft"

    monkeypatch.undo()
    status, body = await sadmin.post("/api/sales/quotes/convert", {"quoteId": quote})
    assert status == 200, body
    order = await sales.one("orders", body["orderId"])
    assert order["grandTotalNetAmount"] == "12.0000" and order["quoteId"] == quote
    assert (await sadmin.post("/api/sales/quotes/convert", {"quoteId": quote}))[0] == 404


async def test_isolation_rest_and_graphql(sales, outsider, clerk: Api):
    order = await sales.order()
    line = await sales.line("order", order, unitPriceNet="5")
    quote = await sales.quote()
    other = outsider.api
    for path in ("orders", "order-lines", "quotes"):
        assert (await outsider.list(path))["total"] == 0
    assert (await other.put("/api/sales/orders", {"id": order, "comment": "x"}))[0] == 404
    assert (await other.delete(f"/api/sales/orders?id={order}"))[0] == 404
    assert (await other.put("/api/sales/order-lines", {"id": line, "quantity": "3"}))[0] == 404
    assert (await other.post("/api/sales/order-lines", {"orderId": order, "quantity": "1"}))[0] == 404
    assert (await other.post("/api/sales/quotes/convert", {"quoteId": quote}))[0] == 404
    assert (await other.post("/api/sales/quotes/send", {"quoteId": quote}))[0] == 404
    assert (await other.get(f"/api/sales/document-history?kind=order&id={order}"))[0] == 404
    gql = await other.gql(
        "query($o: UUID!, $q: UUID!) { order(id: $o) { id } quote(id: $q) { id } orders { total } }",
        {"o": order, "q": quote},
    )
    assert gql["data"] == {"order": None, "quote": None, "orders": {"total": 0}}
    gql = await other.gql("mutation($q: UUID!) { convertSalesQuote(quoteId: $q) { id } }", {"q": quote})
    assert gql["errors"] and gql["data"] is None
    # A clerk may view orders, not change them or see quotes.
    assert (await clerk.get("/api/sales/orders"))[0] == 200
    status, body = await clerk.post("/api/sales/orders", {"currencyCode": "PLN"})
    assert status == 403 and body["requiredFeatures"] == ["sales.orders.manage"]
    assert (await clerk.get("/api/sales/quotes"))[0] == 403
    assert (await Api(other.client).get("/api/sales/orders"))[0] == 401
