"""Progress jobs over REST and GraphQL: create, report, finish, cancel, lists and the active bar;
owner, feature and scope checks; every user command recorded with its event and action-log entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.audit import ActionLog
from models.events import OutboxEvent
from tests.conftest import Api, login
from tests.factories import World, make_world
from tests.progress.conftest import create_job, ids, job, new_id


async def test_a_job_is_created_reported_and_completed(boss: Api, worker: Api, pworld: World) -> None:
    ident = await create_job(worker, totalCount=200, description="Quarterly policies", meta={"file": "a.csv"})
    created = await job(worker, ident)
    assert created["status"] == "pending" and created["progressPercent"] == 0 and created["startedAt"] is None
    assert created["organizationId"] == str(pworld.branch_org) and created["tenantId"] == str(
        pworld.tenant_id
    )
    assert created["startedByUserId"] is not None and created["meta"] == {"file": "a.csv"}

    status, reply = await worker.put(
        f"/api/progress/jobs/{ident}", {"processedCount": 50, "message": "Reading", "meta": {"rows": 50}}
    )
    assert status == 200, reply
    assert reply == {"ok": True, "status": "running", "progressPercent": 25, "cancelRequested": False}
    running = await job(worker, ident)
    assert running["status"] == "running" and running["startedAt"] is not None
    assert running["message"] == "Reading" and running["meta"] == {"file": "a.csv", "rows": 50}
    assert running["etaSeconds"] is not None and running["heartbeatAt"] is not None

    status, reply = await worker.put(
        f"/api/progress/jobs/{ident}", {"status": "completed", "resultSummary": {"imported": 200}}
    )
    assert status == 200 and reply["status"] == "completed" and reply["progressPercent"] == 100
    done = await job(worker, ident)
    assert done["processedCount"] == 200 and done["finishedAt"] is not None and done["etaSeconds"] == 0
    assert done["resultSummary"] == {"imported": 200}

    status, reply = await worker.put(f"/api/progress/jobs/{ident}", {"processedCount": 10})
    assert status == 409 and reply["code"] == "job_finished", reply


async def test_user_commands_record_events_and_action_log(worker: Api, sessionmaker: Any) -> None:
    ident = await create_job(worker, totalCount=10)
    assert (await worker.put(f"/api/progress/jobs/{ident}", {"processedCount": 4}))[0] == 200
    async with sessionmaker() as session:
        events = (
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.payload["id"].astext == ident)
                .order_by(OutboxEvent.created_at)
            )
        ).all()
        logs = (
            await session.scalars(select(ActionLog.command_id).where(ActionLog.resource_id == ident))
        ).all()
    assert [e.name for e in events] == ["progress.progress_job.created", "progress.progress_job.updated"]
    assert events[1].payload["job"]["processedCount"] == 4  # the job as it now is
    assert sorted(logs) == ["progress.progress_job.create", "progress.progress_job.update"]


async def test_bad_input_is_a_400(worker: Api) -> None:
    status, body = await worker.post("/api/progress/jobs", {"jobType": "x"})
    assert status == 400 and body["error"] == "Validation failed"
    for bad in ({"name": " ", "jobType": "x"}, {"name": "n", "jobType": "x", "totalCount": 0}):
        assert (await worker.post("/api/progress/jobs", bad))[0] == 400
    status, body = await worker.post(
        "/api/progress/jobs", {"name": "n", "jobType": "x", "partitionIndex": 3, "partitionCount": 2}
    )
    assert status == 400 and body["details"][0]["path"] == ["partitionIndex"]
    ident = await create_job(worker)
    for bad in ({"progressPercent": 101}, {"status": "paused"}, {"processedCount": -1}, {"totalCount": 0}):
        status, body = await worker.put(f"/api/progress/jobs/{ident}", bad)
        assert status == 400, (bad, body)
    status, body = await worker.post(
        "/api/progress/jobs", {"name": "n", "jobType": "x", "parentJobId": new_id()}
    )
    assert status == 404, body


async def test_only_the_owner_or_a_manager_reports_or_cancels(
    client: Any, worker: Api, pworld: World
) -> None:
    ident = await create_job(worker, cancellable=True)
    colleague = await login(client, pworld.emails["colleague"])
    manager = await login(client, pworld.emails["manager"])
    reader = await login(client, pworld.emails["reader"])
    assert (await reader.get(f"/api/progress/jobs/{ident}"))[0] == 200  # reading needs no feature
    status, body = await reader.put(f"/api/progress/jobs/{ident}", {"processedCount": 1})
    assert status == 403 and body["requiredFeatures"] == ["progress.update"]
    status, body = await colleague.put(f"/api/progress/jobs/{ident}", {"processedCount": 1})
    assert status == 403 and body["requiredFeatures"] == ["progress.manage"]
    status, body = await colleague.delete(f"/api/progress/jobs/{ident}")
    assert status == 403 and body["requiredFeatures"] == ["progress.manage"]
    assert (await manager.put(f"/api/progress/jobs/{ident}", {"processedCount": 1}))[0] == 200
    assert (await manager.delete(f"/api/progress/jobs/{ident}"))[0] == 204


async def test_cancellation(worker: Api) -> None:
    pending = await create_job(worker, cancellable=True)
    status, body = await worker.delete(f"/api/progress/jobs/{pending}")
    assert status == 204 and not body
    cancelled = await job(worker, pending)
    assert cancelled["status"] == "cancelled" and cancelled["cancelRequestedAt"] and cancelled["finishedAt"]
    assert (await worker.delete(f"/api/progress/jobs/{pending}"))[1]["code"] == "job_finished"

    fixed = await create_job(worker)
    status, body = await worker.delete(f"/api/progress/jobs/{fixed}")
    assert status == 409 and body["code"] == "not_cancellable"

    running = await create_job(worker, cancellable=True, totalCount=10)
    await worker.put(f"/api/progress/jobs/{running}", {"processedCount": 2})
    assert (await worker.delete(f"/api/progress/jobs/{running}"))[0] == 204
    asked = await job(worker, running)
    assert asked["status"] == "running" and asked["cancelRequestedAt"] is not None
    status, reply = await worker.put(f"/api/progress/jobs/{running}", {"processedCount": 3})
    assert status == 200 and reply["cancelRequested"] is True  # the reporter is told to stop
    status, reply = await worker.put(f"/api/progress/jobs/{running}", {"status": "cancelled"})
    assert status == 200 and reply["status"] == "cancelled"


async def test_lists_show_active_jobs_unless_asked(worker: Api) -> None:
    parent = await create_job(worker, jobType="test.partitioned", name="Partitioned")
    child = await create_job(worker, jobType="test.partitioned", name="Part 1", parentJobId=parent)
    finished = await create_job(worker, jobType="test.partitioned", name="Finished")
    await worker.put(f"/api/progress/jobs/{finished}", {"status": "completed"})
    query = {"jobType": "test.partitioned"}

    async def listed(**params: Any) -> set[str]:
        status, page = await worker.get("/api/progress/jobs", params={**query, **params})
        assert status == 200, page
        return ids(page)

    assert await listed() == {parent, child}
    assert await listed(includeCompleted="true") == {parent, child, finished}
    assert await listed(status="completed") == {finished}
    assert await listed(status="pending,completed") == {parent, child, finished}
    assert await listed(parentJobId=parent) == {child}
    assert await listed(includeCompleted="true", completedSince="2000-01-01T00:00:00Z") == {finished}
    assert await listed(search="Part 1") == {child}
    assert (await worker.get("/api/progress/jobs", params={"parentJobId": "x"}))[0] == 400
    status, page = await worker.get(
        "/api/progress/jobs", params={**query, "sortField": "createdAt", "sortDir": "desc"}
    )
    assert status == 200
    assert [item["id"] for item in page["items"]] == [child, parent]


async def test_active_bar(worker: Api) -> None:
    running = await create_job(worker, name="Bar running")
    await worker.put(f"/api/progress/jobs/{running}", {"processedCount": 1})
    child = await create_job(worker, name="Bar child", parentJobId=running)
    done = await create_job(worker, name="Bar done")
    await worker.put(f"/api/progress/jobs/{done}", {"status": "completed"})
    status, body = await worker.get("/api/progress/active")
    assert status == 200
    active = {item["id"]: item for item in body["active"]}
    assert running in active and child not in active and done not in active
    assert active[running]["status"] == "running" and set(active[running]) >= {
        "progressPercent",
        "etaSeconds",
    }
    assert done in {item["id"] for item in body["recentlyCompleted"]}


async def test_other_tenants_and_organizations_see_nothing(
    client: Any, sessionmaker: Any, worker: Api, pworld: World
) -> None:
    ident = await create_job(worker, cancellable=True)
    stranger = await login(client, (await make_world(sessionmaker)).admin_email)
    assert (await stranger.get(f"/api/progress/jobs/{ident}"))[0] == 404
    assert (await stranger.put(f"/api/progress/jobs/{ident}", {"processedCount": 1}))[0] == 404
    assert (await stranger.delete(f"/api/progress/jobs/{ident}"))[0] == 404
    assert ident not in ids((await stranger.get("/api/progress/jobs?includeCompleted=true"))[1])
    reply = await stranger.gql(f'{{ progressJob(id: "{ident}") {{ id }} }}')
    assert reply["data"]["progressJob"] is None

    # The worker sees the branch organization only: a job of a sibling organization is not there.
    boss = await login(client, pworld.admin_email)
    sibling = await create_job(boss, organizationId=str(pworld.other_org))
    assert (await worker.get(f"/api/progress/jobs/{sibling}"))[0] == 404
    assert sibling not in ids((await worker.get("/api/progress/jobs"))[1])
    assert (await job(boss, sibling))["organizationId"] == str(pworld.other_org)


JOB_FIELDS = "id name status processedCount totalCount progressPercent cancelRequestedAt finishedAt"


async def test_graphql_create_report_cancel_and_edges(worker: Api) -> None:
    reply = await worker.gql(
        "mutation($input: ProgressJobCreateInput!) { createProgressJob(input: $input) { id status } }",
        {"input": {"jobType": "test.gql", "name": "GraphQL job", "totalCount": 4, "cancellable": True}},
    )
    ident = reply["data"]["createProgressJob"]["id"]
    reply = await worker.gql(
        f'mutation {{ updateProgressJob(id: "{ident}", processedCount: 2, message: "half") {{ {JOB_FIELDS} }} }}'
    )
    updated = reply["data"]["updateProgressJob"]
    assert updated["status"] == "running" and updated["progressPercent"] == 50, reply
    child = (
        await worker.gql(
            "mutation($input: ProgressJobCreateInput!) { createProgressJob(input: $input) { id } }",
            {"input": {"jobType": "test.gql", "name": "GraphQL part", "parentJobId": ident}},
        )
    )["data"]["createProgressJob"]["id"]
    reply = await worker.gql(
        '{ progressJobs(filter: {jobType: "test.gql"}, sortField: "createdAt") '
        "{ total items { id name parent { id } children { id } } } progressActive { active { id } } }"
    )
    items = {item["id"]: item for item in reply["data"]["progressJobs"]["items"]}
    assert items[ident]["children"] == [{"id": child}] and items[child]["parent"] == {"id": ident}
    assert ident in {item["id"] for item in reply["data"]["progressActive"]["active"]}

    reply = await worker.gql(f'mutation {{ cancelProgressJob(id: "{ident}") {{ {JOB_FIELDS} }} }}')
    assert reply["data"]["cancelProgressJob"]["cancelRequestedAt"] is not None, reply
    reply = await worker.gql(f'mutation {{ cancelProgressJob(id: "{child}") {{ id }} }}')
    assert reply["errors"][0]["extensions"]["code"] == "not_cancellable"
    reply = await worker.gql(
        f'mutation {{ updateProgressJob(id: "{ident}", status: "cancelled") {{ status finishedAt }} }}'
    )
    assert reply["data"]["updateProgressJob"]["status"] == "cancelled"
