"""Custom entities and their records: upsert and deactivate, records CRUD (REST and GraphQL), lists
with filters, sorting, deleted rows and exports, relation options, the sidebar, isolation."""

from __future__ import annotations

import csv
import io
import uuid

from tests.entities.conftest import TRACK_DAY, ok, record, track_day


async def test_records_round_trip(boss, clerk):
    await track_day(boss)
    chosen = str(uuid.uuid4())
    reply = await ok(
        clerk,
        "POST",
        "/api/entities/records",
        {"entityId": TRACK_DAY, "recordId": chosen, "values": {"title": "Spring", "laps": 10}},
    )
    assert reply == {"ok": True, "item": {"entityId": TRACK_DAY, "recordId": chosen}}
    second = await record(clerk, {"cf_title": "Summer", "circuit": "Brno", "laps": 30})
    page = await ok(clerk, "GET", f"/api/entities/records?entityId={TRACK_DAY}&sortField=laps&sortDir=desc")
    assert [(i["id"], i["title"]) for i in page["items"]] == [(second, "Summer"), (chosen, "Spring")]
    assert page["total"] == 2 and page["totalPages"] == 1 and page["items"][0]["circuit"] == "Brno"
    assert [
        i["id"]
        for i in (await ok(clerk, "GET", f"/api/entities/records?entityId={TRACK_DAY}&circuit=Brno"))["items"]
    ] == [second]

    await ok(
        clerk,
        "PUT",
        "/api/entities/records",
        {"entityId": TRACK_DAY, "recordId": chosen, "values": {"laps": None, "circuit": "Poznan"}},
    )
    item = (await ok(clerk, "GET", f"/api/entities/records?entityId={TRACK_DAY}&cf_circuit=Poznan"))["items"][
        0
    ]
    assert item["id"] == chosen and "laps" not in item and item["title"] == "Spring"
    made = await ok(
        clerk,
        "PUT",
        "/api/entities/records",
        {"entityId": TRACK_DAY, "recordId": "new", "values": {"title": "Made"}},
    )
    assert uuid.UUID(made["item"]["recordId"])  # not a UUID: created instead

    await ok(clerk, "DELETE", "/api/entities/records", {"entityId": TRACK_DAY, "recordId": chosen})
    live = await ok(clerk, "GET", f"/api/entities/records?entityId={TRACK_DAY}")
    assert chosen not in {i["id"] for i in live["items"]}
    everything = await ok(clerk, "GET", f"/api/entities/records?entityId={TRACK_DAY}&withDeleted=true")
    assert {i["id"]: i.get("deletedAt") is not None for i in everything["items"]}[chosen] is True
    # The query string works for deletes too; an unknown record is a 404.
    assert (await clerk.delete(f"/api/entities/records?entityId={TRACK_DAY}&recordId={uuid.uuid4()}"))[
        0
    ] == 404


async def test_record_errors(boss, reader):
    await track_day(boss)
    status, body = await boss.post("/api/entities/records", {"entityId": TRACK_DAY, "values": {"laps": 3}})
    assert status == 400 and body["details"][0]["path"] == ["cf_title"]  # required
    status, body = await boss.post(
        "/api/entities/records", {"entityId": TRACK_DAY, "values": {"title": "T", "id": "x"}}
    )
    assert status == 400
    status, body = await boss.post("/api/entities/records", {"entityId": "user:ghost", "values": {}})
    assert status == 400 and body["details"][0]["message"] == "Unknown entity"
    status, _ = await boss.post("/api/entities/records", {"entityId": "customers:person", "values": {}})
    assert status == 400
    status, body = await reader.post(
        "/api/entities/records", {"entityId": TRACK_DAY, "values": {"title": "T"}}
    )
    assert status == 403 and body["requiredFeatures"] == ["entities.records.manage"]
    assert (await boss.get("/api/entities/records"))[0] == 400
    assert (await boss.get(f"/api/entities/records?entityId={TRACK_DAY}&format=pdf"))[0] == 400
    rid = await record(boss, {"title": "T"})
    status, _ = await boss.put(
        "/api/entities/records", {"entityId": "user:other", "recordId": rid, "values": {}}
    )
    assert status in (400, 404)


async def test_exports(boss):
    await track_day(boss)
    await record(boss, {"title": "=cmd()", "laps": 3})
    response = await boss.client.get(
        f"/api/entities/records?entityId={TRACK_DAY}&format=csv", headers=boss.headers
    )
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="user_track_day.csv"'
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert rows[0]["title"] == "'=cmd()" and rows[0]["laps"] == "3"  # formulas are neutralized
    for fmt, marker in (
        ("json", '"title": "=cmd()"'),
        ("xml", "<title>=cmd()</title>"),
        ("markdown", "| =cmd() |"),
    ):
        response = await boss.client.get(
            f"/api/entities/records?entityId={TRACK_DAY}&format={fmt}", headers=boss.headers
        )
        assert response.status == 200 and marker in await response.text(), fmt


async def test_code_entity_rows_are_listed_with_their_own_features(boss, reader):
    await ok(
        boss, "POST", "/api/customers/people", {"firstName": "Ann", "lastName": "Lee", "cf_vip": True}, 201
    )
    page = await ok(boss, "GET", "/api/entities/records?entityId=customers:person&cf_vip=true")
    assert [i["first_name"] for i in page["items"]] == ["Ann"] and page["items"][0]["cf_vip"] is True
    status, body = await reader.get("/api/entities/records?entityId=customers:person")
    assert status == 403 and body["requiredFeatures"] == ["customers.people.view"]


async def test_custom_entities_list_sidebar_and_deactivation(boss, reader):
    await track_day(boss, showInSidebar=True)
    await ok(boss, "POST", "/api/entities/entities", {"entityId": "user:hidden", "label": "Hidden"})
    items = {i["entityId"]: i for i in (await ok(reader, "GET", "/api/entities/entities"))["items"]}
    assert items[TRACK_DAY]["source"] == "custom" and items[TRACK_DAY]["count"] == 4
    assert items["customers:person"]["source"] == "code" and "attachments:attachment" in items
    sidebar = await ok(reader, "GET", "/api/entities/sidebar-entities")
    assert sidebar == {
        "items": [
            {
                "entityId": TRACK_DAY,
                "label": "Track day",
                "href": f"/backend/entities/user/{TRACK_DAY}/records",
            }
        ]
    }
    await ok(boss, "DELETE", "/api/entities/entities", {"entityId": TRACK_DAY})
    assert TRACK_DAY not in {
        i["entityId"] for i in (await ok(boss, "GET", "/api/entities/entities"))["items"]
    }
    assert (await boss.post("/api/entities/records", {"entityId": TRACK_DAY, "values": {"title": "T"}}))[
        0
    ] == 400
    assert (await boss.call("DELETE", "/api/entities/entities", json={"entityId": "user:never"}))[0] == 404
    status, _ = await boss.post("/api/entities/entities", {"entityId": "customers:person", "label": "Mine"})
    assert status == 400  # a code entity cannot be registered
    reply = await ok(boss, "POST", "/api/entities/entities", {"entityId": TRACK_DAY, "label": "Track day"})
    assert reply["ok"] and reply["item"]["entityId"] == TRACK_DAY  # comes back


async def test_relation_options(boss, reader):
    await track_day(boss)
    for title in ("Spring opener", "Summer sprint", "Autumn closer"):
        await record(boss, {"title": title})
    options = await ok(boss, "GET", f"/api/entities/relations/options?entityId={TRACK_DAY}&q=spr")
    assert [o["label"] for o in options["items"]] == ["Spring opener", "Summer sprint"]
    await ok(boss, "POST", "/api/customers/companies", {"displayName": "Ducati Club"}, 201)
    options = await ok(boss, "GET", "/api/entities/relations/options?entityId=customers:company&q=ducati")
    assert [o["label"] for o in options["items"]] == ["Ducati Club"]
    status, body = await reader.get(f"/api/entities/relations/options?entityId={TRACK_DAY}")
    assert status == 403 and body["requiredFeatures"] == ["entities.definitions.view"]
    assert (await boss.get("/api/entities/relations/options?entityId=user:ghost"))[0] == 400


async def test_records_are_isolated(boss, stranger):
    await track_day(boss)
    rid = await record(boss, {"title": "Mine"})
    await track_day(stranger)
    page = await ok(stranger, "GET", f"/api/entities/records?entityId={TRACK_DAY}")
    assert page["items"] == [] and page["total"] == 0
    body = {"entityId": TRACK_DAY, "recordId": rid, "values": {"title": "Theirs"}}
    assert (await stranger.put("/api/entities/records", body))[0] == 404
    assert (
        await stranger.call("DELETE", "/api/entities/records", json={"entityId": TRACK_DAY, "recordId": rid})
    )[0] == 404
    result = await stranger.gql(f'{{ entityRecord(id: "{rid}") {{ id }} }}')
    assert result["data"]["entityRecord"] is None
    status, _ = await stranger.post(
        "/api/entities/records", {"entityId": TRACK_DAY, "recordId": rid, "values": {"title": "x"}}
    )
    assert status in (200, 409)  # the id is taken: never the owner's row
    page = await ok(boss, "GET", f"/api/entities/records?entityId={TRACK_DAY}")
    assert [(i["id"], i["title"]) for i in page["items"]] == [(rid, "Mine")]


async def test_graphql_records_with_edges(boss):
    await track_day(boss)
    rid = await record(boss, {"title": "Spring", "laps": 5})
    query = """{ entityRecords(filter: {entityId: "user:track_day", customFields: [{key: "laps", in: ["5", "6"]}]}) {
        total items { id entityId customEntity { entityId label } customFields { key kind value } attachments { id } } } }"""
    page = (await boss.gql(query))["data"]["entityRecords"]
    item = page["items"][0]
    assert (
        page["total"] == 1
        and item["id"] == rid
        and item["customEntity"] == {"entityId": TRACK_DAY, "label": "Track day"}
    )
    assert {f["key"]: (f["kind"], f["value"]) for f in item["customFields"]} == {
        "laps": ("integer", 5),
        "title": ("text", "Spring"),
    }
    result = await boss.gql(
        'mutation { createEntityRecord(entityId: "user:track_day", values: {title: "Via GraphQL"}) { ok item { recordId } } }'
    )
    assert result["data"]["createEntityRecord"]["ok"]
    result = await boss.gql(
        'mutation { createEntityRecord(entityId: "user:track_day", values: {laps: 1}) { ok } }'
    )
    assert result["errors"][0]["extensions"]["status"] == 400
    entities = (await boss.gql("{ customEntities { items { entityId records { id } } } }"))["data"][
        "customEntities"
    ]
    assert len(entities["items"][0]["records"]) == 2
