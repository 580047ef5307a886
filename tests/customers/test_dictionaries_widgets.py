"""Dictionaries merged down the organization tree, the currency dictionary, the address-format
setting and the four dashboard widgets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.conftest import login
from tests.factories import make_world


async def test_dictionary_entries_merge_and_inherit(client, admin, world):
    """Root entries are inherited by the branch; a branch entry with the same value overrides."""
    status, hot = await admin.post(
        "/api/customers/dictionaries/statuses", {"value": "hot", "label": "Hot (root)"}
    )
    assert status == 201 and hot["organizationId"] == str(world.root_org) and hot["isInherited"] is False
    await admin.post("/api/customers/dictionaries/statuses", {"value": "warm", "color": "#FFAA00"})
    employee = _with_patch(await login(client, world.emails["employee"]))  # works in the branch, below root
    status, own_hot = await employee.post(
        "/api/customers/dictionaries/statuses", {"value": "HOT", "label": "Hot!"}
    )
    assert status == 201
    await employee.post("/api/customers/dictionaries/statuses", {"value": "cold", "icon": "snow"})

    status, body = await employee.get("/api/customers/dictionaries/statuses")
    assert status == 200
    assert [(i["value"], i["label"], i["isInherited"]) for i in body["items"]] == [
        ("cold", "cold", False),
        ("HOT", "Hot!", False),
        ("warm", "warm", True),
    ]
    assert body["items"][2]["color"] == "#ffaa00" and body["items"][0]["icon"] == "snow"
    # The root does not see the branch's entries.
    _, root_view = await admin.get("/api/customers/dictionaries/statuses")
    assert [(i["value"], i["isInherited"]) for i in root_view["items"]] == [("hot", False), ("warm", False)]
    # Other kinds are separate.
    assert (await employee.get("/api/customers/dictionaries/sources"))[1] == {"items": []}

    # POST with an existing value updates it (200) instead of duplicating.
    status, again = await employee.post(
        "/api/customers/dictionaries/statuses", {"value": "hot", "label": "Very hot"}
    )
    assert status == 200 and again["id"] == own_hot["id"] and again["label"] == "Very hot"

    status, patched = await employee.patch(own_hot["id"], {"label": "Scorching", "color": None})
    assert status == 200 and patched["label"] == "Scorching"
    cold = next(i for i in body["items"] if i["value"] == "cold")
    assert (await employee.patch(cold["id"], {"value": "hot"}))[0] == 409
    assert (await employee.patch(cold["id"], {}))[0] == 400
    assert (await employee.patch(cold["id"], {"color": "red"}))[0] == 400
    warm = body["items"][2]
    assert (await employee.patch(warm["id"], {"label": "mine now"}))[0] == 404  # inherited: read-only here
    assert (await employee.patch(str(uuid.uuid4()), {"label": "x"}))[0] == 404
    assert await employee.call("DELETE", f"/api/customers/dictionaries/statuses/{cold['id']}") == (
        200,
        {"success": True},
    )
    assert (await employee.call("DELETE", f"/api/customers/dictionaries/statuses/{cold['id']}"))[0] == 404
    assert (await employee.get("/api/customers/dictionaries/nonsense"))[0] == 400
    assert (await employee.post("/api/customers/dictionaries/statuses", {"label": "no value"}))[0] == 400


async def _patch(api, entry_id, body, kind="statuses"):
    return await api.call("PATCH", f"/api/customers/dictionaries/{kind}/{entry_id}", json=body)


def _with_patch(api):
    api.patch = lambda entry_id, body: _patch(api, entry_id, body)
    return api


async def test_dictionary_permissions_and_tenants(client, admin, world, sessionmaker):
    _with_patch(admin)
    _, entry = await admin.post("/api/customers/dictionaries/sources", {"value": "web"})
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/customers/dictionaries/sources"))[0] == 403
    other = await make_world(sessionmaker)
    stranger = _with_patch(await login(client, other.admin_email))
    assert (await stranger.get("/api/customers/dictionaries/sources"))[1] == {"items": []}
    assert (await stranger.patch(entry["id"], {"label": "x"}))[0] == 404


async def test_currency_dictionary_falls_back_to_ancestors(client, admin, world):
    assert await admin.get("/api/customers/dictionaries/currency") == (
        404,
        {"error": "Currency dictionary is not configured yet."},
    )
    await admin.post("/api/customers/dictionaries/currency", {"value": "PLN", "label": "Złoty"})
    await admin.post("/api/customers/dictionaries/currency", {"value": "EUR", "label": "Euro"})
    status, root = await admin.get("/api/customers/dictionaries/currency")
    assert status == 200 and [e["value"] for e in root["entries"]] == ["EUR", "PLN"]
    assert set(root["entries"][0]) == {"id", "value", "label"}
    employee = await login(client, world.emails["employee"])
    assert (await employee.get("/api/customers/dictionaries/currency"))[1] == root  # inherited from root
    await employee.post("/api/customers/dictionaries/currency", {"value": "USD"})
    status, branch = await employee.get("/api/customers/dictionaries/currency")
    assert branch["id"] != root["id"] and [e["value"] for e in branch["entries"]] == ["USD"]


async def test_address_format_setting(client, admin, world):
    assert await admin.get("/api/customers/settings/address-format") == (200, {"addressFormat": "line_first"})
    assert await admin.put("/api/customers/settings/address-format", {"addressFormat": "street_first"}) == (
        200,
        {"addressFormat": "street_first"},
    )
    assert await admin.get("/api/customers/settings/address-format") == (
        200,
        {"addressFormat": "street_first"},
    )
    assert (await admin.put("/api/customers/settings/address-format", {"addressFormat": "sideways"}))[
        0
    ] == 400
    employee = await login(client, world.emails["employee"])  # the branch keeps its own setting
    assert await employee.get("/api/customers/settings/address-format") == (
        200,
        {"addressFormat": "line_first"},
    )
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/customers/settings/address-format"))[0] == 403


async def test_widgets(client, crm, admin, world, sessionmaker):
    ann = await crm.person("Ann", "A")
    acme = await crm.company("Acme")
    await crm.person("Sib", "Ling", organizationId=str(world.other_org))
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    await crm.create(
        "interactions", {"entityId": ann, "interactionType": "call", "title": "Soon", "scheduledAt": soon}
    )
    await crm.create(
        "interactions", {"entityId": acme, "interactionType": "call", "title": "Late", "scheduledAt": past}
    )
    await crm.deal("Fresh", valueAmount=10, valueCurrency="EUR")
    await crm.create("todos", {"entityId": acme, "title": "Ring them"})

    _, body = await admin.get("/api/customers/dashboard/widgets/new-customers?limit=2")
    assert [i["displayName"] for i in body["items"]] == ["Sib Ling", "Acme"]
    assert set(body["items"][0]) == {
        "id",
        "displayName",
        "kind",
        "organizationId",
        "createdAt",
        "ownerUserId",
    }
    _, body = await admin.get("/api/customers/dashboard/widgets/new-customers?kind=company")
    assert [i["kind"] for i in body["items"]] == ["company"]
    _, body = await admin.get(
        f"/api/customers/dashboard/widgets/new-customers?organizationId={world.other_org}"
    )
    assert [i["displayName"] for i in body["items"]] == ["Sib Ling"]

    _, body = await admin.get("/api/customers/dashboard/widgets/new-deals")
    assert [(i["title"], i["valueAmount"], i["valueCurrency"]) for i in body["items"]] == [
        ("Fresh", 10.0, "EUR")
    ]

    _, body = await admin.get("/api/customers/dashboard/widgets/next-interactions")
    assert [i["nextInteractionName"] for i in body["items"]] == ["Soon"] and body["now"]
    _, body = await admin.get("/api/customers/dashboard/widgets/next-interactions?includePast=true")
    assert [i["nextInteractionName"] for i in body["items"]] == ["Late", "Soon"]

    _, body = await admin.get("/api/customers/dashboard/widgets/customer-todos")
    assert body["items"][0]["todoTitle"] == "Ring them"
    assert body["items"][0]["entity"] == {
        "id": acme,
        "displayName": "Acme",
        "kind": "company",
        "ownerUserId": None,
    }

    for bad in ("limit=0", "limit=21", "limit=x", "kind=robot", "organizationId=nope"):
        assert (await admin.get(f"/api/customers/dashboard/widgets/new-customers?{bad}"))[0] == 400, bad
    other = await make_world(sessionmaker)
    assert (await admin.get(f"/api/customers/dashboard/widgets/new-deals?tenantId={other.tenant_id}"))[
        0
    ] == 403
    assert (await admin.get(f"/api/customers/dashboard/widgets/new-deals?organizationId={other.root_org}"))[
        0
    ] == 403
    employee = await login(client, world.emails["employee"])  # no dashboards.view
    assert (await employee.get("/api/customers/dashboard/widgets/new-deals"))[0] == 403
