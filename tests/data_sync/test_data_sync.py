"""Data sync: mappings and schedules (rules, 400/403/404), validate and options, runs executed by
the real arq worker through the entity services with progress reported, cancel/retry, isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from models.data_sync import DataSyncSchedule
from resolvers.data_sync.schedules import run_due_schedules
from tests.data_sync.conftest import MAPPINGS, mapping, run_worker

RUNS = "/api/data_sync/runs"
RECORDS = [
    {"first": "Ada", "last": "Lovelace", "mail": "ada@sync.test"},
    {"first": "Alan", "last": "Turing", "mail": "alan@sync.test", "ignored": 1},
    {"first": "NoLast"},
]


async def test_mapping_rules_and_crud(admin, operator):
    status, bad = await admin.post(
        MAPPINGS, {"name": "x", "entity": "nope", "direction": "import", "fieldMap": {"a": "b"}}
    )
    assert status == 400 and bad["details"][0]["path"] == ["entity"], bad
    status, bad = await admin.post(
        MAPPINGS, {"name": "x", "entity": "person", "direction": "import", "fieldMap": {"a": "notAField"}}
    )
    assert status == 400 and bad["error"], bad
    status, bad = await admin.post(
        MAPPINGS, {"name": "x", "entity": "person", "direction": "sideways", "fieldMap": {"a": "firstName"}}
    )
    assert status == 400
    ident = await mapping(admin)
    status, item = await admin.get(f"{MAPPINGS}/{ident}")
    assert status == 200 and item["fieldMap"] == {
        "first": "first_name",
        "last": "last_name",
        "mail": "primary_email",
    }
    status, _ = await admin.put(f"{MAPPINGS}/{ident}", {"name": "Renamed"})
    assert status == 200
    status, denied = await operator.get(MAPPINGS)
    assert status == 403 and denied["requiredFeatures"] == ["data_sync.configure"]
    status, schedule = await admin.post(
        "/api/data_sync/schedules", {"name": "Hourly", "mappingId": ident, "intervalMinutes": 60}
    )
    assert status == 201, schedule
    status, got = await admin.get(f"/api/data_sync/schedules/{schedule['id']}")
    assert status == 200 and got["nextRunAt"] and got["isEnabled"] is True
    status, bad = await admin.post(
        "/api/data_sync/schedules", {"name": "Fast", "mappingId": ident, "intervalMinutes": 1}
    )
    assert status == 400
    status, _ = await admin.delete(f"/api/data_sync/schedules/{schedule['id']}")
    assert status == 204
    status, _ = await admin.get(f"/api/data_sync/schedules/{schedule['id']}")
    assert status == 404


async def test_validate_and_options(admin, operator):
    status, options = await operator.get("/api/data_sync/options")
    person = next(e for e in options["entities"] if e["entity"] == "person")
    assert status == 200 and "firstName" in person["required"] and "import" in options["directions"]
    body = {"entity": "person", "fieldMap": {"first": "firstName", "last": "lastName"}, "records": RECORDS}
    status, checked = await admin.post("/api/data_sync/validate", body)
    assert status == 200 and checked["valid"] is False
    assert checked["errors"] == [{"index": 2, "errors": ["Missing lastName"]}]
    status, _denied = await operator.post("/api/data_sync/validate", body)
    assert status == 403


async def test_import_run_creates_records_and_reports_progress(admin, settings):
    ident = await mapping(admin)
    status, _bad = await admin.post("/api/data_sync/run", {"mappingId": ident})
    assert status == 400  # an import needs records
    status, queued = await admin.post("/api/data_sync/run", {"mappingId": ident, "records": RECORDS})
    assert status == 202 and queued["status"] == "queued", queued
    await run_worker(settings)
    status, run = await admin.get(f"{RUNS}/{queued['id']}")
    assert status == 200 and run["status"] == "completed", run
    assert (run["createdCount"], run["failedCount"], run["processedCount"]) == (2, 1, 3)
    assert run["errors"][0]["index"] == 2
    status, job = await admin.get(f"/api/progress/jobs/{queued['progressJobId']}")
    assert status == 200 and job["status"] == "completed" and job["processedCount"] == 3, job
    status, people = await admin.get("/api/customers/people", params={"search": "sync.test"})
    assert {p["primary_email"] for p in people["items"]} >= {"ada@sync.test", "alan@sync.test"}
    status, _ = await admin.post(f"{RUNS}/{queued['id']}/retry")
    assert status == 409  # only failed or cancelled runs


async def test_export_run_and_cancel_then_retry(admin, settings):
    person = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "display_name": "Grace Hopper",
        "primary_email": "g@x.test",
    }
    status, _ = await admin.post("/api/customers/people", person)
    assert status == 201
    ident = await mapping(admin, "export")
    status, queued = await admin.post("/api/data_sync/run", {"mappingId": ident})
    assert status == 202
    status, cancelled = await admin.post(f"{RUNS}/{queued['id']}/cancel")
    assert status == 200 and cancelled["status"] == "cancelled"
    status, _again = await admin.post(f"{RUNS}/{queued['id']}/cancel")
    assert status == 409
    status, retried = await admin.post(f"{RUNS}/{queued['id']}/retry")
    assert status == 202 and retried["id"] != queued["id"]
    await run_worker(settings)
    status, run = await admin.get(f"{RUNS}/{retried['id']}")
    assert (
        run["status"] == "completed" and run["output"] and set(run["output"][0]) == {"first", "last", "mail"}
    )
    status, cancelled_run = await admin.get(f"{RUNS}/{queued['id']}")
    assert cancelled_run["status"] == "cancelled"


async def test_isolation_rest_and_graphql(admin, stranger, settings):
    ident = await mapping(admin, "export")
    status, queued = await admin.post("/api/data_sync/run", {"mappingId": ident})
    for method, path in [
        ("GET", f"{MAPPINGS}/{ident}"),
        ("PUT", f"{MAPPINGS}/{ident}"),
        ("DELETE", f"{MAPPINGS}/{ident}"),
        ("GET", f"{RUNS}/{queued['id']}"),
        ("POST", f"{RUNS}/{queued['id']}/cancel"),
        ("POST", f"{RUNS}/{queued['id']}/retry"),
        ("GET", f"{RUNS}/{uuid.uuid4()}"),
    ]:
        status, _ = await stranger.call(method, path, json={})
        assert status == 404, (method, path)
    status, _ = await stranger.post("/api/data_sync/run", {"mappingId": ident})
    assert status == 404
    status, page = await stranger.get(RUNS)
    assert queued["id"] not in str(page)
    query = "{ dataSyncMappings { items { id } } dataSyncRuns { items { id mapping { id } } } }"
    status, reply = await stranger.post("/graphql", {"query": query})
    assert status == 200 and ident not in str(reply) and queued["id"] not in str(reply), reply
    status, mine = await admin.post("/graphql", {"query": query})
    assert ident in str(mine) and queued["id"] in str(mine), mine
    await run_worker(settings)


async def test_due_schedule_queues_an_export_run_as_its_creator(admin, sessionmaker, settings):
    ident = await mapping(admin, "export")
    status, schedule = await admin.post("/api/data_sync/schedules", {"name": "Due", "mappingId": ident})
    assert status == 201
    async with sessionmaker() as session:
        row = await session.get(DataSyncSchedule, uuid.UUID(schedule["id"]))
        row.next_run_at = datetime.now(UTC) - timedelta(minutes=1)
        await session.commit()
    assert await run_due_schedules(sessionmaker, settings) >= 1
    status, page = await admin.get(RUNS, params={"mappingId": ident})
    assert status == 200 and [r["status"] for r in page["items"]] == ["queued"]
    status, moved = await admin.get(f"/api/data_sync/schedules/{schedule['id']}")
    assert moved["lastRunAt"] and moved["nextRunAt"] > moved["lastRunAt"]
    await run_due_schedules(sessionmaker, settings)
    status, page = await admin.get(RUNS, params={"mappingId": ident})
    assert len(page["items"]) == 1  # not due again
    await run_worker(settings)
