"""Business rules and documented errors: undo keeps totals right, returns never exceed the order,
order-editing settings, the quote status machine, widgets, and rights on undocumented routes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from tests.conftest import Api

UNDO = "/api/audit_logs/audit-logs/actions/undo"


async def _operation(api: Api, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = await api.client.request(method, path, json=body, headers=api.headers)
    header = response.headers.get("x-om-operation", "")
    return response.status, json.loads(unquote(header.removeprefix("omop:"))) if header else {}


async def test_undoing_a_line_recalculates_the_order(sales, sadmin):
    order = await sales.order()
    await sales.line("order", order, unitPriceNet="10", taxRate="23")
    status, op = await _operation(
        sadmin, "POST", "/api/sales/order-lines", {"orderId": order, "unitPriceNet": "90"}
    )
    assert status == 201
    assert (await sales.one("orders", order))["grandTotalNetAmount"] == "100.0000"
    assert (await sadmin.post(UNDO, {"undoToken": op["undoToken"]}))[0] == 200
    doc = await sales.one("orders", order)
    assert (doc["grandTotalNetAmount"], doc["lineItemCount"]) == ("10.0000", 1)


async def test_returns_never_exceed_the_ordered_quantity(sales, sadmin):
    order = await sales.order()
    line = await sales.line("order", order, quantity="3", unitPriceNet="10", taxRate="23")
    ret = await sales.create("returns", {"orderId": order, "lines": [{"orderLineId": line, "quantity": "2"}]})
    status, detail = await sadmin.get(f"/api/sales/returns/{ret['id']}")
    assert status == 200 and detail["return"]["totalGrossAmount"] == "24.6000"
    assert detail["lines"][0]["quantityReturned"] == "2.000000"
    status, body = await sadmin.post(
        "/api/sales/returns", {"orderId": order, "lines": [{"orderLineId": line, "quantity": "2"}]}
    )
    assert status == 400 and body["details"][0]["code"] == "too_big"
    assert (await sadmin.get("/api/sales/returns/00000000-0000-4000-8000-000000000000"))[0] == 404


async def test_order_editing_settings_guard_customer_changes(sales, sadmin):
    await sales.create("order-statuses", {"value": "draft-x"})
    await sales.create("order-statuses", {"value": "shipped-x"})
    status, body = await sadmin.put(
        "/api/sales/settings/order-editing", {"orderCustomerEditableStatuses": ["draft-x"]}
    )
    assert status == 200 and body["orderCustomerEditableStatuses"] == ["draft-x"]
    assert {"draft-x", "shipped-x"} <= {s["value"] for s in body["orderStatuses"]}
    _, person = await sadmin.post("/api/customers/people", {"firstName": "Edit", "lastName": "Rule"})
    order = await sales.order(status="shipped-x")
    status, body = await sadmin.put("/api/sales/orders", {"id": order, "customerEntityId": person["id"]})
    assert status == 409, body
    assert (await sadmin.put("/api/sales/orders", {"id": order, "status": "draft-x"}))[0] == 200
    assert (await sadmin.put("/api/sales/orders", {"id": order, "customerEntityId": person["id"]}))[0] == 200
    assert (await sadmin.put("/api/sales/orders", {"id": order, "status": "nope"}))[0] == 400
    await sadmin.put("/api/sales/settings/order-editing", {"orderCustomerEditableStatuses": None})


async def test_quote_status_machine_and_widgets(sales, sadmin):
    quote = await sales.quote()
    status, body = await sadmin.put("/api/sales/quotes", {"id": quote, "status": "accepted"})
    assert status == 409, body
    assert (await sadmin.put("/api/sales/quotes", {"id": quote, "status": "declined"}))[0] == 200
    status, widget = await sadmin.get("/api/sales/dashboard/widgets/new-quotes?limit=20&datePeriod=last7d")
    assert status == 200 and quote in [item["id"] for item in widget["items"]]
    assert set(widget["dateRange"]) == {"from", "to"}
    status, _ = await sadmin.get("/api/sales/dashboard/widgets/new-orders?datePeriod=custom")
    assert status == 400
    tag = (await sales.create("tags", {"slug": "rush", "label": "Rush"}))["id"]
    tagged = await sales.order(tagIds=[tag])
    assert [o["id"] for o in (await sales.list("orders", tagIds=tag))["items"]] == [tagged]
    assert (await sadmin.delete(f"/api/sales/tags?id={tag}"))[0] == 200


async def test_children_follow_the_documents_rights(sales, clerk, sworld):
    order = await sales.order(organizationId=str(sworld.branch_org))  # the clerk's organization
    await sales.create("notes", {"contextType": "order", "contextId": order, "body": "Bring the key"})
    status, page = await clerk.get(f"/api/sales/notes?orderId={order}")
    assert status == 200 and page["total"] == 1
    note = page["items"][0]["id"]
    assert (await clerk.put("/api/sales/notes", {"id": note, "body": "x"}))[0] == 403
    assert (await sales.api.put("/api/sales/notes", {"id": note, "appearanceColor": "#ff0000"}))[0] == 200
    status, history = await sales.api.get(f"/api/sales/document-history?kind=order&id={order}&types=notes")
    assert [h["action"] for h in history["items"]] == ["Note changed", "Note added"]
    status, body = await clerk.post(
        "/api/sales/notes", {"contextType": "order", "contextId": order, "body": "x"}
    )
    assert status == 403 and body["requiredFeatures"] == ["sales.orders.manage"]
    status, body = await clerk.post("/api/sales/order-lines", {"orderId": order, "quantity": "1"})
    assert status == 403
    assert (await clerk.get(f"/api/sales/order-lines?orderId={order}"))[0] == 200
    assert (await clerk.get("/api/sales/quote-lines"))[1]["total"] == 0  # no quote rights: nothing
    elsewhere = await sales.order()  # the root organization: outside the clerk's
    assert (await clerk.get(f"/api/sales/orders?id={elsewhere}"))[1]["total"] == 0
    assert (await clerk.get(f"/api/sales/document-history?kind=order&id={elsewhere}"))[0] == 404
