"""Dashboards: widget registry and catalog, layouts, role/user assignments, widgets/data, KPIs."""

from __future__ import annotations

from sqlalchemy import select

from models.auth import User
from resolvers.dashboards.registry import WIDGETS
from tests.cases.conftest import case, created

KPI = "dashboards.crm-kpis"
NEW_DEALS = "customers.dashboard.new-deals"


async def test_catalog_holds_contributed_widgets_filtered_by_features(boss, agent):
    status, body = await boss.get("/api/dashboards/widgets/catalog")
    assert status == 200
    ids = {w["id"] for w in body["items"]}
    assert {KPI, NEW_DEALS, "customers.dashboard.customer-todos", "cases.open-cases"} <= ids
    item = next(w for w in body["items"] if w["id"] == NEW_DEALS)
    assert (
        item["features"] == ["dashboards.view", "customers.widgets.new-deals"]
        and item["moduleId"] == "customers"
    )
    assert (await agent.get("/api/dashboards/widgets/catalog"))[0] == 403  # no assign-widgets


async def test_layout_defaults_save_and_patch(agent, reader):
    status, body = await agent.get("/api/dashboards/layout")
    assert status == 200 and body["canConfigure"] is True
    allowed = body["allowedWidgetIds"]
    assert KPI in allowed and "cases.open-cases" not in allowed  # not enabled by default, no analytics.view
    assert NEW_DEALS in allowed  # customers.* covers the customers widget features
    assert [i["widgetId"] for i in body["layout"]["items"]] == allowed
    assert body["context"]["userEmail"].startswith("agent-")
    items = [{"widgetId": NEW_DEALS, "order": 2}, {"widgetId": KPI, "order": 1, "size": "full"}]
    assert (await agent.put("/api/dashboards/layout", {"items": items}))[0] == 200
    layout = (await agent.get("/api/dashboards/layout"))[1]["layout"]["items"]
    assert [i["widgetId"] for i in layout] == [KPI, NEW_DEALS] and layout[0]["size"] == "full"
    status, _ = await agent.call(
        "PATCH", f"/api/dashboards/layout/{layout[1]['id']}", json={"size": "lg", "settings": {"limit": 10}}
    )
    assert status == 200
    layout = (await agent.get("/api/dashboards/layout"))[1]["layout"]["items"]
    assert layout[1]["size"] == "lg" and layout[1]["settings"] == {"limit": 10}
    assert (await agent.call("PATCH", "/api/dashboards/layout/nope", json={"size": "sm"}))[0] == 404
    assert (await agent.call("PATCH", f"/api/dashboards/layout/{layout[1]['id']}", json={"size": "huge"}))[
        0
    ] == 400
    status, body = await agent.put(
        "/api/dashboards/layout", {"items": [{"widgetId": "evil.widget", "order": 0}]}
    )
    assert status == 400 and body["details"][0]["path"] == ["items", 0, "widgetId"]
    assert (await reader.put("/api/dashboards/layout", {"items": []}))[0] == 403
    assert (await reader.get("/api/dashboards/layout"))[1]["canConfigure"] is False


async def test_role_and_user_assignments(boss, agent, cworld, stranger, sessionmaker):
    role = str(cworld.role_ids["agent"])
    async with sessionmaker() as session:
        user_id = str(await session.scalar(select(User.id).where(User.email == cworld.emails["agent"])))
    status, body = await boss.get("/api/dashboards/roles/widgets", params={"roleId": role})
    assert status == 200 and body == {"widgetIds": [], "hasCustom": False, "scope": body["scope"]}
    assert body["scope"]["tenantId"] == str(cworld.tenant_id)
    status, body = await boss.put("/api/dashboards/roles/widgets", {"roleId": role, "widgetIds": [KPI]})
    assert status == 200 and body == {"ok": True, "widgetIds": [KPI]}
    assert (await agent.get("/api/dashboards/layout"))[1]["allowedWidgetIds"] == [KPI]
    status, body = await boss.get("/api/dashboards/users/widgets", params={"userId": user_id})
    assert status == 200 and body["mode"] == "inherit" and body["effectiveWidgetIds"] == [KPI]
    override = {"userId": user_id, "mode": "override", "widgetIds": [NEW_DEALS, "cases.open-cases"]}
    status, body = await boss.put("/api/dashboards/users/widgets", override)
    assert status == 200 and body["mode"] == "override"
    effective = (await boss.get("/api/dashboards/users/widgets", params={"userId": user_id}))[1]
    assert effective["hasCustom"] and effective["effectiveWidgetIds"] == [NEW_DEALS]  # no analytics.view
    assert (await boss.put("/api/dashboards/users/widgets", {"userId": user_id, "mode": "inherit"}))[0] == 200
    assert (await agent.get("/api/dashboards/layout"))[1]["allowedWidgetIds"] == [KPI]
    bad = await boss.put("/api/dashboards/roles/widgets", {"roleId": role, "widgetIds": ["nope"]})
    assert bad[0] == 400
    assert (await stranger.get("/api/dashboards/roles/widgets", params={"roleId": role}))[0] == 404
    assert (await stranger.get("/api/dashboards/users/widgets", params={"userId": user_id}))[0] == 404
    other_tenant = {"roleId": role, "tenantId": "00000000-0000-4000-8000-000000000000"}
    assert (await boss.get("/api/dashboards/roles/widgets", params=other_tenant))[0] == 404
    assert (await agent.get("/api/dashboards/roles/widgets", params={"roleId": role}))[0] == 403


async def test_widget_data_aggregates_in_scope(boss, stranger):
    for amount, status in ((100, "open"), (250, "open"), (1000, "won")):
        await created(
            boss, "/api/customers/deals", {"title": f"Deal {amount}", "valueAmount": amount, "status": status}
        )
    await created(
        stranger, "/api/customers/deals", {"title": "Theirs", "valueAmount": 99999, "status": "open"}
    )
    request = {"entityType": "customers:deal", "metric": {"field": "valueAmount", "aggregate": "sum"}}
    status, body = await boss.post("/api/dashboards/widgets/data", request)
    assert status == 200, body
    assert body["value"] == 1350 and body["metadata"]["recordCount"] == 3 and body["data"] == []
    grouped = {**request, "groupBy": {"field": "status"}}
    body = (await boss.post("/api/dashboards/widgets/data", grouped))[1]
    assert {d["groupKey"]: d["value"] for d in body["data"]} == {"won": 1000, "open": 350}
    by_month = {
        "entityType": "customers:deal",
        "metric": {"field": "id", "aggregate": "count"},
        "groupBy": {"field": "createdAt", "granularity": "month"},
        "dateRange": {"field": "createdAt", "preset": "last7days"},
        "comparison": {"type": "previous_period"},
    }
    body = (await boss.post("/api/dashboards/widgets/data", by_month))[1]
    assert body["value"] == 3 and sum(d["value"] for d in body["data"]) == 3
    assert body["comparison"]["value"] == 0 and body["comparison"]["direction"] == "up"
    filtered = {**request, "filters": [{"field": "status", "operator": "eq", "value": "won"}]}
    assert (await boss.post("/api/dashboards/widgets/data", filtered))[1]["value"] == 1000
    since = {**request, "filters": [{"field": "createdAt", "operator": "not_null"}]}
    assert (await boss.post("/api/dashboards/widgets/data", since))[1]["value"] == 1350
    window = {**request, "dateRange": {"start": "2000-01-01T00:00:00Z", "end": "2001-01-01T00:00:00Z"}}
    assert (await boss.post("/api/dashboards/widgets/data", window))[1]["value"] is None
    nobody = {
        **request,
        "filters": [{"field": "ownerUserId", "value": "00000000-0000-4000-8000-000000000000"}],
    }
    assert (await boss.post("/api/dashboards/widgets/data", nobody))[1]["metadata"]["recordCount"] == 0


async def test_widget_data_allow_list(boss, agent):
    for bad in (
        {"entityType": "users", "metric": {"field": "id", "aggregate": "count"}},
        {"entityType": "customers:deal", "metric": {"field": "password_hash", "aggregate": "count"}},
        {"entityType": "customers:deal", "metric": {"field": "title", "aggregate": "sum"}},
        {"entityType": "customers:deal", "metric": {"field": "id", "aggregate": "drop"}},
        {
            "entityType": "customers:deal",
            "metric": {"field": "id"},
            "groupBy": {"field": "title; drop table"},
        },
        {
            "entityType": "customers:deal",
            "metric": {"field": "id"},
            "groupBy": {"field": "status", "granularity": "month"},
        },
        {
            "entityType": "customers:deal",
            "metric": {"field": "id"},
            "filters": [{"field": "status", "value": {"a": 1}}],
        },
        {
            "entityType": "customers:deal",
            "metric": {"field": "id"},
            "comparison": {"type": "previous_period"},
        },
    ):
        status, body = await boss.post("/api/dashboards/widgets/data", bad)
        assert status == 400, (bad, body)
        assert "details" in body and "SELECT" not in str(body)
    assert (
        await agent.post(
            "/api/dashboards/widgets/data", {"entityType": "cases:case", "metric": {"field": "id"}}
        )
    )[0] == 403


async def test_crm_kpis(agent, reader):
    await created(agent, "/api/customers/people", {"firstName": "K", "lastName": "Pi"})
    await created(agent, "/api/customers/deals", {"title": "Open", "valueAmount": 500, "status": "open"})
    await case(agent)
    closed = await case(agent, title="done")
    await agent.put("/api/cases", {"id": closed, "statusValue": "closed"})
    status, body = await agent.get("/api/dashboards/crm/kpis")
    assert status == 200, body
    kpis = body["kpis"]
    assert kpis["openDeals"] >= 1 and kpis["pipelineValue"] >= 500 and kpis["people"] >= 1
    assert kpis["openCases"] >= 1
    reader_kpis = (await reader.get("/api/dashboards/crm/kpis"))[1]["kpis"]
    assert set(reader_kpis) == {"openCases"}  # the reader sees no customers


def test_registry_rejects_a_second_widget_with_the_same_id():
    import pytest

    from resolvers.dashboards.registry import WidgetSpec, register_widget

    with pytest.raises(ValueError):
        register_widget(WidgetSpec(id=KPI, title="Other", module_id="other", features=()))
    assert WIDGETS[KPI].module_id == "dashboards"


async def test_graphql_dashboard_fields_are_typed(boss):
    reply = await boss.gql(
        "{ dashboardLayout { canConfigure allowedWidgetIds layout { items { widgetId order } } context { userLabel } }"
        " dashboardWidgetCatalog { items { id moduleId features } } dashboardCrmKpis { items { id value } } }"
    )
    assert "errors" not in reply, reply
    data = reply["data"]
    assert data["dashboardLayout"]["canConfigure"] is True
    assert KPI in {w["id"] for w in data["dashboardWidgetCatalog"]["items"]}
    query = (
        'query($g: AggregationGroupByInput) { dashboardWidgetData(entityType: "cases:case", '
        'metric: {field: "id", aggregate: "count"}, groupBy: $g) { value data { groupKey value } metadata { recordCount } } }'
    )
    reply = await boss.gql(query, {"g": {"field": "priority"}})
    assert "errors" not in reply, reply
    assert (
        reply["data"]["dashboardWidgetData"]["metadata"]["recordCount"]
        == reply["data"]["dashboardWidgetData"]["value"]
    )


async def test_patching_the_default_layout_saves_it(agent):
    layout = (await agent.get("/api/dashboards/layout"))[1]["layout"]["items"]
    first = layout[0]
    status, _ = await agent.call("PATCH", f"/api/dashboards/layout/{first['id']}", json={"size": "sm"})
    assert status == 200
    saved = (await agent.get("/api/dashboards/layout"))[1]["layout"]["items"]
    assert [i["widgetId"] for i in saved] == [i["widgetId"] for i in layout]
    assert saved[0]["size"] == "sm" and saved[0]["id"] == first["id"]
