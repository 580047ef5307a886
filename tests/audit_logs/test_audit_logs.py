"""audit_logs: the action log with undo/redo of the caller's latest command (a stack), and the
access log of reads of sensitive records."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from tests.conftest import Api, login
from tests.factories import make_world

ACTIONS = "/api/audit_logs/audit-logs/actions"
UNDO = ACTIONS + "/undo"
REDO = ACTIONS + "/redo"


async def operation_of(api: Api, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """Status and the ``x-om-operation`` header (id, undoToken ...) of a write."""
    response = await api.client.request(method, path, json=body, headers=api.headers)
    header = response.headers.get("x-om-operation", "")
    return response.status, json.loads(unquote(header.removeprefix("omop:"))) if header else {}


async def person_ids(api: Api) -> set[str]:
    _, page = await api.get("/api/customers/people?pageSize=100")
    return {item["id"] for item in page["items"]}


async def test_undo_and_redo_a_create(admin: Api, world: Any):
    status, op = await operation_of(
        admin, "POST", "/api/customers/people", {"firstName": "Un", "lastName": "Do"}
    )
    assert status == 201 and op["undoToken"]
    person = op["resourceId"]
    status, page = await admin.get(ACTIONS + "?undoableOnly=true&limit=5")
    assert status == 200 and page["canViewTenant"] is True
    assert page["items"][0]["id"] == op["id"] and page["items"][0]["undoToken"] == op["undoToken"]

    assert await admin.post(UNDO, {"undoToken": op["undoToken"]}) == (200, {"ok": True, "logId": op["id"]})
    assert person not in await person_ids(admin)
    assert (await admin.post(UNDO, {"undoToken": op["undoToken"]}))[0] == 400  # not twice

    status, redone = await admin.post(REDO, {"logId": op["id"]})
    assert status == 200 and redone["ok"] and redone["undoToken"] and redone["undoToken"] != op["undoToken"]
    assert person in await person_ids(admin)
    assert (await admin.post(UNDO, {"undoToken": redone["undoToken"]}))[0] == 200
    assert person not in await person_ids(admin)


async def test_undo_restores_an_update_and_revives_a_delete(admin: Api):
    _, created = await operation_of(
        admin, "POST", "/api/customers/people", {"firstName": "Ada", "lastName": "L"}
    )
    person = created["resourceId"]
    _, updated = await operation_of(
        admin, "PUT", "/api/customers/people", {"id": person, "displayName": "Countess"}
    )
    assert (await admin.post(UNDO, {"undoToken": updated["undoToken"]}))[0] == 200
    _, page = await admin.get(f"/api/customers/people?ids={person}")
    assert page["items"][0]["display_name"] == "Ada L"
    _, deleted = await operation_of(admin, "DELETE", f"/api/customers/people?id={person}")
    assert person not in await person_ids(admin)
    assert (await admin.post(UNDO, {"undoToken": deleted["undoToken"]}))[0] == 200
    assert person in await person_ids(admin)


async def test_only_the_latest_own_entry_can_be_undone(client: Any, admin: Api, world: Any):
    _, first = await operation_of(admin, "POST", "/api/customers/tags", {"slug": "first", "label": "First"})
    await operation_of(admin, "POST", "/api/customers/tags", {"slug": "second", "label": "Second"})
    status, body = await admin.post(UNDO, {"undoToken": first["undoToken"]})
    assert status == 400 and body["error"] == "Undo token not available"
    employee = await login(client, world.emails["employee"])
    _, theirs = await operation_of(employee, "POST", "/api/customers/tags", {"slug": "theirs", "label": "T"})
    assert (await admin.post(UNDO, {"undoToken": theirs["undoToken"]}))[0] == 400


async def test_reads_of_sensitive_records_are_logged_and_scoped(client: Any, sessionmaker: Any):
    world = await make_world(sessionmaker, roles={"clerk": ["customers.*", "audit_logs.view_self"]})
    admin = await login(client, world.admin_email)
    _, person = await admin.post("/api/customers/people", {"firstName": "Read", "lastName": "Me"})
    assert (await admin.get(f"/api/customers/people/{person['id']}"))[0] == 200
    status, page = await admin.get("/api/audit_logs/audit-logs/access?resourceKind=customers.person")
    assert status == 200 and page["canViewTenant"] is True
    entry = next(item for item in page["items"] if item["resourceId"] == person["id"])
    assert entry["accessType"] == "read" and "profile" in entry["fields"] and entry["actorUserId"]
    employee = await login(client, world.emails["clerk"])
    status, mine = await employee.get("/api/audit_logs/audit-logs/access")
    assert status == 200 and mine["canViewTenant"] is False
    assert person["id"] not in {item["resourceId"] for item in mine["items"]}  # only their own reads
    status, _ = await employee.get(f"/api/audit_logs/audit-logs/access?actorUserId={entry['actorUserId']}")
    assert status == 403


async def test_graphql_undo_is_the_same_operation(admin: Api):
    _, op = await operation_of(admin, "POST", "/api/customers/tags", {"slug": "gql", "label": "GQL"})
    result = await admin.gql(f'mutation {{ undoAction(undoToken: "{op["undoToken"]}") {{ ok logId }} }}')
    assert result["data"]["undoAction"] == {"ok": True, "logId": op["id"]}
