"""The five ``/insurance/config-*`` settings: defaults, validated replacement, access, effect."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.factories import make_world

STATUSES = {
    "statuses": [
        {"value": "open", "label": "Open", "color": "#00ff00", "isDefault": True},
        {"value": "won", "label": "Won"},
    ]
}
VALID = {
    "insurer-status": STATUSES,
    "lead-status": STATUSES,
    "policy-status": STATUSES,
    "policy-list-color-rules": {
        "rules": [
            {"color": "#f00", "label": "Soon", "expiresWithinDays": 14},
            {"color": "#000000", "statuses": ["won"]},
        ]
    },
    "protection-catalog": {
        "items": [{"code": "oc", "label": "OC"}, {"code": "gap", "label": "GAP", "sortOrder": 2}]
    },
}
INVALID = {
    "insurer-status": {"statuses": [{"value": "a", "label": "A"}, {"value": "a", "label": "Again"}]},
    "lead-status": {
        "statuses": [
            {"value": "a", "label": "A", "isDefault": True},
            {"value": "b", "label": "B", "isDefault": True},
        ]
    },
    "policy-status": {"statuses": [{"value": "Not A Slug", "label": "x"}]},
    "policy-list-color-rules": {"rules": [{"color": "red", "expired": True}]},
    "protection-catalog": {"items": [{"code": "oc", "label": "OC", "unknown": 1}]},
}


@pytest.mark.parametrize("name", sorted(VALID))
async def test_setting_defaults_then_replacement(admin, name):
    path = f"/api/insurance/config-{name}"
    status, default = await admin.get(path)
    assert status == 200 and default and isinstance(default, dict)
    status, stored = await admin.put(path, VALID[name])
    assert status == 200, stored
    status, read = await admin.get(path)
    assert status == 200 and read == stored
    assert {k: v for k, v in read.items()}.keys() == VALID[name].keys()


@pytest.mark.parametrize("name", sorted(INVALID))
async def test_invalid_setting_is_refused(admin, name):
    path = f"/api/insurance/config-{name}"
    before = (await admin.get(path))[1]
    status, body = await admin.put(path, INVALID[name])
    assert status == 400 and body["error"] == "Validation failed" and body["details"]
    assert (await admin.get(path))[1] == before
    status, _ = await admin.put(path, [1, 2])
    assert status == 400


async def test_settings_need_credentials_and_features(client, sessionmaker, anonymous):
    assert (await anonymous.get("/api/insurance/config-lead-status"))[0] == 401
    assert (await anonymous.put("/api/insurance/config-lead-status", STATUSES))[0] == 401
    viewer_world = await make_world(sessionmaker, roles={"viewer": ["insurance.leads.view"]})
    viewer = await login(client, viewer_world.emails["viewer"])
    assert (await viewer.get("/api/insurance/config-lead-status"))[0] == 200
    status, body = await viewer.put("/api/insurance/config-lead-status", STATUSES)
    assert status == 403 and body["requiredFeatures"] == ["insurance.leads.manage"]
    assert (await viewer.get("/api/insurance/config-policy-status"))[0] == 403


async def test_status_settings_govern_records(admin, rec):
    status, _ = await admin.put("/api/insurance/config-lead-status", STATUSES)
    assert status == 200
    lead = await rec.lead("Uses the configured default")
    assert (await rec.list("/insurance/leads", id=lead))["items"][0]["status"] == "open"
    assert (await admin.put("/api/insurance/leads", {"id": lead, "status": "won"}))[0] == 200
    assert (await admin.put("/api/insurance/leads", {"id": lead, "status": "new"}))[0] == 400


async def test_settings_over_graphql(admin):
    result = await admin.gql(
        'mutation { setInsurancePolicyStatusConfig(statuses: [{value: "live", label: "Live"}]) { statuses { value isDefault } } }'
    )
    assert result["data"]["setInsurancePolicyStatusConfig"]["statuses"] == [
        {"value": "live", "isDefault": False}
    ]
    result = await admin.gql("{ insurancePolicyStatusConfig { statuses { value } } }")
    assert result["data"]["insurancePolicyStatusConfig"]["statuses"] == [{"value": "live"}]
    result = await admin.gql(
        'mutation { setInsuranceProtectionCatalogConfig(items: [{code: "BAD CODE", label: "x"}]) { items { code } } }'
    )
    assert result["errors"] and "Unexpected" not in result["errors"][0]["message"]
