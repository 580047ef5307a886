"""Organization settings, default-for-create, status-transition rules (CRUD, order) and their
enforcement on every path that changes a process's status."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from models.audit import ActionLog
from tests.conftest import login
from tests.factories import make_world

RULES = "/api/procurement/status-transition-rules"
SETTINGS = "/api/procurement/organization-settings"


async def test_settings_default_then_saved_and_used_for_new_processes(admin, proc):
    status, body = await admin.get(SETTINGS)
    assert status == 200
    assert body["defaultStatusValue"] == "new" and body["completedStatusValue"] == "closed"
    assert {s["value"] for s in body["statuses"]} >= {"new", "closed"}
    statuses = [
        {"value": "draft", "label": "Draft", "color": "#000", "icon": "pen"},
        {"value": "done", "label": "Done"},
    ]
    saved = {"statuses": statuses, "defaultStatusValue": "draft", "completedStatusValue": "done"}
    status, body = await admin.put(
        SETTINGS, {**saved, "defaultTypeValue": "gear", "refinancingEnabledByDefault": False}
    )
    assert status == 200, body
    assert body["statuses"][0] == statuses[0] and body["defaultTypeValue"] == "gear"
    assert (await admin.get(SETTINGS))[1] == body
    status, defaults = await admin.get(f"{SETTINGS}/default-for-create")
    assert status == 200
    assert defaults["statusValue"] == "draft" and defaults["statusLabel"] == "Draft"
    assert (defaults["typeValue"], defaults["typeLabel"], defaults["refinancingEnabled"]) == (
        "gear",
        "Riding gear",
        False,
    )
    process = await proc.process()
    row = await proc.one("processes", process)
    assert (row["statusValue"], row["statusColor"], row["typeValue"], row["refinancingEnabled"]) == (
        "draft", "#000", "gear", False,
    )  # fmt: skip
    await admin.post("/api/procurement/processes/complete", {"id": process})
    assert (await proc.one("processes", process))["statusLabel"] == "Done"


async def test_settings_reject_unknown_defaults_and_duplicates(admin):
    for body in (
        {"defaultStatusValue": "missing"},
        {"completedStatusValue": "missing"},
        {"statuses": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]},
        {"statuses": []},
        {"types": [{"value": "", "label": "x"}]},
    ):
        status, reply = await admin.put(SETTINGS, body)
        assert status == 400, (body, reply)
        assert reply["details"]


async def test_rules_crud_and_reorder(admin):
    status, created = await admin.post(
        RULES, {"fromStatusValue": "new", "toStatusValue": "sourcing", "label": "Start"}
    )
    assert status == 201 and created["sortOrder"] == 0 and created["label"] == "Start"
    second = (await admin.post(RULES, {"fromStatusValue": None, "toStatusValue": "canceled"}))[1]
    assert second["sortOrder"] == 1 and second["fromStatusValue"] is None
    assert (await admin.post(RULES, {"fromStatusValue": "new", "toStatusValue": "sourcing"}))[0] == 409
    assert (await admin.post(RULES, {"fromStatusValue": "new", "toStatusValue": "new"}))[0] == 400
    assert (await admin.post(RULES, {"fromStatusValue": "new", "toStatusValue": "nope"}))[0] == 400
    assert (await admin.post(RULES, {"fromStatusValue": "new"}))[0] == 400

    status, updated = await admin.put(f"{RULES}/{created['id']}", {"toStatusValue": "offers"})
    assert status == 200 and updated["toStatusValue"] == "offers" and updated["fromStatusValue"] == "new"
    assert (await admin.put(f"{RULES}/{uuid.uuid4()}", {"label": "x"}))[0] == 404

    status, body = await admin.post(f"{RULES}/reorder", {"ids": [second["id"]]})
    assert status == 200 and [r["id"] for r in body["items"]] == [second["id"], created["id"]]
    listed = (await admin.get(RULES))[1]["items"]
    assert [(r["id"], r["sortOrder"]) for r in listed] == [(second["id"], 0), (created["id"], 1)]
    assert (await admin.post(f"{RULES}/reorder", {"ids": [str(uuid.uuid4())]}))[0] == 400

    status, body = await admin.delete(f"{RULES}/{second['id']}")
    assert status == 204 and body in ("", None)
    assert [r["id"] for r in (await admin.get(RULES))[1]["items"]] == [created["id"]]
    assert (await admin.delete(f"{RULES}/{second['id']}"))[0] == 404


async def test_rules_are_enforced_on_update_and_complete(admin, proc):
    process = await proc.process()
    # No rules: every move is allowed.
    status, body = await admin.get(
        "/api/procurement/process-status-transitions", params={"processId": process}
    )
    assert status == 200 and body["restricted"] is False and "closed" in body["allowedStatusValues"]
    await proc.rule("new", "sourcing")
    await proc.rule("sourcing", "ordered")
    await proc.rule(None, "canceled")
    status, body = await admin.get(
        "/api/procurement/process-status-transitions", params={"processId": process}
    )
    assert body["restricted"] is True and body["currentStatusValue"] == "new"
    assert body["allowedStatusValues"] == ["sourcing", "canceled"]
    assert len(body["items"]) == 3
    status, body = await admin.get(
        "/api/procurement/process-status-transitions", params={"statusValue": "sourcing"}
    )
    assert body["allowedStatusValues"] == ["ordered", "canceled"]

    status, reply = await admin.put("/api/procurement/processes", {"id": process, "statusValue": "ordered"})
    assert status == 409, reply
    assert reply["code"] == "invalid_transition" and reply["error"] == "Invalid status transition"
    assert reply["details"][0]["message"] == "Cannot change statusValue from new to ordered"
    status, reply = await admin.post(
        "/api/procurement/processes/complete", {"id": process, "resourceId": str(uuid.uuid4())}
    )
    assert status == 409, reply
    row = await proc.one("processes", process)
    assert (row["statusValue"], row["resourceId"], row["closedAt"]) == ("new", None, None)  # nothing changed

    assert (await admin.put("/api/procurement/processes", {"id": process, "statusValue": "sourcing"}))[
        0
    ] == 200
    assert (await admin.put("/api/procurement/processes", {"id": process, "title": "Same status"}))[0] == 200
    await proc.rule("ordered", "closed")
    assert (await admin.put("/api/procurement/processes", {"id": process, "statusValue": "ordered"}))[
        0
    ] == 200
    assert (await admin.post("/api/procurement/processes/complete", {"id": process}))[0] == 200
    # A wildcard rule lets any status reach its target.
    other = await proc.process()
    assert (await admin.put("/api/procurement/processes", {"id": other, "statusValue": "canceled"}))[0] == 200

    gql = await admin.gql(
        'mutation($id: UUID!) { updateProcurementProcess(id: $id, input: {statusValue: "new"}) { id } }',
        {"id": process},
    )
    assert gql["errors"] and "transition" in gql["errors"][0]["message"].lower()


async def test_rules_and_settings_need_the_settings_feature(client, sessionmaker, admin):
    rule = (await admin.post(RULES, {"fromStatusValue": "new", "toStatusValue": "offers"}))[1]
    world = await make_world(sessionmaker, roles={"viewer": ["procurement.processes.*"]})
    viewer = await login(client, world.emails["viewer"])
    for method, path in (("GET", RULES), ("POST", RULES), ("GET", SETTINGS), ("PUT", SETTINGS)):
        status, reply = await viewer.call(method, path, json={})
        assert status == 403 and reply["requiredFeatures"] == ["procurement.settings.manage"], (method, path)
    assert (await viewer.get(f"{SETTINGS}/default-for-create"))[0] == 200
    # Another tenant's admin cannot see or touch this tenant's rules.
    stranger = await login(client, world.admin_email)
    assert (await stranger.get(RULES))[1]["items"] == []
    assert (await stranger.put(f"{RULES}/{rule['id']}", {"label": "x"}))[0] == 404
    assert (await stranger.delete(f"{RULES}/{rule['id']}"))[0] == 404
    assert (await stranger.post(f"{RULES}/reorder", {"ids": [rule["id"]]}))[0] == 400


UNDO = "/api/audit_logs/audit-logs/actions"


async def complete_and_undo(sessionmaker: Any, admin: Any, process: str) -> tuple[int, Any]:
    """Complete ``process``, then undo that command through the audit-log route."""
    assert (await admin.post("/api/procurement/processes/complete", {"id": process}))[0] == 200
    async with sessionmaker() as session:
        log = await session.scalar(
            select(ActionLog).where(
                ActionLog.resource_id == process,
                ActionLog.command_id == "procurement.process.complete",
                ActionLog.execution_state == "done",
            )
        )
    return await admin.post(f"{UNDO}/undo", {"undoToken": log.undo_token})


async def test_undo_and_redo_of_a_completion_obey_the_rules(sessionmaker, admin, proc):
    process = await proc.process()
    status, undone = await complete_and_undo(sessionmaker, admin, process)
    assert status == 200, undone
    row = await proc.one("processes", process)
    assert (row["statusValue"], row["closedAt"]) == ("new", None)  # reopened, not deleted
    status, redone = await admin.post(f"{UNDO}/redo", {"logId": undone["logId"]})
    assert status == 200, redone
    assert (await proc.one("processes", process))["statusValue"] == "closed"

    other = await proc.process()
    await proc.rule("new", "closed")  # closed -> new is not among the rules: undoing is refused
    status, reply = await complete_and_undo(sessionmaker, admin, other)
    assert status == 409 and reply["code"] == "invalid_transition", reply
    assert (await proc.one("processes", other))["statusValue"] == "closed"
