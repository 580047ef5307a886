"""Todos: custom fields, assignees, soft delete with ``withDeleted``, CSV export, the option lists,
features and isolation."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from models.audit import ActionLog
from models.events import OutboxEvent
from tests.example.conftest import created


async def todo(api, title="Replace the chain", **extra) -> str:
    return await created(api, "/api/example/todos", {"title": title, **extra})


async def users(api) -> dict[str, str]:
    status, page = await api.get("/api/example/assignees")
    assert status == 200, page
    return {item["label"]: item["value"] for item in page["items"]}


async def test_create_with_custom_fields_and_assignees_reads_back_in_snake_case(boss, eworld, sessionmaker):
    people = await users(boss)
    manager = people[eworld.emails["manager"].split("@")[0].title()]
    todo_id = await todo(
        boss, cf_priority=5, cf_labels=[" parts ", "parts", "warranty"], cf_rim="17", assigneeIds=[manager]
    )
    status, page = await boss.get(f"/api/example/todos?ids={todo_id}")
    assert status == 200 and page["total"] == 1
    item = page["items"][0]
    assert item["title"] == "Replace the chain" and item["is_done"] is False
    assert item["tenant_id"] == str(eworld.tenant_id) and item["organization_id"] == str(eworld.root_org)
    assert item["assignee_ids"] == [manager]
    # Declared fields are typed and defaulted, labels trimmed and de-duplicated, others kept.
    assert (item["cf_priority"], item["cf_severity"], item["cf_blocked"]) == (5, "medium", False)
    assert item["cf_labels"] == ["parts", "warranty"] and item["cf_rim"] == "17"
    async with sessionmaker() as session:
        event = await session.scalar(select(OutboxEvent).where(OutboxEvent.payload["id"].astext == todo_id))
        log = await session.scalar(select(ActionLog).where(ActionLog.resource_id == todo_id))
    assert event.name == "example.example_todo.created"
    assert log.command_id == "example.example_todo.create"


async def test_documented_errors(boss, viewer, eworld, stranger):
    assert (await boss.post("/api/example/todos", {}))[0] == 400  # title required
    status, body = await boss.post("/api/example/todos", {"title": "x", "cf_priority": 9})
    assert status == 400 and body["details"][0]["path"][0] == "cf_priority"
    status, body = await boss.post("/api/example/todos", {"title": "x", "cf_severity": "extreme"})
    assert status == 400 and body["details"][0]["path"][0] == "cf_severity"
    assert (await boss.post("/api/example/todos", {"title": "   "}))[0] == 400
    foreign_user = next(iter((await users(stranger)).values()))
    status, body = await boss.post("/api/example/todos", {"title": "x", "assigneeIds": [foreign_user]})
    assert status == 400 and "Unknown assignee" in body["details"][0]["message"]
    assert (await boss.put("/api/example/todos", {"id": "not-a-uuid", "title": "y"}))[0] == 400
    # The viewer reads but does not write.
    assert (await viewer.get("/api/example/todos"))[0] == 200
    status, body = await viewer.post("/api/example/todos", {"title": "nope"})
    assert status == 403 and body["requiredFeatures"] == ["example.todos.manage"]


async def test_update_delete_and_with_deleted(boss):
    todo_id = await todo(boss, "Bleed the brakes", cf_labels=["brakes"])
    assert await boss.put("/api/example/todos", {"id": todo_id, "is_done": True, "cf_blocked": True}) == (
        200,
        {"ok": True},
    )
    status, page = await boss.get(f"/api/example/todos?ids={todo_id}&isDone=true")
    assert (
        status == 200
        and page["items"][0]["cf_blocked"] is True
        and page["items"][0]["cf_labels"] == ["brakes"]
    )
    assert await boss.delete("/api/example/todos", json={"id": todo_id}) == (200, {"ok": True})
    status, page = await boss.get(f"/api/example/todos?ids={todo_id}")
    assert status == 200 and page["items"] == [] and page["total"] == 0
    status, page = await boss.get(f"/api/example/todos?ids={todo_id}&withDeleted=true")
    assert [i["id"] for i in page["items"]] == [todo_id] and page["items"][0]["deleted_at"]
    assert (await boss.get("/api/example/todos?withDeleted=maybe"))[0] == 400
    assert (await boss.put("/api/example/todos", {"id": todo_id, "title": "again"}))[0] == 404


async def test_filters_and_csv_export(boss):
    first = await todo(boss, "=HYPERLINK(1)", cf_labels=["urgent"])
    second = await todo(boss, "Oil change", cf_labels=["service"])
    status, page = await boss.get("/api/example/todos?label=urgent")
    assert status == 200 and [i["id"] for i in page["items"]] == [first]
    status, page = await boss.get("/api/example/todos?title=oil")
    assert status == 200 and [i["id"] for i in page["items"]] == [second]
    response = await boss.client.get(
        f"/api/example/todos?ids={first},{second}&format=csv&sortField=title", headers=boss.headers
    )
    assert response.status == 200 and response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(1)", "Oil change"]  # never a live formula
    assert rows[0]["cf_labels"] == "urgent" and rows[1]["cf_priority"] == "3"
    assert (await boss.get("/api/example/todos?format=xml"))[0] == 400


async def test_option_lists_stay_in_the_tenant(boss, stranger, eworld):
    await todo(boss, "Label me", cf_labels=["tyres"])
    await todo(stranger, "Foreign", cf_labels=["secret-label"])
    status, tags = await boss.get("/api/example/tags")
    assert status == 200
    values = [t["value"] for t in tags["items"]]
    assert "tyres" in values and "warranty" in values and "secret-label" not in values
    mine, theirs = await users(boss), await users(stranger)
    assert not set(mine.values()) & set(theirs.values())
    status, found = await boss.get("/api/example/assignees?q=manager")
    assert status == 200 and [i["label"] for i in found["items"]] == [
        eworld.emails["manager"].split("@")[0].title()
    ]
    _, stranger_orgs = await stranger.get("/api/example/organizations")
    foreign = stranger_orgs["items"][0]["value"]
    status, orgs = await boss.get(f"/api/example/organizations?ids={eworld.branch_org},{foreign}")
    assert status == 200 and [o["value"] for o in orgs["items"]] == [str(eworld.branch_org)]
    status, orgs = await boss.get("/api/example/organizations")
    assert {o["value"] for o in orgs["items"]} == {
        str(eworld.root_org),
        str(eworld.branch_org),
        str(eworld.other_org),
    }


async def test_isolation_rest_and_graphql(boss, stranger):
    todo_id = await todo(boss, "Private")
    status, page = await stranger.get(f"/api/example/todos?ids={todo_id}&withDeleted=true")
    assert status == 200 and page["items"] == []
    assert (await stranger.put("/api/example/todos", {"id": todo_id, "title": "hijack"}))[0] == 404
    assert (await stranger.delete(f"/api/example/todos?id={todo_id}"))[0] == 404
    reply = await stranger.gql(f'{{ exampleTodo(id: "{todo_id}") {{ id }} }}')
    assert reply["data"]["exampleTodo"] is None


async def test_graphql_types_edges_and_mutations(boss, eworld):
    manager = (await users(boss))[eworld.emails["manager"].split("@")[0].title()]
    reply = await boss.gql(
        "mutation($input: ExampleTodoCreateInput!) { createExampleTodo(input: $input) { id title isDone } }",
        {"input": {"title": "From GraphQL", "assigneeIds": [manager], "customValues": {"severity": "high"}}},
    )
    assert "errors" not in reply, reply
    todo_id = reply["data"]["createExampleTodo"]["id"]
    reply = await boss.gql(
        "query($a: UUID) { exampleTodos(filter: {assigneeId: $a}) { total items { id title customValues "
        "assignees { email } } } }",
        {"a": manager},
    )
    items = reply["data"]["exampleTodos"]["items"]
    assert [i["id"] for i in items] == [todo_id]
    assert items[0]["assignees"] == [{"email": eworld.emails["manager"]}]
    assert (items[0]["customValues"]["priority"], items[0]["customValues"]["severity"]) == (3, "high")
