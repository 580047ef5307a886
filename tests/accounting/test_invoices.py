"""Selling entities and invoices over REST and GraphQL: numbering without gaps under concurrency,
the preview that takes no number, derived totals, soft delete, validation, features and isolation."""

from __future__ import annotations

import asyncio
import uuid

from tests.accounting.conftest import ENTITIES, INVOICES, LINE, NEXT, invoice, one, selling_entity


async def test_thirty_concurrent_invoices_get_thirty_consecutive_numbers(boss):
    entity = await selling_entity(boss, "Concurrency sp. z o.o.", invoicePrefix="FVC")
    preview = await boss.get(NEXT, params={"sellingEntityId": entity, "issueDate": "2026-05-01"})
    assert preview == (200, {**preview[1], "sequence": 1, "documentNumber": "FVC/2026/1", "year": 2026})
    again = await boss.get(NEXT, params={"sellingEntityId": entity, "issueDate": "2026-05-01"})
    assert again[1]["sequence"] == 1  # the preview takes no number

    body = {"sellerEntityId": entity, "issueDate": "2026-05-01", "lineItems": [LINE]}
    replies = await asyncio.gather(*(boss.post(INVOICES, body) for _ in range(30)))
    assert all(status == 201 for status, _ in replies), replies
    status, page = await boss.get(INVOICES, params={"sellerEntityId": entity, "pageSize": "100"})
    assert status == 200 and page["total"] == 30
    numbers = sorted(int(i["documentNumber"].rsplit("/", 1)[1]) for i in page["items"])
    assert numbers == list(range(1, 31))
    assert {i["documentNumber"].rsplit("/", 1)[0] for i in page["items"]} == {"FVC/2026"}

    # A failing invoice rolls its number back with it: no gap after it.
    bad = await boss.post(INVOICES, {**body, "lineItems": [{**LINE, "vatRate": "7.777"}]})
    assert bad[0] == 400
    assert (await boss.get(NEXT, params={"sellingEntityId": entity, "issueDate": "2026-05-01"}))[1][
        "documentNumber"
    ] == "FVC/2026/31"
    # Another year counts from 1 again.
    next_year = await invoice(boss, sellerEntityId=entity, issueDate="2027-01-02")
    assert next_year["documentNumber"] == "FVC/2027/1"


async def test_invoice_totals_seller_copy_update_and_soft_delete(boss):
    entity = await selling_entity(boss, "Totals sp. z o.o.", defaultPaymentTermDays=14)
    lines = [
        {"name": "Service", "quantity": "1.5", "unitNetPrice": "10.01", "vatRate": "23"},
        {"name": "Book", "quantity": "2", "unitNetPrice": "19.99", "vatRate": 8},
    ]
    created = await invoice(boss, sellerEntityId=entity, lineItems=lines, currencyCode="pln")
    assert created["sellerName"] == "Totals sp. z o.o." and created["sellerNip"] == "5252248481"
    assert created["paymentAccount"] == "61109010140000071219812874"
    assert (created["paymentTermDays"], created["paymentDueDate"]) == (14, "2026-03-16")
    assert created["currencyCode"] == "PLN" and created["isDraft"] is False
    assert (created["netAmount"], created["vatAmount"], created["totalAmount"]) == ("55.00", "6.65", "61.65")
    assert created["vatBreakdown"] == [
        {"vatRate": "23", "netAmount": "15.02", "vatAmount": "3.45", "grossAmount": "18.47"},
        {"vatRate": "8", "netAmount": "39.98", "vatAmount": "3.20", "grossAmount": "43.18"},
    ]
    assert created["lineItems"][0]["grossAmount"] == "18.47"

    # Totals are always derived: a client cannot write them; new lines recompute them.
    status, _ = await boss.put(INVOICES, {"id": created["id"], "lineItems": [LINE], "totalAmount": "1.00"})
    assert status == 200
    updated = await one(boss, created["id"])
    assert (updated["netAmount"], updated["vatAmount"], updated["totalAmount"]) == (
        "100.00",
        "23.00",
        "123.00",
    )
    assert updated["documentNumber"] == created["documentNumber"]

    assert (await boss.delete(INVOICES, params={"id": created["id"]}))[0] == 200
    page = (await boss.get(INVOICES, params={"ids": created["id"]}))[1]
    assert page["items"] == [] and page["total"] == 0
    assert (await boss.put(INVOICES, {"id": created["id"], "notes": "x"}))[0] == 404
    assert (await boss.delete(INVOICES, params={"id": created["id"]}))[0] == 404


async def test_invoice_rules_and_errors(boss):
    entity = await selling_entity(boss, "Rules sp. z o.o.")
    # A received invoice (or one without a seller) needs its number.
    status, body = await boss.post(INVOICES, {"documentKind": "received", "lineItems": [LINE]})
    assert status == 400 and body["details"][0]["path"] == ["documentNumber"]
    received = await invoice(boss, documentKind="received", documentNumber="ABC/1", sellerNip="526-104-08-28")
    assert received["sellerNip"] == "5261040828"
    # An explicit number that its entity already issued is a conflict, not a 500.
    first = await invoice(boss, sellerEntityId=entity)
    status, body = await boss.post(
        INVOICES, {"sellerEntityId": entity, "documentNumber": first["documentNumber"], "lineItems": [LINE]}
    )
    assert status == 409 and "constraint" not in str(body).lower()
    for bad, path in [
        ({"documentKind": "weird"}, "documentKind"),
        ({"buyerNip": "1234567890"}, "buyerNip"),
        ({"currencyCode": "EURO"}, "currencyCode"),
        ({"paymentAccount": "61109010140000071219812875"}, "paymentAccount"),
        ({"lineItems": [{"unitNetPrice": "1", "vatRate": "22.5.1"}]}, "lineItems"),
        ({"lineItems": "nope"}, "lineItems"),
        ({"sellerEntityId": str(uuid.uuid4())}, "sellerEntityId"),
        ({"issueDate": "2026-02-30"}, "issueDate"),
    ]:
        status, body = await boss.post(INVOICES, {"sellerEntityId": entity, **bad})
        assert status == 400, (bad, body)
        assert body["error"] and body["details"][0]["path"][0] == path, (bad, body)
    # Selling entities check their identifiers and keep one default.
    for bad in ({"nip": "1234567890"}, {"bankAccount": "123"}, {"invoicePrefix": "has space"}):
        assert (await boss.post(ENTITIES, {"name": "Bad", **bad}))[0] == 400, bad
    a = await selling_entity(boss, "Default A", isDefault=True)
    b = await selling_entity(boss, "Default B", isDefault=True)
    listed = {
        e["id"]: e["isDefault"] for e in (await boss.get(ENTITIES, params={"pageSize": "100"}))[1]["items"]
    }
    assert listed[a] is False and listed[b] is True
    assert (await boss.get(NEXT))[1]["sellingEntityId"] == b  # the default entity when none is named


async def test_features(accountant, reader, anonymous):
    entity = await selling_entity(accountant, "Features sp. z o.o.")
    created = await invoice(accountant, sellerEntityId=entity)
    assert (await reader.get(INVOICES))[0] == 200
    assert (await reader.get(ENTITIES))[0] == 200  # documented without features
    status, body = await reader.post(INVOICES, {"lineItems": [LINE]})
    assert status == 403 and body == {
        "error": "Forbidden",
        "requiredFeatures": ["accounting.invoices.manage"],
    }
    status, body = await reader.post(ENTITIES, {"name": "No"})
    assert status == 403 and body["requiredFeatures"] == ["accounting.settings.manage"]
    assert (await reader.delete(INVOICES, params={"id": created["id"]}))[0] == 403
    for method, path in [("GET", INVOICES), ("GET", ENTITIES), ("GET", NEXT), ("POST", INVOICES)]:
        assert (await anonymous.call(method, path))[0] == 401


async def test_isolation_across_rest_and_graphql(boss, stranger):
    entity = await selling_entity(boss, "Isolated sp. z o.o.")
    mine = await invoice(boss, sellerEntityId=entity, title="Isolated")
    # The other tenant sees none of it, and its writes on these ids are 404s.
    assert (await stranger.get(INVOICES, params={"ids": mine["id"]}))[1]["items"] == []
    assert mine["id"] not in str((await stranger.get(INVOICES, params={"pageSize": "100"}))[1])
    assert entity not in str((await stranger.get(ENTITIES, params={"pageSize": "100"}))[1])
    assert (await stranger.put(INVOICES, {"id": mine["id"], "notes": "hijack"}))[0] == 404
    assert (await stranger.delete(INVOICES, params={"id": mine["id"]}))[0] == 404
    assert (await stranger.put(ENTITIES, {"id": entity, "name": "hijack"}))[0] == 404
    assert (await stranger.delete(ENTITIES, params={"id": entity}))[0] == 404
    assert (await stranger.get(NEXT, params={"sellingEntityId": entity}))[0] == 404
    status, body = await stranger.post(INVOICES, {"sellerEntityId": entity, "lineItems": [LINE]})
    assert status == 400 and body["details"][0]["path"] == ["sellerEntityId"]
    # A buyer must be a customer of the caller's: another tenant's is the same 400 as a random id.
    status, company = await boss.post("/api/customers/companies", {"displayName": "Buyer Co"})
    assert status == 201, company
    bought = await invoice(boss, sellerEntityId=entity, buyerEntityId=company["id"])
    assert bought["buyerName"] == "Buyer Co" and bought["buyerEntityId"] == company["id"]
    for ident in (company["id"], str(uuid.uuid4())):
        status, body = await stranger.post(
            INVOICES, {"documentNumber": "X/1", "buyerEntityId": ident, "lineItems": [LINE]}
        )
        assert status == 400 and body["details"] == [
            {"code": "not_found", "message": "Customer not found", "path": ["buyerEntityId"]}
        ]

    query = """query($id: UUID!) { invoice(id: $id) { id documentNumber totalAmount sellerEntity { name } }
      invoices(pageSize: 100) { items { id } } sellingEntities(pageSize: 100) { items { id } } }"""
    theirs = await stranger.gql(query, {"id": mine["id"]})
    assert (theirs.get("data") or {}).get("invoice") is None
    assert mine["id"] not in str(theirs) and entity not in str(theirs)
    ours = await boss.gql(query, {"id": mine["id"]})
    assert ours["data"]["invoice"]["sellerEntity"] == {"name": "Isolated sp. z o.o."}
    assert ours["data"]["invoice"]["totalAmount"] == "123.00"
    status, body = await stranger.post(
        "/graphql",
        {"query": "mutation($id: UUID!) { deleteInvoice(id: $id) }", "variables": {"id": mine["id"]}},
    )
    assert mine["id"] in str((await boss.get(INVOICES, params={"ids": mine["id"]}))[1])


async def test_graphql_mutations_run_the_same_rules(accountant, reader):
    entity = await selling_entity(accountant, "GraphQL sp. z o.o.", invoicePrefix="GQ")
    create = """mutation($input: InvoiceCreateInput!) { createInvoice(input: $input) {
      id documentNumber netAmount vatAmount totalAmount vatBreakdown sellerEntity { id name } } }"""
    lines = [{"name": "Tyre", "quantity": "2", "unitNetPrice": "399.99", "vatRate": "23"}]
    reply = await accountant.gql(
        create, {"input": {"sellerEntityId": entity, "issueDate": "2026-06-01", "lineItems": lines}}
    )
    made = reply["data"]["createInvoice"]
    assert made["documentNumber"] == "GQ/2026/1" and made["sellerEntity"] == {
        "id": entity,
        "name": "GraphQL sp. z o.o.",
    }
    assert (made["netAmount"], made["vatAmount"], made["totalAmount"]) == ("799.98", "184.00", "983.98")
    assert made["vatBreakdown"] == [
        {"vatRate": "23", "netAmount": "799.98", "vatAmount": "184.00", "grossAmount": "983.98"}
    ]
    bad = await accountant.gql(
        create, {"input": {"sellerEntityId": entity, "lineItems": [{"unitNetPrice": "x"}]}}
    )
    assert bad["errors"] and not bad.get("data")
    assert (await reader.gql(create, {"input": {"sellerEntityId": entity}}))["errors"][0][
        "message"
    ] == "Forbidden"
    update = "mutation($id: UUID!, $input: InvoiceUpdateInput!) { updateInvoice(id: $id, input: $input) { totalAmount } }"
    reply = await accountant.gql(
        update, {"id": made["id"], "input": {"lineItems": [{"unitNetPrice": "10", "vatRate": "8"}]}}
    )
    assert reply["data"]["updateInvoice"] == {"totalAmount": "10.80"}
    assert (await accountant.gql("mutation($id: UUID!) { deleteInvoice(id: $id) }", {"id": made["id"]}))[
        "data"
    ] == {"deleteInvoice": True}
    assert (await accountant.get(INVOICES, params={"ids": made["id"]}))[1]["items"] == []
