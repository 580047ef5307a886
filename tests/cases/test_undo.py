"""Undo/redo of the cases commands: applying a procedure (with its tasks) and changing a task."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from tests.cases.conftest import case, playbook
from tests.conftest import Api

ACTIONS = "/api/audit_logs/audit-logs/actions"


async def written(api: Api, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """Status and the operation header (id, undoToken) of a write."""
    response = await api.client.request(method, path, json=body, headers=api.headers)
    header = response.headers.get("x-om-operation", "")
    return response.status, json.loads(unquote(header.removeprefix("omop:"))) if header else {}


async def procedure_of(api: Api, case_id: str) -> dict[str, Any]:
    return (await api.get(f"/api/cases/{case_id}/procedure"))[1]


async def test_undo_and_redo_applying_a_procedure(boss):
    case_id = await case(boss)
    playbook_id = await playbook(boss)
    status, op = await written(boss, "POST", f"/api/cases/{case_id}/procedure", {"playbookId": playbook_id})
    assert status == 201 and op["undoToken"]
    applied = await procedure_of(boss, case_id)
    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    assert await procedure_of(boss, case_id) == {"procedure": None, "tasks": []}
    item = (await boss.get("/api/cases", params={"ids": case_id}))[1]["items"][0]
    assert item["procedureDisplayLabel"] is None
    status, redone = await boss.post(f"{ACTIONS}/redo", {"logId": op["id"]})
    assert status == 200, redone
    again = await procedure_of(boss, case_id)
    assert again["procedure"]["id"] == applied["procedure"]["id"]
    assert [t["id"] for t in again["tasks"]] == [t["id"] for t in applied["tasks"]]


async def test_undo_a_task_change_restores_the_procedure_status(boss):
    case_id = await case(boss, playbookId=await playbook(boss))
    task = (await procedure_of(boss, case_id))["tasks"][0]
    path = f"/api/cases/{case_id}/procedure-tasks/{task['id']}"
    status, op = await written(boss, "PATCH", path, {"status": "in_progress"})
    assert status == 200 and (await procedure_of(boss, case_id))["procedure"]["status"] == "in_progress"
    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    after = await procedure_of(boss, case_id)
    assert after["procedure"]["status"] == "pending" and after["tasks"][0]["status"] == "pending"


async def test_undo_a_case_created_with_a_playbook(boss):
    status, op = await written(
        boss, "POST", "/api/cases", {"title": "undo me", "playbookId": await playbook(boss)}
    )
    assert status == 201
    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    assert (await boss.get("/api/cases", params={"search": "undo me"}))[1]["total"] == 0
