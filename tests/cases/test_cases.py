"""Cases: CRUD, status machine, references, timeline, messages, procedure and tasks."""

from __future__ import annotations

from sqlalchemy import func, select

from models.cases import Case
from tests.cases.conftest import STEPS, case, created, playbook


async def test_case_crud_round_trip(agent):
    customer = await created(agent, "/api/customers/people", {"firstName": "Ada", "lastName": "Byron"})
    case_id = await case(agent, customerEntityId=customer, priority="high", metadata={"bike": "R1"})
    status, body = await agent.get("/api/cases", params={"ids": case_id})
    assert status == 200 and body["total"] == 1
    item = body["items"][0]
    assert item["statusValue"] == "open" and item["priority"] == "high"
    assert item["customerDisplayName"] == "Ada Byron" and item["procedureDisplayLabel"] is None
    assert item["metadata"] == {"bike": "R1"} and item["openedAt"].endswith("Z")
    status, _ = await agent.put("/api/cases", {"id": case_id, "statusLabel": "Waiting on parts"})
    assert status == 200
    status, body = await agent.get("/api/cases", params={"statusValue": "open", "customerEntityId": customer})
    assert [i["statusLabel"] for i in body["items"]] == ["Waiting on parts"]
    assert (await agent.delete("/api/cases", json={"id": case_id}))[0] == 200
    assert (await agent.get("/api/cases", params={"ids": case_id}))[1]["total"] == 0


async def test_status_machine_closing_and_reopening(agent):
    case_id = await case(agent)
    status, _ = await agent.put(
        "/api/cases", {"id": case_id, "statusValue": "closed", "closingNote": "Fixed"}
    )
    assert status == 200
    item = (await agent.get("/api/cases", params={"ids": case_id}))[1]["items"][0]
    assert item["statusValue"] == "closed" and item["closedAt"] is not None
    status, body = await agent.put("/api/cases", {"id": case_id, "statusValue": "waiting"})
    assert status == 409 and body["error"] == "Invalid status transition"
    status, body = await agent.put("/api/cases", {"id": case_id, "statusValue": "bogus"})
    assert status == 400
    assert (await agent.put("/api/cases", {"id": case_id, "statusValue": "open"}))[0] == 200
    item = (await agent.get("/api/cases", params={"ids": case_id}))[1]["items"][0]
    assert item["statusValue"] == "open" and item["closedAt"] is None
    timeline = (await agent.get(f"/api/cases/{case_id}/timeline"))[1]["items"]
    changes = [(e["data"]["from"], e["data"]["to"]) for e in timeline if e["kind"] == "status_changed"]
    assert changes == [("open", "closed"), ("closed", "open")]
    assert next(e["body"] for e in timeline if e["kind"] == "status_changed") == "Fixed"


async def test_bad_references_and_values(agent, stranger):
    foreign = await created(stranger, "/api/customers/people", {"firstName": "X", "lastName": "Y"})
    status, _ = await agent.post("/api/cases", {"title": "t", "customerEntityId": foreign})
    assert status == 404
    status, body = await agent.post("/api/cases", {"title": "t", "priority": "whenever"})
    assert status == 400 and body["details"][0]["path"] == ["priority"]
    status, body = await agent.post("/api/cases", {"title": "t", "ownerUserId": foreign})
    assert status == 400 and body["details"][0]["path"] == ["ownerUserId"]
    status, body = await agent.post("/api/cases", {"title": "x" * 301})
    assert status == 400
    status, _ = await agent.post("/api/cases", {"statusValue": "open"})
    assert status == 400


async def test_features_and_other_tenants(agent, reader, stranger, anonymous):
    case_id = await case(agent)
    assert (await anonymous.get("/api/cases"))[0] == 401
    assert (await reader.post("/api/cases", {"title": "no"}))[0] == 403
    assert (await reader.get(f"/api/cases/{case_id}/timeline"))[0] == 200
    assert (await reader.get(f"/api/cases/{case_id}/messages"))[0] == 403  # no messages.view
    assert (await reader.post(f"/api/cases/{case_id}/timeline", {"body": "hi"}))[0] == 403
    for method, path in (
        ("GET", f"/api/cases/{case_id}/timeline"),
        ("GET", f"/api/cases/{case_id}/procedure"),
        ("POST", f"/api/cases/{case_id}/timeline"),
        ("POST", f"/api/cases/{case_id}/procedure"),
        ("PUT", "/api/cases"),
        ("DELETE", "/api/cases"),
    ):
        body = {"id": case_id, "body": "x"}
        status, _ = await stranger.call(method, path, json=body)
        assert status == 404, (method, path, status)
    assert (await stranger.get("/api/cases", params={"ids": case_id}))[1]["total"] == 0


async def test_timeline_and_messages(agent):
    case_id = await case(agent)
    note = await created(agent, f"/api/cases/{case_id}/timeline", {"body": "Called the rider"})
    await created(
        agent,
        f"/api/cases/{case_id}/timeline",
        {"kind": "message", "body": "Parts ordered", "direction": "outbound"},
    )
    status, _ = await agent.post(f"/api/cases/{case_id}/timeline", {"kind": "status_changed", "body": "x"})
    assert status == 400
    status, _body = await agent.post(f"/api/cases/{case_id}/timeline", {"body": "nul\x00"})
    assert status == 400
    timeline = (await agent.get(f"/api/cases/{case_id}/timeline"))[1]
    assert [e["kind"] for e in timeline["items"]] == ["created", "note", "message"]
    assert timeline["items"][1]["id"] == note and timeline["items"][1]["authorEmail"]
    messages = (await agent.get(f"/api/cases/{case_id}/messages"))[1]["items"]
    assert [(m["body"], m["direction"]) for m in messages] == [("Parts ordered", "outbound")]


async def test_apply_playbook_creates_ordered_tasks(agent):
    playbook_id = await playbook(agent)
    case_id = await case(agent)
    assert (await agent.get(f"/api/cases/{case_id}/procedure"))[1] == {"procedure": None, "tasks": []}
    status, body = await agent.post(f"/api/cases/{case_id}/procedure", {"playbookId": playbook_id})
    assert status == 201, body
    assert (
        body["procedure"]["displayLabel"] == "Winter storage v1" and body["procedure"]["status"] == "pending"
    )
    assert [t["title"] for t in body["tasks"]] == [s["title"] for s in STEPS]
    assert [t["stepKey"] for t in body["tasks"]] == ["intake", "step-2", "step-3"]
    assert body["tasks"][0]["dueAt"] is not None and body["tasks"][1]["dueAt"] is None
    status, _again = await agent.post(f"/api/cases/{case_id}/procedure", {"playbookId": playbook_id})
    assert status == 409
    item = (await agent.get("/api/cases", params={"ids": case_id}))[1]["items"][0]
    assert item["procedureDisplayLabel"] == "Winter storage v1" and item["playbookId"] == playbook_id
    assert (await agent.get(f"/api/cases/{case_id}/procedure"))[1]["tasks"] == body["tasks"]


async def test_case_created_with_playbook_is_one_unit_of_work(agent, sessionmaker, cworld):
    inactive = await playbook(agent, "Retired", isActive=False)
    async with sessionmaker() as session:
        before = await session.scalar(
            select(func.count()).select_from(Case).where(Case.tenant_id == cworld.tenant_id)
        )
    status, body = await agent.post("/api/cases", {"title": "with retired playbook", "playbookId": inactive})
    assert status == 400 and body["details"][0]["path"] == ["playbookId"]
    async with sessionmaker() as session:
        after = await session.scalar(
            select(func.count()).select_from(Case).where(Case.tenant_id == cworld.tenant_id)
        )
    assert after == before  # no case without its procedure
    active = await playbook(agent, "Pre-season")
    case_id = await case(agent, playbookId=active)
    procedure = (await agent.get(f"/api/cases/{case_id}/procedure"))[1]
    assert len(procedure["tasks"]) == 3 and procedure["procedure"]["playbookId"] == active


async def test_task_status_machine_drives_the_procedure(agent, reader, stranger):
    case_id = await case(agent, playbookId=await playbook(agent))
    tasks = (await agent.get(f"/api/cases/{case_id}/procedure"))[1]["tasks"]
    first = f"/api/cases/{case_id}/procedure-tasks/{tasks[0]['id']}"
    status, task = await agent.get(first)
    assert status == 200 and task["status"] == "pending" and task["position"] == 1
    status, body = await agent.call("PATCH", first, json={"status": "in_progress", "note": "on it"})
    assert status == 200 and body["procedureStatus"] == "in_progress" and body["task"]["note"] == "on it"
    status, body = await agent.call("PATCH", first, json={"status": "nope"})
    assert status == 400
    for task_row in tasks:
        path = f"/api/cases/{case_id}/procedure-tasks/{task_row['id']}"
        status, body = await agent.call("PATCH", path, json={"status": "done"})
        assert status == 200
    assert body["procedureStatus"] == "done" and body["task"]["completedAt"] is not None
    status, body = await agent.call("PATCH", first, json={"status": "blocked"})
    assert status == 409  # done -> blocked is not a transition
    assert (await reader.call("PATCH", first, json={"note": "x"}))[0] == 403
    assert (await stranger.get(first))[0] == 404
    other_case = await case(agent)
    assert (await agent.get(f"/api/cases/{other_case}/procedure-tasks/{tasks[0]['id']}"))[0] == 404
    kinds = [e["kind"] for e in (await agent.get(f"/api/cases/{case_id}/timeline"))[1]["items"]]
    assert kinds.count("task_status_changed") == 4 and "procedure_applied" in kinds


async def test_graphql_case_edges(agent):
    customer = await created(agent, "/api/customers/companies", {"displayName": "Riders"})
    case_id = await case(agent, customerEntityId=customer, playbookId=await playbook(agent))
    await created(agent, f"/api/cases/{case_id}/timeline", {"body": "hello"})
    query = (
        f'{{ case(id: "{case_id}") {{ title company {{ displayName }} person {{ id }} playbook {{ title }} '
        "procedure { displayLabel tasks { title status } } timeline { kind body } } }"
    )
    result = await agent.gql(query)
    assert "errors" not in result, result
    data = result["data"]["case"]
    assert data["company"]["displayName"] == "Riders" and data["person"] is None
    assert sorted(t["title"] for t in data["procedure"]["tasks"]) == sorted(s["title"] for s in STEPS)
    assert sorted(e["kind"] for e in data["timeline"]) == ["created", "note", "procedure_applied"]


async def test_deleted_case_takes_its_timeline_and_procedure_along(agent):
    case_id = await case(agent, playbookId=await playbook(agent))
    query = (
        "query($f: CaseTimelineEntryFilter, $t: CaseProcedureTaskFilter) "
        "{ caseTimelineEntries(filter: $f) { total } caseProcedureTasks(filter: $t) { total } }"
    )
    variables = {"f": {"caseId": case_id}, "t": {"caseId": case_id}}
    before = (await agent.gql(query, variables))["data"]
    assert before["caseTimelineEntries"]["total"] == 2 and before["caseProcedureTasks"]["total"] == 3
    assert (await agent.delete("/api/cases", json={"id": case_id}))[0] == 200
    after = (await agent.gql(query, variables))["data"]
    assert after["caseTimelineEntries"]["total"] == 0 and after["caseProcedureTasks"]["total"] == 0
    assert (await agent.get(f"/api/cases/{case_id}/timeline"))[0] == 404


async def test_timeline_limit_keeps_the_latest_entries(agent):
    case_id = await case(agent)
    for n in range(3):
        await created(agent, f"/api/cases/{case_id}/timeline", {"body": f"note {n}"})
    items = (await agent.get(f"/api/cases/{case_id}/timeline", params={"limit": "2"}))[1]["items"]
    assert [i["body"] for i in items] == ["note 1", "note 2"]
    assert (await agent.get(f"/api/cases/{case_id}/timeline", params={"limit": "0"}))[0] == 400


async def test_graphql_mutations_speak_the_rest_names(agent):
    create = (
        'mutation($m: JSON) { createCase(input: {title: "G", metadata: $m}) { id metadata statusValue } }'
    )
    reply = await agent.gql(create, {"m": {"bike": "GS"}})
    assert "errors" not in reply, reply
    created_case = reply["data"]["createCase"]
    assert created_case["metadata"] == {"bike": "GS"} and created_case["statusValue"] == "open"
    update = 'mutation($id: UUID!) { updateCase(id: $id, input: {statusValue: "closed"}) { statusValue closedAt } }'
    reply = await agent.gql(update, {"id": created_case["id"]})
    assert "errors" not in reply, reply
    assert reply["data"]["updateCase"]["closedAt"] is not None
    reply = await agent.gql(update.replace('"closed"', '"waiting"'), {"id": created_case["id"]})
    assert reply["errors"][0]["extensions"]["status"] == 409


async def test_graphql_procedure_commands_answer_typed_rows(agent):
    case_id = await case(agent)
    playbook_id = await playbook(agent)
    apply = "mutation($c: String!, $p: UUID) { applyCaseProcedure(caseId: $c, playbookId: $p) { status tasks { id position } } }"
    reply = await agent.gql(apply, {"c": case_id, "p": playbook_id})
    assert "errors" not in reply, reply
    tasks = sorted(reply["data"]["applyCaseProcedure"]["tasks"], key=lambda t: t["position"])
    patch = (
        'mutation($c: String!, $t: String!) { updateCaseProcedureTask(caseId: $c, taskId: $t, status: "skipped") '
        "{ status procedure { status } } }"
    )
    reply = await agent.gql(patch, {"c": case_id, "t": tasks[0]["id"]})
    assert "errors" not in reply, reply
    assert reply["data"]["updateCaseProcedureTask"] == {
        "status": "skipped",
        "procedure": {"status": "in_progress"},
    }
    note = (
        'mutation($c: String!) { addCaseTimelineEntry(caseId: $c, body: "typed") { kind body case { id } } }'
    )
    reply = await agent.gql(note, {"c": case_id})
    assert reply["data"]["addCaseTimelineEntry"] == {"kind": "note", "body": "typed", "case": {"id": case_id}}
