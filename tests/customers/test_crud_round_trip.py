"""Every CRUD resource of the module: create -> list -> update -> delete, the audit trail of each
write, and 404 for other tenants' and other organizations' ids."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from models.audit import ActionLog
from models.events import OutboxEvent
from tests.conftest import login
from tests.customers.conftest import Customers
from tests.factories import make_world

Builder = Callable[[Customers], Awaitable[dict[str, Any]]]


async def _person(crm: Customers) -> dict[str, Any]:
    return {"entityId": await crm.person()}


async def _stage(crm: Customers) -> dict[str, Any]:
    return {"pipelineId": await crm.create("pipelines", {"name": "P"}), "label": "Stage"}


# path, entity name, create body builder, update body, (list item key, value) showing the update
RESOURCES: list[tuple[str, str, Builder, dict[str, Any], tuple[str, Any]]] = [
    (
        "people",
        "person",
        lambda crm: _const({"firstName": "A", "lastName": "B"}),
        {"status": "vip"},
        ("status", "vip"),
    ),
    (
        "companies",
        "company",
        lambda crm: _const({"displayName": "Co"}),
        {"industry": "IT"},
        ("industry", "IT"),
    ),
    ("deals", "deal", lambda crm: _const({"title": "D"}), {"status": "won"}, ("status", "won")),
    ("pipelines", "pipeline", lambda crm: _const({"name": "P"}), {"name": "Q"}, ("name", "Q")),
    ("pipeline-stages", "pipeline_stage", _stage, {"color": "#000000"}, ("color", "#000000")),
    ("tags", "tag", lambda crm: _const({"label": "T"}), {"description": "d"}, ("description", "d")),
    (
        "activities",
        "activity",
        lambda crm: _with(crm, {"activityType": "call"}),
        {"subject": "s"},
        ("subject", "s"),
    ),
    ("comments", "comment", lambda crm: _with(crm, {"body": "b"}), {"body": "c"}, ("body", "c")),
    (
        "addresses",
        "address",
        lambda crm: _with(crm, {"addressLine1": "a"}),
        {"city": "Gdańsk"},
        ("city", "Gdańsk"),
    ),
    ("todos", "todo", lambda crm: _with(crm, {"title": "t"}), {"severity": "high"}, ("severity", "high")),
    (
        "interactions",
        "interaction",
        lambda crm: _with(crm, {"interactionType": "call"}),
        {"title": "x"},
        ("title", "x"),
    ),
]


async def _const(body: dict[str, Any]) -> dict[str, Any]:
    return body


async def _with(crm: Customers, body: dict[str, Any]) -> dict[str, Any]:
    return {**await _person(crm), **body}


@pytest.mark.parametrize("path,name,build,update,expect", RESOURCES, ids=[r[0] for r in RESOURCES])
async def test_round_trip(client, crm, admin, world, sessionmaker, path, name, build, update, expect):
    body = await build(crm)
    record = await crm.create(path, body)
    assert record in await crm.ids(path)

    response = await client.put(
        f"/api/customers/{path}", json={"id": record, **update}, headers=admin.headers
    )
    assert response.status == 200 and await response.json() == {"ok": True}
    operation = json.loads(unquote(response.headers["x-om-operation"]).removeprefix("omop:"))
    assert operation["commandId"] == f"customers.{name}.update" and operation["resourceId"] == record
    item = (await crm.list(path, ids=record))["items"][0]
    key, value = expect
    assert item[key] == value, item

    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    assert (await stranger.put(f"/api/customers/{path}", {"id": record, **update}))[0] == 404
    assert (await stranger.delete(f"/api/customers/{path}?id={record}"))[0] == 404
    assert await Customers(stranger).ids(path, ids=record) == set()

    assert await admin.delete(f"/api/customers/{path}", json={"id": record}) == (200, {"ok": True})
    assert record not in await crm.ids(path)
    assert (await admin.delete(f"/api/customers/{path}?id={record}"))[0] == 404
    assert (await admin.put(f"/api/customers/{path}", {"id": record, **update}))[0] == 404

    async with sessionmaker() as session:
        events = set(
            (
                await session.execute(
                    select(OutboxEvent.name).where(OutboxEvent.payload["id"].astext == record)
                )
            ).scalars()
        )
        commands = set(
            (
                await session.execute(select(ActionLog.command_id).where(ActionLog.resource_id == record))
            ).scalars()
        )
    assert events == {f"customers.{name}.{verb}" for verb in ("created", "updated", "deleted")}
    assert commands == {f"customers.{name}.{verb}" for verb in ("create", "update", "delete")}


@pytest.mark.parametrize("path,name,build,update,expect", RESOURCES, ids=[r[0] for r in RESOURCES])
async def test_other_organization_is_invisible(client, crm, world, path, name, build, update, expect):
    """Records of the root organization do not exist for an employee working in the branch."""
    body = await build(crm)
    if "entityId" in body:  # timeline records live in their customer's organization
        body["entityId"] = await crm.person(organizationId=str(world.other_org))
    elif "pipelineId" in body:
        body["pipelineId"] = await crm.create(
            "pipelines", {"name": "P", "organizationId": str(world.other_org)}
        )
    else:
        body["organizationId"] = str(world.other_org)
    record = await crm.create(path, body)
    employee = await login(client, world.emails["employee"])
    assert await Customers(employee).ids(path, ids=record) == set()
    assert (await employee.put(f"/api/customers/{path}", {"id": record, **update}))[0] == 404
    assert (await employee.delete(f"/api/customers/{path}?id={record}"))[0] == 404
