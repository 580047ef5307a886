"""Line items, suppliers (with the line items they offer), tasks and timeline notes of a process,
and the GraphQL edges between them."""

from __future__ import annotations

import uuid

TIMELINE = "/api/procurement/process-timeline"


async def test_line_items_are_ordered_and_stay_on_their_process(proc, admin):
    process = await proc.process()
    first = await proc.line_item(process, quantity=2.5, unitLabel="pcs", specification="OEM")
    second = await proc.line_item(process, "Rear pads")
    items = (await proc.list("process-line-items", processId=process, sortField="sortOrder"))["items"]
    assert [(i["id"], i["sortOrder"]) for i in items] == [(first, 0), (second, 1)]
    assert items[0]["quantity"] == 2.5 and items[0]["unitLabel"] == "pcs"
    documented = {"id", "processId", "title", "specification", "quantity", "unitLabel", "resourceId",
                  "sortOrder", "createdAt", "updatedAt", "organizationId", "tenantId"}  # fmt: skip
    assert documented <= set(items[0])
    resource = str(uuid.uuid4())
    assert await admin.put("/api/procurement/process-line-items", {"id": first, "resourceId": resource}) == (
        200,
        {"ok": True},
    )
    assert (await proc.one("process-line-items", first))["resourceId"] == resource
    # processId is fixed after creation; an unknown process is a 404; bounds are checked.
    other = await proc.process("Other")
    await admin.put("/api/procurement/process-line-items", {"id": first, "processId": other})
    assert (await proc.one("process-line-items", first))["processId"] == process
    body = {"processId": str(uuid.uuid4()), "title": "x"}
    assert (await admin.post("/api/procurement/process-line-items", body))[0] == 404
    status, reply = await admin.post(
        "/api/procurement/process-line-items", {"processId": process, "title": "x", "quantity": 1e20}
    )
    assert status == 400 and reply["details"], reply
    assert await admin.delete("/api/procurement/process-line-items", json={"id": second}) == (
        200,
        {"ok": True},
    )
    assert (await proc.list("process-line-items", processId=process))["total"] == 1


async def test_suppliers_offer_line_items_of_their_process_only(proc, admin, crm):
    process = await proc.process()
    front, rear = await proc.line_item(process), await proc.line_item(process, "Rear")
    foreign = await proc.line_item(await proc.process("Other"))
    vendor = await crm.company("Brembo Dealer")
    supplier = await proc.supplier(
        process, vendorCustomerEntityId=vendor, email="sales@brembo.example", lineItemIds=[front, front, rear]
    )
    row = await proc.one("process-suppliers", supplier)
    assert sorted(row["lineItemIds"]) == sorted([front, rear])
    assert (row["vendorCustomerEntityId"], row["sortOrder"]) == (vendor, 0)
    body = {"processId": process, "vendorLabel": "X", "lineItemIds": [foreign]}
    status, reply = await admin.post("/api/procurement/process-suppliers", body)
    assert status == 400 and reply["details"][0]["path"] == ["lineItemIds"]
    body = {"processId": process, "vendorLabel": "X", "vendorCustomerEntityId": str(uuid.uuid4())}
    assert (await admin.post("/api/procurement/process-suppliers", body))[0] == 404
    assert (await admin.put("/api/procurement/process-suppliers", {"id": supplier, "lineItemIds": [rear]}))[
        0
    ] == 200
    assert (await proc.one("process-suppliers", supplier))["lineItemIds"] == [rear]
    # Deleting an offered line item unlinks it; deleting the selected supplier unselects it.
    await admin.delete("/api/procurement/process-line-items", json={"id": rear})
    assert (await proc.one("process-suppliers", supplier))["lineItemIds"] == []
    await admin.put("/api/procurement/processes", {"id": process, "selectedSupplierId": supplier})
    await admin.delete("/api/procurement/process-suppliers", json={"id": supplier})
    assert (await proc.one("processes", process))["selectedSupplierId"] is None


async def test_tasks_status_supplier_and_assignee_rules(proc, admin, world, sessionmaker):
    process = await proc.process()
    supplier = await proc.supplier(process)
    foreign = await proc.supplier(await proc.process("Other"))
    task = await proc.task(
        process, supplierId=supplier, dueAt="2030-01-01T10:00:00Z", sourceActionValue="quote"
    )
    row = await proc.one("process-tasks", task)
    assert (row["taskStatus"], row["supplierId"], row["dueAt"]) == (
        "open",
        supplier,
        "2030-01-01T10:00:00.000Z",
    )
    assert (await admin.put("/api/procurement/process-tasks", {"id": task, "taskStatus": "done"}))[0] == 200
    assert {i["id"] for i in (await proc.list("process-tasks", taskStatus="done"))["items"]} == {task}
    assert {i["id"] for i in (await proc.list("process-tasks", supplierId=supplier))["items"]} == {task}
    for change in ({"taskStatus": "maybe"}, {"supplierId": foreign}, {"assignedUserId": str(uuid.uuid4())}):
        status, reply = await admin.put("/api/procurement/process-tasks", {"id": task, **change})
        assert status == 400, (change, reply)


async def test_timeline_notes_can_change_system_events_cannot(proc, admin):
    process = await proc.process()
    status, body = await admin.post(
        TIMELINE, {"processId": process, "message": "Called Brembo", "metadata": {"a": 1}}
    )
    assert status == 201 and body["ok"] is True
    note = body["id"]
    page = (await admin.get(TIMELINE, params={"processId": process}))[1]
    assert (page["total"], page["page"], page["pageSize"], page["totalPages"]) == (2, 1, 50, 1)
    newest = page["items"][0]
    assert (newest["id"], newest["eventType"], newest["metadata"]) == (note, "note", {"a": 1})
    assert newest["actorUserId"] and newest["actorLabel"]
    created = page["items"][1]
    assert created["eventType"] == "process.created"

    assert await admin.put(TIMELINE, {"processId": process, "id": note, "message": "Called twice"}) == (
        200,
        {"ok": True},
    )
    status, reply = await admin.put(TIMELINE, {"processId": process, "id": created["id"], "message": "x"})
    assert status == 409, reply
    assert (await admin.delete(TIMELINE, params={"processId": process, "id": created["id"]}))[0] == 409
    assert (
        await admin.post(TIMELINE, {"processId": process, "eventType": "process.created", "message": "x"})
    )[0] == 400
    assert (await admin.get(TIMELINE))[0] == 400  # processId is required
    assert (await admin.get(TIMELINE, params={"processId": process, "pageSize": "0"}))[0] == 400
    assert await admin.delete(TIMELINE, params={"processId": process, "id": note}) == (200, {"ok": True})
    assert (await admin.delete(TIMELINE, params={"processId": process, "id": note}))[0] == 404
    items = (await admin.get(TIMELINE, params={"processId": process, "sortDir": "asc"}))[1]["items"]
    assert [i["eventType"] for i in items] == ["process.created"]


async def test_graphql_edges_of_a_process(proc, admin):
    process = await proc.process()
    item = await proc.line_item(process)
    supplier = await proc.supplier(process, lineItemIds=[item])
    task = await proc.task(process, supplierId=supplier)
    await admin.put("/api/procurement/processes", {"id": process, "selectedSupplierId": supplier})
    query = """query($id: UUID!) { procurementProcess(id: $id) {
        title lineItems { id suppliers { id } } suppliers { id lineItems { id } tasks { id } }
        tasks { id supplier { id } } timeline { eventType } selectedSupplier { id } } }"""
    data = (await admin.gql(query, {"id": process}))["data"]["procurementProcess"]
    assert data["lineItems"] == [{"id": item, "suppliers": [{"id": supplier}]}]
    assert data["suppliers"] == [{"id": supplier, "lineItems": [{"id": item}], "tasks": [{"id": task}]}]
    assert data["tasks"] == [{"id": task, "supplier": {"id": supplier}}]
    assert data["selectedSupplier"] == {"id": supplier}
    assert {e["eventType"] for e in data["timeline"]} == {"process.created"}
    listed = await admin.gql("{ procurementProcesses(pageSize: 100) { items { id lineItems { id } } } }")
    mine = next(p for p in listed["data"]["procurementProcesses"]["items"] if p["id"] == process)
    assert mine["lineItems"] == [{"id": item}]
    completed = await admin.gql(
        "mutation($id: UUID!) { completeProcurementProcess(id: $id) }", {"id": process}
    )
    assert completed["data"]["completeProcurementProcess"] == process
