"""Feature toggles: global definitions (platform admins), per-tenant overrides (super admins), the
check endpoints and the cached ``is_enabled`` API other modules call."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from crmgraph.authn import load_user_principal
from crmgraph.context import RequestContext
from crmgraph.db import count_statements
from models.auth import User
from resolvers.feature_toggles import cache, is_enabled, resolve
from resolvers.operations import OPERATIONS, invoke
from tests.conftest import Api

GLOBAL = "/api/feature_toggles/global"
OVERRIDES = "/api/feature_toggles/overrides"


def ident(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


async def toggle(platform: Api, kind: str = "boolean", default: Any = False, **extra: Any) -> tuple[str, str]:
    identifier = extra.pop("identifier", ident(f"test.{kind}"))
    body = {"identifier": identifier, "name": f"Toggle {identifier}", "type": kind, "defaultValue": default}
    status, reply = await platform.post(GLOBAL, {**body, **extra})
    assert status == 201, reply
    return reply["id"], identifier


async def check(api: Api, kind: str, identifier: str) -> tuple[int, Any]:
    return await api.get(f"/api/feature_toggles/check/{kind}", params={"identifier": identifier})


async def test_global_toggles_are_the_platforms(platform, boss, planner):
    toggle_id, identifier = await toggle(platform, category="Checkout", description="New checkout flow")
    status, page = await boss.get(GLOBAL, params={"identifier": identifier})
    assert status == 200 and page["total"] == 1
    assert page["items"][0] == {
        "id": toggle_id,
        "identifier": identifier,
        "name": f"Toggle {identifier}",
        "description": "New checkout flow",
        "category": "Checkout",
        "type": "boolean",
        "defaultValue": False,
        "createdAt": page["items"][0]["createdAt"],
        "updatedAt": page["items"][0]["updatedAt"],
    }
    assert (await boss.get(GLOBAL, params={"search": "new checkout", "ids": toggle_id}))[1]["total"] == 1
    assert (await boss.get(f"{GLOBAL}/{toggle_id}"))[1]["identifier"] == identifier
    # A tenant's super admin reads the definitions but never changes them; others do not even read.
    assert (await boss.post(GLOBAL, {"identifier": ident("x"), "name": "x"}))[0] == 403
    assert (await boss.put(GLOBAL, {"id": toggle_id, "name": "mine"}))[0] == 403
    assert (await planner.get(GLOBAL))[0] == 403
    assert (await planner.get(f"{GLOBAL}/{toggle_id}"))[0] == 403

    status, reply = await platform.put(GLOBAL, {"id": toggle_id, "defaultValue": True, "category": None})
    assert (status, reply) == (200, {"id": toggle_id})
    detail = (await boss.get(f"{GLOBAL}/{toggle_id}"))[1]
    assert detail["defaultValue"] is True and detail["category"] is None and detail["description"]
    for bad in (
        {"identifier": "Upper.Case", "name": "x"},
        {"identifier": ident("x"), "name": "x", "type": "date"},
        {"identifier": ident("x"), "name": "x", "type": "number", "defaultValue": "five"},
        {"identifier": ident("x"), "name": " "},
    ):
        assert (await platform.post(GLOBAL, bad))[0] == 400, bad
    assert (await platform.put(GLOBAL, {"id": toggle_id, "defaultValue": "yes"}))[0] == 400
    assert (await platform.post(GLOBAL, {"identifier": identifier, "name": "again"}))[0] == 409
    assert (await platform.delete(f"{GLOBAL}?id={toggle_id}")) == (200, {"id": toggle_id})
    assert (await boss.get(GLOBAL, params={"identifier": identifier}))[1]["total"] == 0
    assert (await check(boss, "boolean", identifier))[1]["source"] == "missing"
    assert (await platform.post(GLOBAL, {"identifier": identifier, "name": "reused"}))[0] == 201


async def operation_of(api: Api, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = await api.client.request(method, path, json=body, headers=api.headers)
    header = response.headers.get("x-om-operation", "")
    return response.status, json.loads(unquote(header.removeprefix("omop:"))) if header else {}


async def test_overrides_are_per_tenant(platform, boss, planner, stranger):
    flag_id, flag = await toggle(platform, "boolean", False)
    limit_id, limit = await toggle(platform, "number", 5)
    _, greeting = await toggle(platform, "string", "hello")
    _, layout = await toggle(platform, "json", {"columns": 2})

    status, body = await check(planner, "boolean", flag)
    assert (status, body["enabled"], body["source"], body["toggleId"]) == (200, False, "default", flag_id)
    assert (await check(planner, "number", limit))[1] | {"tenantId": None} == {
        "valueType": "number",
        "value": 5,
        "source": "default",
        "toggleId": limit_id,
        "identifier": limit,
        "tenantId": None,
    }
    assert (await check(planner, "string", greeting))[1]["value"] == "hello"
    assert (await check(planner, "json", layout))[1]["value"] == {"columns": 2}
    assert (await check(planner, "number", flag))[0] == 400  # a boolean toggle read as a number
    assert (await check(planner, "boolean", limit))[0] == 400
    assert (await check(planner, "string", ident("unknown")))[0] == 404
    missing = (await check(planner, "boolean", ident("unknown")))[1]
    assert (missing["enabled"], missing["source"], missing["toggleId"]) == (False, "missing", None)

    status, op = await operation_of(boss, "PUT", OVERRIDES, {"toggleId": flag_id, "isOverride": True})
    assert status == 200 and op["undoToken"]
    status, body = await check(planner, "boolean", flag)
    assert (body["enabled"], body["source"]) == (True, "override")
    assert (await check(stranger, "boolean", flag))[1]["enabled"] is False  # another tenant: the default
    status, reply = await boss.put(OVERRIDES, {"toggleId": limit_id, "isOverride": True, "overrideValue": 7})
    assert status == 200 and reply["ok"] and reply["overrideToggleId"]
    assert (await check(planner, "number", limit))[1]["value"] == 7
    assert (await boss.put(OVERRIDES, {"toggleId": limit_id, "isOverride": True, "overrideValue": "x"}))[
        0
    ] == 400
    assert (await boss.put(OVERRIDES, {"toggleId": limit_id, "isOverride": True}))[0] == 400
    assert (await boss.put(OVERRIDES, {"toggleId": str(uuid.uuid4()), "isOverride": True}))[0] == 404
    assert (await planner.put(OVERRIDES, {"toggleId": flag_id, "isOverride": False}))[0] == 403

    status, page = await boss.get(OVERRIDES, params={"identifier": "test.", "pageSize": 100})
    assert status == 200 and page["isSuperAdmin"] is True
    rows = {item["toggleId"]: item for item in page["items"]}
    assert rows[flag_id]["overrideState"] == "enabled" and rows[flag_id]["defaultState"] is False
    assert rows[limit_id]["overrideState"] == "override" and rows[limit_id]["value"] == 7
    status, detail = await boss.get(f"{GLOBAL}/{limit_id}/override")
    assert (detail["isOverride"], detail["value"], detail["toggleType"]) == (True, 7, "number")
    assert (await stranger.get(f"{GLOBAL}/{limit_id}/override"))[1]["isOverride"] is False

    # Platform-wide consequences: a toggle some tenant overrides keeps its type.
    assert (await platform.put(GLOBAL, {"id": limit_id, "type": "string"}))[0] == 409
    # Inherit again, then undo the inherit (the override comes back).
    status, op = await operation_of(boss, "PUT", OVERRIDES, {"toggleId": limit_id, "isOverride": False})
    assert status == 200 and (await check(planner, "number", limit))[1]["source"] == "default"
    undo = await boss.post("/api/audit_logs/audit-logs/actions/undo", {"undoToken": op["undoToken"]})
    assert undo[0] == 200, undo
    assert (await check(planner, "number", limit))[1]["value"] == 7


async def context_of(sessionmaker: Any, settings: Any, email: str) -> RequestContext:
    async with sessionmaker() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        principal = await load_user_principal(session, user_id)
    return RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)


async def test_is_enabled_is_cached_per_process_and_invalidated(
    platform, boss, sworld, sessionmaker, settings, monkeypatch: pytest.MonkeyPatch
):
    """The test's own session factory stands for another process than the served app."""
    flag_id, flag = await toggle(platform, "boolean", False)
    ctx = await context_of(sessionmaker, settings, sworld.admin_email)
    # This "process" may have compared the generation less than a second ago (an earlier test),
    # before the toggle existed: start it cold.
    cache.invalidate(sessionmaker)
    assert (await resolve(ctx, flag)).source == "default"
    assert await is_enabled(ctx, flag) is False
    monkeypatch.setattr(cache, "REVALIDATE_AFTER", 3600.0)
    async with count_statements() as counter:
        assert await is_enabled(ctx, flag) is False
        assert (await resolve(ctx, flag)).source == "default"
    assert counter.count == 0  # served from the process cache

    # Another process (the app) changes it: seen here once the generation is compared again.
    assert (await boss.put(OVERRIDES, {"toggleId": flag_id, "isOverride": True}))[0] == 200
    assert await is_enabled(ctx, flag) is False  # still trusted: not compared yet
    monkeypatch.setattr(cache, "REVALIDATE_AFTER", 0.0)
    async with count_statements() as counter:
        assert await is_enabled(ctx, flag) is True
    assert counter.count == 3  # generation, definitions, the tenant's overrides
    async with count_statements() as counter:
        assert await is_enabled(ctx, flag) is True
    assert counter.count == 1  # only the generation

    # A change made through this process is seen at once, without waiting to compare.
    monkeypatch.setattr(cache, "REVALIDATE_AFTER", 3600.0)
    body = {"toggleId": flag_id, "isOverride": True, "state": "disabled"}
    await invoke(OPERATIONS["set_feature_toggle_override"], ctx, body)
    assert await is_enabled(ctx, flag) is False
    # Without a principal (a worker), the tenant is passed explicitly.
    worker = RequestContext(settings=settings, sessionmaker=sessionmaker)
    assert (await resolve(worker, flag, sworld.tenant_id)).source == "override"
    assert (await resolve(worker, flag)).source == "default"


async def test_graphql_toggles(platform, boss):
    flag_id, flag = await toggle(platform, "boolean", True)
    reply = await boss.gql(
        """query($identifier: String!) { featureToggles(filter: {identifier: $identifier}) {
             total items { id type defaultValue } }
           checkFeatureToggleBoolean(identifier: $identifier) { enabled source } }""",
        {"identifier": flag},
    )
    assert reply["data"]["featureToggles"] == {
        "total": 1,
        "items": [{"id": flag_id, "type": "boolean", "defaultValue": True}],
    }
    assert reply["data"]["checkFeatureToggleBoolean"] == {"enabled": True, "source": "default"}
    changed = await boss.gql(
        """mutation($id: UUID!) { setFeatureToggleOverride(toggleId: $id, isOverride: true, state: "disabled") {
             ok overrideToggleId } }""",
        {"id": flag_id},
    )
    assert changed["data"]["setFeatureToggleOverride"]["ok"] is True
    reply = await boss.gql(
        "query($i: String!) { checkFeatureToggleBoolean(identifier: $i) { enabled } }", {"i": flag}
    )
    assert reply["data"]["checkFeatureToggleBoolean"] == {"enabled": False}
