"""Integrations: the registry under a tenant's state, credentials sealed at rest and masked on read,
enable/disable and API versions (validated), health checks and the log, features and isolation."""

from __future__ import annotations

from sqlalchemy import select

from models.integrations import IntegrationState

STRIPE = "/api/integrations/payment_gateway_stripe"


async def test_registry_detail_and_unknown_ids(integrator, viewer):
    status, page = await viewer.get("/api/integrations")
    assert status == 200 and page["total"] == len(page["items"]) >= 5
    stripe = next(item for item in page["items"] if item["id"] == "payment_gateway_stripe")
    assert stripe["isEnabled"] and not stripe["hasCredentials"] and stripe["apiVersion"] == "2025-01-27"
    status, detail = await viewer.get(STRIPE)
    assert status == 200 and detail["health"]["status"] == "unknown"
    assert [f["key"] for f in detail["credentialFields"]] == ["secretKey", "webhookSecret"]
    status, _ = await viewer.get("/api/integrations/nope")
    assert status == 404
    status, reply = await viewer.get(STRIPE + "/credentials")
    assert status == 403 and reply["requiredFeatures"] == ["integrations.credentials.manage"]
    status, _ = await viewer.put(STRIPE + "/state", {"isEnabled": False})
    assert status == 403


async def test_credentials_are_sealed_masked_and_merged(integrator, iworld, sessionmaker):
    secret = "sk_test_1234567890abcdef"
    status, reply = await integrator.put(STRIPE + "/credentials", {"credentials": {"secretKey": secret}})
    assert status == 200 and reply["configured"]
    assert reply["credentials"] == {"secretKey": "••••cdef"}
    status, reply = await integrator.put(STRIPE + "/credentials", {"credentials": {"apiToken": "x"}})
    assert status == 400 and reply["details"][0]["path"] == ["credentials", "apiToken"]
    async with sessionmaker() as session:
        stored = await session.scalar(
            select(IntegrationState.credentials).where(
                IntegrationState.tenant_id == iworld.tenant_id,
                IntegrationState.integration_id == "payment_gateway_stripe",
            )
        )
    assert stored and secret not in stored and "secretKey" not in stored
    status, reply = await integrator.put(
        STRIPE + "/credentials", {"credentials": {"webhookSecret": "whsec_abc"}}
    )
    assert set(reply["credentials"]) == {"secretKey", "webhookSecret"}
    status, page = await integrator.get("/api/integrations")
    assert next(i for i in page["items"] if i["id"] == "payment_gateway_stripe")["hasCredentials"]


async def test_state_version_health_and_log(integrator):
    status, reply = await integrator.put("/api/integrations/carrier_inpost/version", {"apiVersion": "v9"})
    assert status == 400
    status, reply = await integrator.put("/api/integrations/carrier_inpost/version", {"apiVersion": "v1"})
    assert status == 200 and reply["apiVersion"] == "v1"
    status, health = await integrator.post("/api/integrations/carrier_inpost/health")
    assert status == 200 and health["status"] == "unconfigured" and "apiToken" in health["message"]
    await integrator.put(
        "/api/integrations/carrier_inpost/credentials",
        {"credentials": {"apiToken": "t0ken", "organizationId": "42"}},
    )
    status, health = await integrator.post("/api/integrations/carrier_inpost/health")
    assert health["status"] == "healthy" and health["checkedAt"]
    status, reply = await integrator.put("/api/integrations/carrier_inpost/state", {"isEnabled": False})
    assert status == 200 and reply["isEnabled"] is False
    status, health = await integrator.post("/api/integrations/carrier_inpost/health")
    assert health["status"] == "disabled"
    status, logs = await integrator.get("/api/integrations/logs", params={"integrationId": "carrier_inpost"})
    assert status == 200
    assert [e["message"] for e in logs["items"]][:3] == [
        "Health check: disabled",
        "Disabled",
        "Health check: healthy",
    ]
    assert logs["total"] == 6


async def test_other_tenants_see_only_their_own_state(integrator, outsider):
    await integrator.put("/api/integrations/currency_nbp/state", {"isEnabled": False})
    status, page = await outsider.get("/api/integrations")
    assert all(item["isEnabled"] and not item["hasCredentials"] for item in page["items"])
    status, logs = await outsider.get("/api/integrations/logs")
    assert status == 200 and logs["items"] == []
    status, creds = await outsider.get(STRIPE + "/credentials")
    assert creds["credentials"] == {} and not creds["configured"]
    theirs = await outsider.gql("{ integrationsList { items { id isEnabled } } integrationLogs { total } }")
    assert theirs["data"]["integrationLogs"]["total"] == 0
    assert all(item["isEnabled"] for item in theirs["data"]["integrationsList"]["items"])
