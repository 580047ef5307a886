"""Workflows: definitions are checked, instances walk their steps as a state machine (automated
steps, conditions, user tasks, signals, manual transitions), every move is an event, and another
tenant's ids are 404 on REST and null on GraphQL."""

from __future__ import annotations

import uuid

from resolvers.scheduler.engine import system_context
from resolvers.workflows.jobs import run_step
from tests.workflows.conftest import APPROVAL, define, start


async def events_of(api, instance_id: str) -> list[str]:
    status, reply = await api.get(f"/api/workflows/instances/{instance_id}/events?limit=100")
    assert status == 200, reply
    return [e["eventType"] for e in reply["data"]]


async def test_a_definition_must_be_a_coherent_graph(boss):
    broken = {
        "steps": [
            {"stepId": "a", "stepName": "A", "stepType": "START"},
            {"stepId": "a", "stepName": "A again", "stepType": "AUTOMATED"},
        ],
        "transitions": [
            {"transitionId": "x", "fromStepId": "a", "toStepId": "nowhere", "condition": "__import__('os')"}
        ],
    }
    status, reply = await boss.post(
        "/api/workflows/definitions", {"workflowId": "broken", "workflowName": "Broken", "definition": broken}
    )
    assert status == 400, reply
    codes = {d["code"] for d in reply["details"]}
    assert {"duplicate", "end_step", "unknown_step", "invalid_expression"} <= codes
    definition = await define(boss)
    status, reply = await boss.post(
        "/api/workflows/definitions",
        {"workflowId": definition["workflowId"], "workflowName": "Again", "definition": APPROVAL},
    )
    assert status == 409, reply  # same workflow id and version


async def test_an_approval_runs_through_task_signal_and_manual_step(boss, reviewer, member):
    definition = await define(member)  # in the branch organization, where the reviewer works
    workflow_id = definition["workflowId"]

    status, reply = await boss.post(
        "/api/workflows/instances/validate-start", {"workflowId": workflow_id, "context": {"amount": 0}}
    )
    assert status == 200 and reply["canStart"] is False, reply
    assert reply["errors"][0]["message"] == "Amount must be positive"
    status, reply = await boss.post(
        "/api/workflows/instances", {"workflowId": workflow_id, "context": {"amount": -5}}
    )
    assert status == 400 and reply["details"], reply

    instance = await start(member, workflow_id, context={"amount": "2500.00"}, correlationKey="order-1")
    assert instance["status"] == "PAUSED" and instance["currentStepId"] == "review"
    assert instance["context"]["scored"] is True  # the automated step ran

    status, page = await boss.get(f"/api/workflows/tasks?workflowInstanceId={instance['id']}")
    assert status == 200 and page["pagination"]["total"] == 1
    task = page["data"][0]
    assert task["status"] == "PENDING" and task["assignedToRoles"] == ["reviewer"]
    status, mine = await reviewer.get("/api/workflows/tasks?myTasks=true")
    assert task["id"] in {t["id"] for t in mine["data"]}

    assert (await member.post(f"/api/workflows/tasks/{task['id']}/claim"))[0] == 403  # not a reviewer
    status, claimed = await reviewer.post(f"/api/workflows/tasks/{task['id']}/claim")
    assert status == 200 and claimed["data"]["status"] == "IN_PROGRESS", claimed
    assert (await reviewer.post(f"/api/workflows/tasks/{task['id']}/claim"))[0] == 409

    status, reply = await reviewer.post(
        f"/api/workflows/tasks/{task['id']}/complete", {"formData": {"decision": "maybe"}}
    )
    assert status == 400 and reply["details"][0]["code"] == "invalid_enum_value", reply
    status, done = await reviewer.post(
        f"/api/workflows/tasks/{task['id']}/complete", {"formData": {"decision": "approve"}}
    )
    assert status == 200 and done["data"]["status"] == "COMPLETED", done
    assert (
        await reviewer.post(
            f"/api/workflows/tasks/{task['id']}/complete", {"formData": {"decision": "approve"}}
        )
    )[0] == 409

    status, detail = await boss.get(f"/api/workflows/instances/{instance['id']}")
    assert detail["data"]["status"] == "PAUSED" and detail["data"]["waitingSignal"] == "paid"
    status, reply = await boss.post(
        f"/api/workflows/instances/{instance['id']}/signal", {"signalName": "shipped"}
    )
    assert status == 409, reply
    status, reply = await boss.post(
        "/api/workflows/signals",
        {"correlationKey": "order-1", "signalName": "paid", "payload": {"paidAt": "now"}},
    )
    assert status == 200 and reply["count"] == 1, reply

    status, detail = await boss.get(f"/api/workflows/instances/{instance['id']}")
    assert (
        detail["data"]["status"] == "RUNNING" and detail["data"]["currentStepId"] == "archive"
    )  # manual step next
    status, moved = await boss.post(f"/api/workflows/instances/{instance['id']}/advance", {})
    assert status == 200, moved
    assert moved["data"]["instance"] == {
        "id": instance["id"],
        "status": "COMPLETED",
        "currentStepId": "end",
        "previousStepId": "archive",
        "transitionFired": "t5",
    }
    assert (await boss.post(f"/api/workflows/instances/{instance['id']}/advance", {}))[0] == 409
    assert (await boss.post(f"/api/workflows/instances/{instance['id']}/cancel"))[0] == 409
    kinds = await events_of(boss, instance["id"])
    assert kinds[0] == "WORKFLOW_STARTED" and kinds[-1] == "WORKFLOW_COMPLETED"
    assert {"USER_TASK_CREATED", "USER_TASK_CLAIMED", "USER_TASK_COMPLETED", "SIGNAL_RECEIVED"} <= set(kinds)

    status, page = await boss.get(
        f"/api/workflows/events?workflowInstanceId={instance['id']}&eventType=TRANSITION_FIRED"
    )
    assert status == 200 and page["total"] == 5, page
    status, event = await boss.get(f"/api/workflows/events/{page['items'][0]['id']}")
    assert status == 200 and event["workflowInstance"]["status"] == "COMPLETED"


async def test_failed_instances_retry_and_cancel(boss):
    definition = {
        "steps": [
            {"stepId": "s", "stepName": "S", "stepType": "START"},
            {"stepId": "e", "stepName": "E", "stepType": "END"},
        ],
        "transitions": [
            {"transitionId": "go", "fromStepId": "s", "toStepId": "e", "condition": "ready == true"}
        ],
    }
    created = await define(boss, definition)
    instance = await start(boss, created["workflowId"], context={"ready": False})
    assert instance["status"] == "FAILED" and "matched" in instance["errorMessage"]
    assert (await boss.post(f"/api/workflows/instances/{instance['id']}/signal", {"signalName": "x"}))[
        0
    ] == 409
    status, again = await boss.post(f"/api/workflows/instances/{instance['id']}/retry")
    assert status == 200 and again["data"]["status"] == "FAILED" and again["data"]["retryCount"] == 1
    # A definition with live instances is not deleted; a cancelled one lets it go.
    other = await start(boss, (await define(boss))["workflowId"], context={"amount": 5})
    assert other["status"] == "PAUSED" and other["waitingSignal"] == "paid"
    status, _ = await boss.delete(f"/api/workflows/definitions/{other['definitionId']}")
    assert status == 409
    status, reply = await boss.post(f"/api/workflows/instances/{other['id']}/cancel")
    assert status == 200, reply
    assert (await boss.post(f"/api/workflows/instances/{other['id']}/retry"))[0] == 409
    status, _ = await boss.delete(f"/api/workflows/definitions/{other['definitionId']}")
    assert status == 200
    assert (await boss.get(f"/api/workflows/definitions/{other['definitionId']}"))[0] == 404


async def test_another_tenant_sees_nothing(boss, stranger, anonymous):
    definition = await define(boss)
    instance = await start(boss, definition["workflowId"], context={"amount": 5000})
    status, tasks = await boss.get(f"/api/workflows/tasks?workflowInstanceId={instance['id']}")
    task_id = tasks["data"][0]["id"]
    status, events = await boss.get(f"/api/workflows/events?workflowInstanceId={instance['id']}")
    event_id = events["items"][0]["id"]

    for path in (
        f"/api/workflows/definitions/{definition['id']}",
        f"/api/workflows/instances/{instance['id']}",
        f"/api/workflows/instances/{instance['id']}/events",
        f"/api/workflows/tasks/{task_id}",
        f"/api/workflows/events/{event_id}",
        f"/api/workflows/definitions/{uuid.uuid4()}",
    ):
        assert (await stranger.get(path))[0] == 404, path
    for path, body in (
        (f"/api/workflows/instances/{instance['id']}/advance", {}),
        (f"/api/workflows/instances/{instance['id']}/cancel", None),
        (f"/api/workflows/instances/{instance['id']}/retry", None),
        (f"/api/workflows/instances/{instance['id']}/signal", {"signalName": "paid"}),
        (f"/api/workflows/tasks/{task_id}/claim", None),
        (f"/api/workflows/tasks/{task_id}/complete", {"formData": {"decision": "approve"}}),
    ):
        assert (await stranger.post(path, body))[0] == 404, path
    assert (await stranger.put(f"/api/workflows/definitions/{definition['id']}", {"enabled": False}))[
        0
    ] == 404
    assert (await stranger.delete(f"/api/workflows/definitions/{definition['id']}"))[0] == 404
    assert (await stranger.post("/api/workflows/instances", {"workflowId": definition["workflowId"]}))[
        0
    ] == 404
    for path in ("/api/workflows/definitions", "/api/workflows/instances", "/api/workflows/tasks"):
        status, page = await stranger.get(path)
        assert status == 200 and page["data"] == [], path
    status, page = await stranger.get("/api/workflows/events")
    assert status == 200 and page["items"] == []
    status, reply = await stranger.post(
        "/api/workflows/signals", {"correlationKey": "x", "signalName": "paid"}
    )
    assert reply["count"] == 0
    result = await stranger.gql(
        f'{{ workflowInstance(id: "{instance["id"]}") {{ id }} workflowTask(id: "{task_id}") {{ id }} }}'
    )
    assert result["data"] == {"workflowInstance": None, "workflowTask": None}
    result = await boss.gql(
        f'{{ workflowInstance(id: "{instance["id"]}") {{ status definition {{ workflowId }} tasks {{ taskName }} }} }}'
    )
    assert result["data"]["workflowInstance"]["definition"]["workflowId"] == definition["workflowId"]
    assert result["data"]["workflowInstance"]["tasks"] == [{"taskName": "Manager review"}]
    assert (await anonymous.get("/api/workflows/instances"))[0] == 401


async def test_a_long_step_runs_as_a_job_and_the_instance_goes_on(boss, settings, sessionmaker):
    definition = {
        "steps": [
            {"stepId": "s", "stepName": "S", "stepType": "START"},
            {
                "stepId": "render",
                "stepName": "Render PDF",
                "stepType": "AUTOMATED",
                "config": {"async": True, "set": {"pdf": "done"}},
            },
            {"stepId": "e", "stepName": "E", "stepType": "END"},
        ],
        "transitions": [
            {"transitionId": "a", "fromStepId": "s", "toStepId": "render"},
            {"transitionId": "b", "fromStepId": "render", "toStepId": "e", "condition": "pdf == 'done'"},
        ],
    }
    instance = await start(boss, (await define(boss, definition))["workflowId"])
    assert instance["status"] == "PAUSED" and instance["currentStepId"] == "render"
    assert "STEP_QUEUED" in await events_of(boss, instance["id"])

    system = system_context(settings, sessionmaker, None)
    assert await run_step(system, uuid.UUID(instance["id"])) == "COMPLETED"
    assert await run_step(system, uuid.UUID(instance["id"])) == "skipped"  # a second delivery does nothing
    _, detail = await boss.get(f"/api/workflows/instances/{instance['id']}")
    assert detail["data"]["status"] == "COMPLETED" and detail["data"]["context"]["pdf"] == "done"


async def test_graphql_commands_answer_typed_rows(member, reviewer):
    definition = await define(member)
    reply = await member.gql(
        "mutation($wf: String!, $ctx: JSON) { startWorkflowInstance(workflowId: $wf, context: $ctx) "
        "{ id status currentStepId definition { workflowId } tasks { id status } } }",
        {"wf": definition["workflowId"], "ctx": {"amount": 4000}},
    )
    assert "errors" not in reply, reply
    started = reply["data"]["startWorkflowInstance"]
    assert started["status"] == "PAUSED" and started["currentStepId"] == "review"
    task = started["tasks"][0]["id"]
    reply = await reviewer.gql(f'mutation {{ claimWorkflowTask(id: "{task}") {{ status claimedBy }} }}')
    assert reply["data"]["claimWorkflowTask"]["status"] == "IN_PROGRESS", reply
    reply = await reviewer.gql(
        'mutation($id: String!) { completeWorkflowTask(id: $id, formData: {decision: "reject"}) '
        "{ status workflowInstance { status currentStepId } } }",
        {"id": task},
    )
    done = reply["data"]["completeWorkflowTask"]
    assert done["workflowInstance"] == {"status": "COMPLETED", "currentStepId": "rejected"}, reply
    reply = await reviewer.gql(f'mutation {{ claimWorkflowTask(id: "{task}") {{ status }} }}')
    assert reply.get("errors"), reply  # a completed task is not claimed again
