"""Scheduled jobs: CRUD in the documented shapes, timing and target validation, scopes, rights."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.scheduler.conftest import ECHO, schedule


async def test_crud_round_trip_and_next_run(planner, sworld):
    job_id = await schedule(
        planner,
        "Nightly echo",
        timezone="Europe/Warsaw",
        description="says hi",
        targetPayload={"message": "hi"},
    )
    status, page = await planner.get("/api/scheduler/jobs", params={"ids": job_id})
    assert status == 200 and page["total"] == 1 and page["totalPages"] == 1
    item = page["items"][0]
    assert item["scopeType"] == "organization" and item["organizationId"] == str(sworld.branch_org)
    assert item["tenantId"] == str(sworld.tenant_id)
    assert (item["targetType"], item["targetQueue"], item["targetCommand"]) == (
        "queue",
        "scheduler_echo",
        None,
    )
    assert item["isEnabled"] is True and item["sourceType"] == "user" and item["lastRunAt"] is None
    next_run = datetime.fromisoformat(item["nextRunAt"].replace("Z", "+00:00"))
    local = next_run.astimezone(ZoneInfo("Europe/Warsaw"))
    assert (local.hour, local.minute) == (2, 0) and next_run > datetime.now(UTC)

    status, reply = await planner.put(
        "/api/scheduler/jobs", {"id": job_id, "scheduleType": "interval", "scheduleValue": "15m"}
    )
    assert (status, reply) == (200, {"ok": True})
    item = (await planner.get("/api/scheduler/jobs", params={"id": job_id}))[1]["items"][0]
    moved = datetime.fromisoformat(item["nextRunAt"].replace("Z", "+00:00")) - datetime.now(UTC)
    assert 13 * 60 < moved.total_seconds() <= 15 * 60

    # The documented update (nulls): the target stays, the payload and description are cleared.
    documented = {"id": job_id, "description": None, "targetQueue": None, "targetCommand": None}
    status, _ = await planner.put(
        "/api/scheduler/jobs", {**documented, "targetPayload": None, "requireFeature": None}
    )
    assert status == 200
    item = (await planner.get("/api/scheduler/jobs", params={"id": job_id}))[1]["items"][0]
    assert (
        item["targetQueue"] == "scheduler_echo"
        and item["targetPayload"] is None
        and item["description"] is None
    )

    assert (await planner.get("/api/scheduler/jobs", params={"isEnabled": "false", "ids": job_id}))[1][
        "total"
    ] == 0
    assert (await planner.get("/api/scheduler/jobs", params={"search": "nightly", "ids": job_id}))[1][
        "total"
    ] == 1
    assert (await planner.delete("/api/scheduler/jobs", json={"id": job_id})) == (200, {"ok": True})
    assert (await planner.get("/api/scheduler/jobs", params={"ids": job_id}))[1]["items"] == []


async def test_invalid_schedules_are_400_with_the_field(planner):
    cases = {
        "scheduleValue": {"scheduleValue": "61 * * * *"},
        "timezone": {"timezone": "../../etc/passwd"},
        "scheduleType": {"scheduleType": "weekly"},
        "targetQueue": {"targetQueue": "send_email"},  # an internal job is not a target
        "targetCommand": {"targetType": "command", "targetCommand": "nope.nothing", "targetQueue": None},
        "targetPayload": {"targetPayload": {"message": "x" * 300}},
        "requireFeature": {"requireFeature": "not.a.feature"},
        "sourceModule": {"sourceModule": "elsewhere"},
        "scopeType": {"scopeType": "system"},
    }
    for field, change in cases.items():
        status, reply = await planner.post("/api/scheduler/jobs", {"name": "Bad", **ECHO, **change})
        assert status == 400, (field, reply)
        assert field in {d["path"][0] for d in reply["details"]}, (field, reply)
    for value in ("1s", "0m", "99999999d", "every minute", "0 0 30 2 *"):
        kind = "cron" if " " in value and value[0].isdigit() else "interval"
        body = {"name": "Bad", **ECHO, "scheduleType": kind, "scheduleValue": value}
        status, reply = await planner.post("/api/scheduler/jobs", body)
        assert status == 400 and reply["details"][0]["path"] == ["scheduleValue"], (value, reply)
    assert (await planner.put("/api/scheduler/jobs", {"id": "nope"}))[0] == 400
    assert (await planner.post("/api/scheduler/jobs", {"name": "No timing"}))[0] == 400


async def test_targets_and_the_rights_they_need(planner, viewer, boss):
    status, targets = await viewer.get("/api/scheduler/targets")
    assert status == 200
    queues = {q["value"] for q in targets["queues"]}
    commands = {c["value"] for c in targets["commands"]}
    assert {"scheduler_echo", "scheduler_prune_executions"} <= queues
    assert "send_email" not in queues and "dispatch_event" not in queues
    assert "customers.set_customer_address_format" in commands
    assert not any(c.startswith("scheduler.") for c in commands)  # no schedule runs the scheduler
    assert "resources.upload_resource_gallery_image" not in commands  # uploads cannot be scheduled

    # Whoever defines a target must hold its features: the viewer may not manage at all, the planner
    # may not run a dashboards command, the boss may.
    command = {
        "name": "Layout",
        **ECHO,
        "targetType": "command",
        "targetCommand": "dashboards.save_dashboard_layout",
        "targetPayload": {"items": []},
    }
    assert (await viewer.post("/api/scheduler/jobs", {"name": "x", **ECHO}))[0] == 403
    status, reply = await planner.post("/api/scheduler/jobs", command)
    assert status == 403 and reply["requiredFeatures"] == ["dashboards.configure"]
    assert (await boss.post("/api/scheduler/jobs", command))[0] == 201
    # The payload is the command's own input, validated when the schedule is defined.
    status, reply = await planner.post(
        "/api/scheduler/jobs",
        {
            **command,
            "targetCommand": "customers.set_customer_address_format",
            "targetPayload": {"addressFormat": 7},
        },
    )
    assert status == 400 and reply["details"][0]["path"][0] == "targetPayload"
    # A required feature the caller does not hold cannot be put on a schedule.
    status, reply = await planner.post(
        "/api/scheduler/jobs", {"name": "x", **ECHO, "requireFeature": "auth.users.list"}
    )
    assert status == 403


async def test_scopes_and_isolation(planner, boss, viewer, stranger, sworld):
    tenant_scope = {"name": "Tenant wide", **ECHO, "scopeType": "tenant"}
    assert (await planner.post("/api/scheduler/jobs", tenant_scope))[
        0
    ] == 403  # the planner sees one organization, not the whole tenant
    tenant_wide = await schedule(boss, "Tenant wide", scopeType="tenant")
    mine = await schedule(planner, "Branch job")
    item = (await boss.get("/api/scheduler/jobs", params={"ids": tenant_wide}))[1]["items"][0]
    assert item["scopeType"] == "tenant" and item["organizationId"] is None
    # The planner's organization does not cover tenant-wide jobs; the boss sees both.
    assert (await planner.get("/api/scheduler/jobs", params={"ids": tenant_wide}))[1]["items"] == []
    assert (await viewer.get("/api/scheduler/jobs", params={"ids": mine}))[1]["total"] == 1
    both = (await boss.get("/api/scheduler/jobs", params={"ids": f"{tenant_wide},{mine}"}))[1]
    assert both["total"] == 2
    # Another tenant: every id reads as missing.
    for call in (
        stranger.put("/api/scheduler/jobs", {"id": mine, "name": "mine now"}),
        stranger.delete("/api/scheduler/jobs", json={"id": mine}),
        stranger.post("/api/scheduler/trigger", {"id": mine}),
        stranger.get(f"/api/scheduler/jobs/{mine}/executions"),
    ):
        assert (await call)[0] == 404
    smuggled = {"name": "smuggled", **ECHO, "tenantId": str(sworld.tenant_id)}
    assert (await stranger.post("/api/scheduler/jobs", smuggled))[0] == 403
    assert (await viewer.post("/api/scheduler/trigger", {"id": mine}))[0] == 403


async def test_graphql_types_mutations_and_edges(planner):
    created = await planner.gql(
        """mutation($input: ScheduledJobCreateInput!) { createScheduledJob(input: $input) {
             id name scheduleType nextRunAt targetQueue isEnabled } }""",
        {"input": {"name": "GraphQL echo", **ECHO, "targetPayload": {"message": "gql"}}},
    )
    job = created["data"]["createScheduledJob"]
    assert job["targetQueue"] == "scheduler_echo" and job["nextRunAt"]
    triggered = await planner.gql(
        "mutation($id: UUID!) { triggerScheduledJob(id: $id) { ok jobId message } }", {"id": job["id"]}
    )
    assert triggered["data"]["triggerScheduledJob"]["jobId"].startswith(f"scheduler:{job['id']}:manual:")
    listed = await planner.gql(
        """query($id: UUID!) { scheduledJob(id: $id) { name executions { status triggerType schedule { id } } }
             scheduledJobExecutions(filter: {scheduleId: $id}) { total items { queueJobId } }
             schedulerTargets { queues { value } } }""",
        {"id": job["id"]},
    )
    data = listed["data"]
    assert data["scheduledJob"]["executions"] == [
        {"status": "queued", "triggerType": "manual", "schedule": {"id": job["id"]}}
    ]
    assert data["scheduledJobExecutions"]["total"] == 1
    assert "scheduler_echo" in {q["value"] for q in data["schedulerTargets"]["queues"]}
    bad = await planner.gql(
        'mutation { createScheduledJob(input: {name: "x", scheduleType: "cron", scheduleValue: "nope"}) { id } }'
    )
    assert bad["errors"][0]["extensions"]["status"] == 400
