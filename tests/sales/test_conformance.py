"""The catalog walk over the sales module: all 100 operations served, guarded and shaped."""

from __future__ import annotations

from crmgraph.conformance import check_all, summary
from openapi_compat.routing import REGISTRY
from tests.factories import PASSWORD


async def test_every_sales_operation_is_covered(client, sworld, sales):
    # Some data so list endpoints return items whose keys are checked too.
    order = await sales.order(customerReference="conformance")
    line = await sales.line("order", order, unitPriceNet="100.00", taxRate="23")
    await sales.adjustment("order", order, kind="discount", rate="10")
    await sales.create("payments", {"orderId": order, "amount": "10.00", "currencyCode": "PLN"})
    await sales.create("shipments", {"orderId": order, "carrierName": "DHL"})
    await sales.create("returns", {"orderId": order, "lines": [{"orderLineId": line, "quantity": "1"}]})
    await sales.create("notes", {"contextType": "order", "contextId": order, "body": "Call first"})
    await sales.create(
        "document-addresses", {"documentId": order, "documentKind": "order", "addressLine1": "Main 1"}
    )
    quote = await sales.quote()
    await sales.line("quote", quote, unitPriceNet="50")
    await sales.adjustment("quote", quote, kind="surcharge", amountNet="5")
    for path, body in (
        ("channels", {"name": "Workshop desk"}),
        ("order-statuses", {"value": "open"}),
        ("order-line-statuses", {"value": "ready"}),
        ("payment-statuses", {"value": "paid"}),
        ("shipment-statuses", {"value": "shipped"}),
        ("adjustment-kinds", {"value": "discount"}),
        ("payment-methods", {"name": "Card", "code": "card"}),
        ("shipping-methods", {"name": "Pickup", "code": "pickup"}),
        ("delivery-windows", {"name": "Next day"}),
        ("tax-rates", {"name": "VAT 23", "rate": "23"}),
        ("tags", {"slug": "vip", "label": "VIP"}),
    ):
        await sales.create(path, body)
    base = str(client.make_url("/"))
    results = await check_all(base, {"email": sworld.admin_email, "password": PASSWORD}, set(REGISTRY))
    ours = [r for r in results if r.module == "sales"]
    assert len(ours) == 100
    assert all(r.covered for r in ours), summary([r for r in ours if not r.covered])
    assert all(r.status is not None and r.status < 500 for r in ours)
