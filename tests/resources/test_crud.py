"""Every CRUD route of the module: create -> list (documented keys) -> update -> delete, the audit of
each write, and 404 for another tenant's ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from crmgraph.catalog import documented
from models.audit import ActionLog
from tests.conftest import login
from tests.factories import make_world
from tests.resources.conftest import SERVICE, Fleet

Builder = Callable[[Fleet], Awaitable[dict[str, Any]]]


async def _const(body: dict[str, Any]) -> dict[str, Any]:
    return body


async def _on_resource(fleet: Fleet, body: dict[str, Any]) -> dict[str, Any]:
    return {"entityId": await fleet.resource(), **body}


# path, action-log entity, create body builder, update body, (list item key, value) showing the update
CASES: list[tuple[str, str, Builder, dict[str, Any], tuple[str, Any]]] = [
    (
        "resources",
        "resource",
        lambda f: _const({"name": "Bike"}),
        {"statusValue": "sold"},
        ("status_value", "sold"),
    ),
    (
        "resource-types",
        "resource_type",
        lambda f: _const({"name": "Motorcycle"}),
        {"description": "Two wheels"},
        ("description", "Two wheels"),
    ),
    (
        "tags",
        "resource_tag",
        lambda f: _const({"label": "Track ready"}),
        {"color": "#ff0000"},
        ("color", "#ff0000"),
    ),
    (
        "service-book",
        "service_book_entry",
        lambda f: _on_resource(f, SERVICE),
        {"serviceOutAt": "2025-03-02T08:00:00.000Z", "description": "done"},
        ("serviceOutAt", "2025-03-02T08:00:00.000Z"),
    ),
    (
        "activities",
        "resource_activity",
        lambda f: _on_resource(f, {"activityType": "call"}),
        {"appearanceIcon": "phone", "subject": "Called"},
        ("subject", "Called"),
    ),
    (
        "comments",
        "resource_comment",
        lambda f: _on_resource(f, {"body": "Scratched tank"}),
        {"appearanceColor": "#00ff00"},
        ("appearance_color", "#00ff00"),
    ),
]


def _documented_item_keys(path: str) -> set[str]:
    example = documented("GET", f"/resources/{path}")["response_examples"][0]
    return set(example["items"][0])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
async def test_create_list_update_delete(fleet, sessionmaker, case):
    path, entity, builder, change, (key, value) = case
    body = await builder(fleet)
    record = await fleet.create(f"resources/{path}", body)

    page = await fleet.list(f"resources/{path}", ids=record)
    assert page["total"] == 1 and page["totalPages"] == 1
    (item,) = page["items"]
    assert _documented_item_keys(path) <= set(item)

    status, reply = await fleet.api.put(f"/api/resources/{path}", {"id": record, **change})
    assert (status, reply) == (200, {"ok": True})
    (item,) = (await fleet.list(f"resources/{path}", ids=record))["items"]
    assert item[key] == value

    status, reply = await fleet.api.delete(f"/api/resources/{path}?id={record}")
    assert (status, reply) == (200, {"ok": True})
    assert await fleet.ids(f"resources/{path}", ids=record) == []
    assert (await fleet.api.put(f"/api/resources/{path}", {"id": record, **change}))[0] == 404

    async with sessionmaker() as session:
        commands = set(
            (
                await session.execute(select(ActionLog.command_id).where(ActionLog.resource_id == record))
            ).scalars()
        )
    assert {f"resources.{entity}.{verb}" for verb in ("create", "update", "delete")} <= commands


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
async def test_another_tenant_gets_404(client, sessionmaker, fleet, case):
    path, _, builder, change, _ = case
    record = await fleet.create(f"resources/{path}", await builder(fleet))
    away = await make_world(sessionmaker)
    intruder = await login(client, away.admin_email)
    assert (await intruder.put(f"/api/resources/{path}", {"id": record, **change}))[0] == 404
    assert (await intruder.delete(f"/api/resources/{path}?id={record}"))[0] == 404
    status, page = await intruder.get(f"/api/resources/{path}?ids={record}")
    assert status == 200 and page["items"] == []


async def test_writes_need_the_manage_feature(client, sessionmaker, fleet):
    world = await make_world(sessionmaker, roles={"viewer": ["resources.view"]})
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/resources/resources"))[0] == 200
    status, body = await viewer.post("/api/resources/resources", {"name": "Nope"})
    assert status == 403 and body["requiredFeatures"] == ["resources.manage_resources"]


async def test_child_records_name_a_resource_in_scope(client, sessionmaker, fleet):
    status, body = await fleet.api.post("/api/resources/comments", {"body": "x"})
    assert status == 400 and body["error"] == "Validation failed"
    away = await make_world(sessionmaker)
    foreign = await Fleet(await login(client, away.admin_email)).resource()
    for path, extra in (
        ("comments", {"body": "x"}),
        ("activities", {"activityType": "call"}),
        ("service-book", SERVICE),
    ):
        status, body = await fleet.api.post(f"/api/resources/{path}", {"entityId": foreign, **extra})
        assert status == 404, (path, body)
