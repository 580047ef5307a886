"""Pipelines, stages (with bulk reorder) and deals: associations, filters, detail, guards, scoping."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from models.events import OutboxEvent
from tests.conftest import login
from tests.customers.conftest import Customers
from tests.factories import make_world

DEAL_LIST_KEYS = {
    "id",
    "title",
    "description",
    "status",
    "pipeline_stage",
    "pipeline_id",
    "pipeline_stage_id",
    "value_amount",
    "value_currency",
    "probability",
    "expected_close_at",
    "owner_user_id",
    "source",
    "organization_id",
    "tenant_id",
    "created_at",
    "updated_at",
    "organizationId",
    "tenantId",
}


async def test_pipelines_keep_a_single_default(crm, admin):
    first = await crm.create("pipelines", {"name": "Inbound", "isDefault": True})
    second = await crm.create("pipelines", {"name": "Outbound", "isDefault": True})
    page = await crm.list("pipelines")
    assert {i["id"]: i["isDefault"] for i in page["items"]} == {first: False, second: True}
    assert {"id", "name", "isDefault", "organizationId", "tenantId", "createdAt", "updatedAt"} <= set(
        page["items"][0]
    )
    assert await crm.ids("pipelines", isDefault="true") == {second}
    assert await admin.put("/api/customers/pipelines", {"id": first, "isDefault": True}) == (
        200,
        {"ok": True},
    )
    assert await crm.ids("pipelines", isDefault="true") == {first}
    assert (await admin.post("/api/customers/pipelines", {"name": " "}))[0] == 400


async def test_stages_order_reorder_and_rename(crm, admin, sessionmaker):
    pipeline, (new, won) = await crm.pipeline("Sales", ("New", "Won"))
    lost = await crm.create("pipeline-stages", {"pipelineId": pipeline, "label": "Lost", "color": "#ff0000"})
    page = await crm.list("pipeline-stages", pipelineId=pipeline)
    assert [(i["label"], i["order"]) for i in page["items"]] == [("New", 0), ("Won", 1), ("Lost", 2)]
    assert {"pipelineId", "label", "order", "color", "icon", "organizationId", "tenantId"} <= set(
        page["items"][0]
    )

    body = {"stages": [{"id": lost, "order": 0}, {"id": new, "order": 1}, {"id": won, "order": 2}]}
    assert await admin.post("/api/customers/pipeline-stages/reorder", body) == (200, {"ok": True})
    page = await crm.list("pipeline-stages", pipelineId=pipeline)
    assert [i["label"] for i in page["items"]] == ["Lost", "New", "Won"]
    async with sessionmaker() as session:
        assert await session.scalar(
            select(OutboxEvent.id).where(
                OutboxEvent.name == "customers.pipeline_stage.reordered",
                OutboxEvent.payload["id"].astext == pipeline,
            )
        )

    missing = {"stages": [{"id": lost, "order": 5}, {"id": str(uuid.uuid4()), "order": 6}]}
    assert (await admin.post("/api/customers/pipeline-stages/reorder", missing))[0] == 404
    assert (await admin.post("/api/customers/pipeline-stages/reorder", {"stages": []}))[0] == 400
    assert (
        await admin.post("/api/customers/pipeline-stages/reorder", {"stages": [{"id": lost, "order": -1}]})
    )[0] == 400
    # Nothing moved by the refused calls.
    assert [i["label"] for i in (await crm.list("pipeline-stages", pipelineId=pipeline))["items"]] == [
        "Lost",
        "New",
        "Won",
    ]

    deal = await crm.deal("Renamed stage deal", pipelineStageId=won)
    assert await admin.put("/api/customers/pipeline-stages", {"id": won, "label": "Closed won"}) == (
        200,
        {"ok": True},
    )
    assert (await crm.list("deals", ids=deal))["items"][0]["pipeline_stage"] == "Closed won"
    assert (
        await admin.post("/api/customers/pipeline-stages", {"pipelineId": str(uuid.uuid4()), "label": "x"})
    )[0] == 404


async def test_stage_and_pipeline_in_use_cannot_be_deleted(crm, admin):
    pipeline, (stage, spare) = await crm.pipeline()
    deal = await crm.deal(pipelineStageId=stage)
    assert await admin.delete(f"/api/customers/pipeline-stages?id={stage}") == (
        409,
        {"error": "Stage has active deals"},
    )
    assert await admin.delete(f"/api/customers/pipelines?id={pipeline}") == (
        409,
        {"error": "Pipeline has active deals"},
    )
    assert await admin.delete(f"/api/customers/pipeline-stages?id={spare}") == (200, {"ok": True})
    assert await admin.delete(f"/api/customers/deals?id={deal}") == (200, {"ok": True})
    assert await admin.delete(f"/api/customers/pipelines?id={pipeline}") == (200, {"ok": True})
    assert await crm.ids("pipeline-stages", pipelineId=pipeline) == set()  # stages go with the pipeline


async def test_deal_create_with_associations_and_detail(crm, admin):
    pipeline, (_, second) = await crm.pipeline()
    ada, bob = await crm.person("Ada", "A", primaryEmail="ada@example.com"), await crm.person("Bob", "B")
    acme = await crm.company("Acme", domain="acme.example")
    status, body = await admin.post(
        "/api/customers/deals",
        {
            "title": "Big one",
            "personIds": [ada, bob, ada],
            "companyIds": [acme],
            "pipelineStageId": second,
            "valueAmount": 1234.5,
            "valueCurrency": "pln",
            "probability": 40,
            "customFields": {"region": "north"},
        },
    )
    assert status == 201 and set(body) == {"id"}
    deal = body["id"]
    item = (await crm.list("deals", ids=deal))["items"][0]
    assert set(item) >= DEAL_LIST_KEYS
    assert (
        item["pipeline_id"] == pipeline
        and item["pipeline_stage"] == "Won"
        and item["value_currency"] == "PLN"
    )
    assert item["value_amount"] == 1234.5 and item["status"] == "open"
    assert item["organizationId"] == item["organization_id"]

    status, detail = await admin.get(f"/api/customers/deals/{deal}")
    assert status == 200
    assert detail["deal"]["title"] == "Big one" and detail["deal"]["pipelineStageId"] == second
    assert [(p["id"], p["kind"], p["subtitle"]) for p in detail["people"]] == [
        (ada, "person", "ada@example.com"),
        (bob, "person", None),
    ]
    assert detail["companies"] == [
        {"id": acme, "label": "Acme", "subtitle": "acme.example", "kind": "company"}
    ]
    assert detail["customFields"] == {"region": "north"} and detail["viewer"]["userId"]

    # Replacing associations; a pipeline without a stage starts at its first stage.
    other_pipeline, (other_first, _) = await crm.pipeline("Other")
    assert await admin.put(
        "/api/customers/deals", {"id": deal, "personIds": [bob], "pipelineId": other_pipeline}
    ) == (200, {"ok": True})
    _, detail = await admin.get(f"/api/customers/deals/{deal}")
    assert [p["id"] for p in detail["people"]] == [bob] and len(detail["companies"]) == 1
    assert detail["deal"]["pipelineStageId"] == other_first and detail["deal"]["pipelineStage"] == "New"
    _, person_detail = await admin.get(f"/api/customers/people/{bob}?include=deals")
    assert [d["id"] for d in person_detail["deals"]] == [deal]


async def test_deal_validation(crm, admin):
    _, (stage, _) = await crm.pipeline()
    other_pipeline, _ = await crm.pipeline("Other")
    assert (await admin.post("/api/customers/deals", {"description": "untitled"}))[0] == 400
    assert (await admin.post("/api/customers/deals", {"title": "p", "probability": 140}))[0] == 400
    status, body = await admin.post(
        "/api/customers/deals", {"title": "mismatch", "pipelineId": other_pipeline, "pipelineStageId": stage}
    )
    assert status == 400 and body["details"][0]["path"] == ["pipelineStageId"]
    assert (await admin.post("/api/customers/deals", {"title": "x", "personIds": ["nope"]}))[0] == 400
    assert (await admin.post("/api/customers/deals", {"title": "x", "personIds": [str(uuid.uuid4())]}))[
        0
    ] == 404
    company = await crm.company()
    assert (await admin.post("/api/customers/deals", {"title": "x", "personIds": [company]}))[0] == 404
    assert (await admin.get("/api/customers/deals/nope"))[0] == 400
    assert (await admin.get(f"/api/customers/deals/{uuid.uuid4()}"))[0] == 404


async def test_deal_filters(crm):
    pipeline, (new, won) = await crm.pipeline()
    other_pipeline, (elsewhere, _) = await crm.pipeline("Other")
    ada, bob = await crm.person("Ada", "A"), await crm.person("Bob", "B")
    acme = await crm.company()
    d1 = await crm.deal("Solar panels", pipelineStageId=new, personIds=[ada], status="open")
    d2 = await crm.deal(
        "Wind turbine", pipelineStageId=won, personIds=[ada, bob], companyIds=[acme], status="won"
    )
    d3 = await crm.deal("Solar roof", pipelineStageId=elsewhere, status="lost")
    cases = [
        ({}, {d1, d2, d3}),
        ({"search": "solar"}, {d1, d3}),
        ({"status": "won"}, {d2}),
        ({"status": "won,lost"}, {d2, d3}),
        ({"pipelineStage": "New"}, {d1, d3}),
        ({"pipelineId": pipeline}, {d1, d2}),
        ({"pipelineId": other_pipeline}, {d3}),
        ({"pipelineStageId": won}, {d2}),
        ({"personEntityId": ada}, {d1, d2}),
        ({"personEntityId": bob}, {d2}),
        ({"companyEntityId": acme}, {d2}),
        ({"personEntityId": bob, "status": "open"}, set()),
        ({"ids": f"{d1},{d3}"}, {d1, d3}),
    ]
    for query, expected in cases:
        assert await crm.ids("deals", **query) == expected, query
    page = await crm.list("deals", sortField="title", sortDir="desc")
    assert [i["title"] for i in page["items"]] == ["Wind turbine", "Solar roof", "Solar panels"]


async def test_deals_are_tenant_and_organization_scoped(client, crm, admin, world, sessionmaker):
    person = await crm.person()
    sibling_deal = await crm.deal("Sibling org deal", organizationId=str(world.other_org))
    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    deal = await crm.deal("Ours", personIds=[person])
    assert (await stranger.get(f"/api/customers/deals/{deal}"))[0] == 404
    assert await Customers(stranger).ids("deals") == set()
    assert (await stranger.post("/api/customers/deals", {"title": "steal", "personIds": [person]}))[0] == 404
    assert (await stranger.put("/api/customers/deals", {"id": deal, "title": "mine"}))[0] == 404
    employee = await login(client, world.emails["employee"])
    assert (await employee.get(f"/api/customers/deals/{sibling_deal}"))[0] == 404
    assert await Customers(employee).ids("deals") == set()
