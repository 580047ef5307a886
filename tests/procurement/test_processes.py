"""Processes: defaults and catalog labels, filters, updates, completion, deletion, scoping."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from models.audit import ActionLog
from models.auth import User
from models.events import OutboxEvent
from tests.conftest import login
from tests.factories import make_world


async def test_create_applies_the_organization_defaults_and_labels(proc, admin):
    process = await proc.process(description="For the R1250GS", typeValue="parts")
    row = await proc.one("processes", process)
    assert row["title"] == "Brake pads"
    assert (row["statusValue"], row["statusLabel"], row["statusIcon"]) == ("new", "New", "circle")
    assert (row["typeValue"], row["typeLabel"]) == ("parts", "Parts")
    assert row["refinancingEnabled"] is True
    assert row["startedAt"] is not None and row["closedAt"] is None
    assert row["handlerLabel"] is None
    documented = {
        "id", "title", "description", "startedAt", "statusValue", "statusLabel", "statusColor", "statusIcon",
        "typeValue", "typeLabel", "typeColor", "typeIcon", "customerEntityId", "salesQuoteId",
        "salesInvoiceId", "resourceId", "selectedSupplierId", "refinancingEnabled", "refinancingNotes",
        "closedAt", "createdAt", "updatedAt", "organizationId", "tenantId", "handlerUserId", "handlerLabel",
    }  # fmt: skip
    assert documented <= set(row)
    timeline = await proc.list("process-timeline", processId=process)
    assert [i["eventType"] for i in timeline["items"]] == ["process.created"]


async def test_unknown_status_or_type_and_blank_title_are_400(admin):
    for body in ({"title": "x", "statusValue": "nope"}, {"title": "x", "typeValue": "nope"}, {"title": " "}):
        status, reply = await admin.post("/api/procurement/processes", body)
        assert status == 400, (body, reply)
        assert reply["error"] == "Validation failed" and reply["details"]


async def test_filters_handler_label_and_customer_links(proc, admin, world, crm, sessionmaker):
    company = await crm.company("Ducati Store")
    async with sessionmaker() as session:
        me = await session.scalar(select(User.id).where(User.email == world.admin_email))
    with_customer = await proc.process("Tyres", customerEntityId=company, statusValue="sourcing")
    without = await proc.process("Chain", handlerUserId=str(me))
    assert {i["id"] for i in (await proc.list("processes", customerEntityId=company))["items"]} == {
        with_customer
    }
    unassigned = {i["id"] for i in (await proc.list("processes", customerUnassigned="true"))["items"]}
    assert without in unassigned and with_customer not in unassigned
    assert {i["id"] for i in (await proc.list("processes", statusValue="sourcing"))["items"]} == {
        with_customer
    }
    assert (await proc.one("processes", without))["handlerLabel"] == world.admin_email.split("@")[0].title()
    status, _ = await admin.post(
        "/api/procurement/processes", {"title": "x", "customerEntityId": str(uuid.uuid4())}
    )
    assert status == 404
    status, reply = await admin.post(
        "/api/procurement/processes", {"title": "x", "handlerUserId": str(uuid.uuid4())}
    )
    assert status == 400, reply


async def test_update_moves_status_records_the_change_and_validates_links(proc, admin, world):
    process = await proc.process()
    org = (await proc.one("processes", process))["organizationId"]
    await admin.put("/api/procurement/processes", {"id": process, "organizationId": str(world.other_org)})
    assert (await proc.one("processes", process))["organizationId"] == org  # records stay together
    other = await proc.process("Other")
    supplier = await proc.supplier(process)
    foreign = await proc.supplier(other)
    ok = {"id": process, "statusValue": "ordered", "selectedSupplierId": supplier, "refinancingNotes": "0%"}
    assert await admin.put("/api/procurement/processes", ok) == (200, {"ok": True})
    row = await proc.one("processes", process)
    assert (row["statusValue"], row["statusLabel"], row["selectedSupplierId"]) == (
        "ordered",
        "Ordered",
        supplier,
    )
    status, reply = await admin.put(
        "/api/procurement/processes", {"id": process, "selectedSupplierId": foreign}
    )
    assert status == 400 and reply["details"][0]["path"] == ["selectedSupplierId"]
    foreign_item = await proc.line_item(other)
    body = {"id": process, "refinancingLineItemId": foreign_item}
    status, reply = await admin.put("/api/procurement/processes", body)
    assert status == 400 and reply["details"][0]["path"] == ["refinancingLineItemId"]
    body["refinancingLineItemId"] = await proc.line_item(process)
    assert (await admin.put("/api/procurement/processes", body))[0] == 200
    # A null status (as in the documented example) leaves the status alone.
    assert (await admin.put("/api/procurement/processes", {"id": process, "statusValue": None}))[0] == 200
    assert (await proc.one("processes", process))["statusValue"] == "ordered"
    timeline = await proc.list("process-timeline", processId=process, sortDir="asc")
    change = timeline["items"][-1]
    assert change["eventType"] == "process.status_changed"
    assert change["metadata"] == {"from": "new", "to": "ordered"}


async def test_complete_closes_links_resource_and_invoice_in_one_command(proc, admin, sessionmaker):
    process = await proc.process()
    status, bike = await admin.post("/api/resources/resources", {"name": "Bought bike"})
    assert status == 201, bike
    resource, invoice = bike["id"], str(uuid.uuid4())
    unknown = {"id": process, "resourceId": str(uuid.uuid4())}  # a resource out of scope: nothing kept
    assert (await admin.post("/api/procurement/processes/complete", unknown))[0] == 404
    assert (await proc.one("processes", process))["statusValue"] != "closed"
    body = {"id": process, "resourceId": resource, "salesInvoiceId": invoice}
    assert await admin.post("/api/procurement/processes/complete", body) == (
        200,
        {"ok": True, "processId": process},
    )
    _, linked = await admin.get(f"/api/resources/resources?ids={resource}")
    assert linked["items"][0]["procurement_process_id"] == process  # linked back in the same command
    row = await proc.one("processes", process)
    assert (row["statusValue"], row["resourceId"], row["salesInvoiceId"]) == ("closed", resource, invoice)
    assert row["closedAt"] is not None
    assert {i["id"] for i in (await proc.list("processes", resourceId=resource))["items"]} == {process}
    types = [i["eventType"] for i in (await proc.list("process-timeline", processId=process))["items"]]
    assert types[:2] == ["process.completed", "process.status_changed"]
    async with sessionmaker() as session:
        events = await session.scalars(
            select(OutboxEvent.name).where(OutboxEvent.payload["id"].astext == process)
        )
        assert {
            "procurement.procurement_process.updated",
            "procurement.procurement_process.completed",
        } <= set(events)
        logs = (await session.scalars(select(ActionLog).where(ActionLog.resource_id == process))).all()
    assert [log.command_id for log in logs if log.command_id.endswith("complete")] == [
        "procurement.process.complete"
    ]
    assert (await admin.post("/api/procurement/processes/complete", {"id": str(uuid.uuid4())}))[0] == 404
    assert (await admin.post("/api/procurement/processes/complete", {"id": "nope"}))[0] == 400


async def test_delete_takes_the_process_records_along(proc, admin):
    process = await proc.process()
    item = await proc.line_item(process)
    task = await proc.task(process)
    assert await admin.delete("/api/procurement/processes", json={"id": process}) == (200, {"ok": True})
    assert (await proc.list("processes", id=process))["items"] == []
    assert (await proc.list("process-line-items", id=item))["items"] == []
    assert (await proc.list("process-tasks", id=task))["items"] == []
    assert (await admin.get("/api/procurement/process-timeline", params={"processId": process}))[0] == 404


async def test_features_and_other_tenants(client, sessionmaker, proc, admin):
    process = await proc.process()
    world = await make_world(
        sessionmaker, roles={"viewer": ["procurement.processes.view"], "nobody": ["auth.users.list"]}
    )
    viewer = await login(client, world.emails["viewer"])
    status, reply = await viewer.post("/api/procurement/processes", {"title": "x"})
    assert status == 403 and reply["requiredFeatures"] == ["procurement.processes.manage"]
    assert (await login(client, world.emails["nobody"])).headers
    nobody = await login(client, world.emails["nobody"])
    assert (await nobody.get("/api/procurement/processes"))[0] == 403
    # Another tenant's admin sees none of it and gets 404 for every id.
    stranger = await login(client, world.admin_email)
    assert (await stranger.get("/api/procurement/processes", params={"id": process}))[1]["items"] == []
    assert (await stranger.put("/api/procurement/processes", {"id": process, "title": "x"}))[0] == 404
    assert (await stranger.delete("/api/procurement/processes", json={"id": process}))[0] == 404
    assert (await stranger.post("/api/procurement/processes/complete", {"id": process}))[0] == 404
    assert (await stranger.post("/api/procurement/process-line-items", {"processId": process, "title": "x"}))[
        0
    ] == 404
    assert (await stranger.get("/api/procurement/process-timeline", params={"processId": process}))[0] == 404
    assert (await admin.get("/api/procurement/processes"))[0] == 200
    assert (await client.get("/api/procurement/processes")).status == 401
