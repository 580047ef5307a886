"""SSRF refusals (documented 400), tenant isolation across REST and GraphQL, events catalog, features."""

from __future__ import annotations

import uuid

import pytest

from tests.webhooks.conftest import create_hook, run_worker

UNSAFE = [
    "http://127.0.0.1/hook",
    "http://10.1.2.3/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://localhost:8080/hook",  # a host name resolving to loopback
    "ftp://example.com/hook",
]


@pytest.mark.parametrize("url", UNSAFE)
async def test_unsafe_targets_are_refused(boss, url):
    status, body = await boss.post("/api/webhooks", {"name": "x", "url": url, "subscribedEvents": ["*"]})
    assert status == 400, body
    assert body["error"] == "Validation failed" and body["details"][0]["path"] == ["url"]


async def test_unsafe_update_refused_and_allowed_hosts_permit(boss, manager, receiver):
    status, body = await boss.post("/api/webhooks", {"name": "ok", "url": "https://93.184.215.14/x"})
    assert status == 201, body
    status, refused = await boss.put(f"/api/webhooks/{body['id']}", {"url": "http://192.168.0.10/x"})
    assert status == 400 and refused["details"][0]["code"] == "unsafe_url"
    # The manager's app runs with WEBHOOK_ALLOWED_HOSTS=127.0.0.1: the local receiver is permitted.
    assert (await create_hook(manager, receiver.url + "/allowed", ["*"]))["isActive"] is True
    status, still = await manager.post("/api/webhooks", {"name": "x", "url": "http://10.0.0.1/hook"})
    assert status == 400, still


async def test_tenants_are_isolated(manager, stranger, receiver, hook_settings, wworld, away):
    mine = await create_hook(manager, receiver.url + "/tenant-a", ["customers.person.created"])
    theirs = await create_hook(stranger, receiver.url + "/tenant-b", ["customers.person.created"])
    status, _ = await stranger.post("/api/customers/people", {"firstName": "Bea", "lastName": "Other"})
    assert status == 201
    await run_worker(hook_settings)
    assert receiver.at("/tenant-a") == [] and len(receiver.at("/tenant-b")) == 1

    for path in (
        f"/api/webhooks/{theirs['id']}",
        f"/api/webhooks/webhooks/{theirs['id']}",
    ):
        assert (await manager.get(path))[0] == 404
    assert (await manager.put(f"/api/webhooks/{theirs['id']}", {"name": "x"}))[0] == 404
    assert (await manager.post(f"/api/webhooks/{theirs['id']}/rotate-secret"))[0] == 404
    assert (await manager.post(f"/api/webhooks/{theirs['id']}/test", {}))[0] == 404
    assert (await manager.delete(f"/api/webhooks/webhooks?id={theirs['id']}"))[0] == 404
    status, listed = await manager.get("/api/webhooks?pageSize=100")
    ids = {item["id"] for item in listed["items"]}
    assert mine["id"] in ids and theirs["id"] not in ids
    status, deliveries = await stranger.get("/api/webhooks/deliveries")
    delivery_id = deliveries["items"][0]["id"]
    assert (await manager.get(f"/api/webhooks/deliveries/{delivery_id}"))[0] == 404
    assert (await manager.post(f"/api/webhooks/deliveries/{delivery_id}/retry"))[0] == 404
    status, own = await manager.get("/api/webhooks/webhook-deliveries?pageSize=100")
    assert delivery_id not in {item["id"] for item in own["items"]}

    query = """query($id: UUID!) { webhookEndpoint(id: $id) { id } webhookEndpoints { items { id } }
      webhookDeliveries { items { id webhook { id } } } }"""
    answer = await manager.gql(query, {"id": theirs["id"]})
    data = answer.get("data") or {}
    assert data.get("webhookEndpoint") is None
    assert theirs["id"] not in {i["id"] for i in data["webhookEndpoints"]["items"]}
    assert delivery_id not in {i["id"] for i in data["webhookDeliveries"]["items"]}


async def test_graphql_mutations_and_edges(manager, receiver):
    created = await manager.gql(
        """mutation($url: String!) { createWebhook(name: "Gql", url: $url, subscribedEvents: ["customers.*"])
          { id secret isActive } }""",
        {"url": receiver.url + "/gql"},
    )
    hook = created["data"]["createWebhook"]
    assert hook["secret"].startswith("whsec_")
    await manager.post(f"/api/webhooks/{hook['id']}/test", {})
    answer = await manager.gql(
        """query($id: UUID!) { webhookEndpoint(id: $id) { name url subscribedEvents maskedSecret: url
          deliveries { status messageId attempts { responseStatus } } } }""",
        {"id": hook["id"]},
    )
    node = answer["data"]["webhookEndpoint"]
    assert node["subscribedEvents"] == ["customers.*"]
    assert node["deliveries"][0]["status"] == "delivered"
    assert node["deliveries"][0]["attempts"][0]["responseStatus"] == 200
    updated = await manager.gql(
        """mutation($id: String!) { updateWebhook(id: $id, isActive: false) { id isActive } }""",
        {"id": hook["id"]},
    )
    assert updated["data"]["updateWebhook"]["isActive"] is False


async def test_events_catalog_and_features(viewer, boss):
    status, body = await viewer.get("/api/webhooks/events")
    assert status == 200 and body["total"] == len(body["data"])
    ids = [e["id"] for e in body["data"]]
    assert ids == sorted(ids) and "customers.person.updated" in ids
    assert not any(i.startswith("webhooks.") for i in ids)
    status, forbidden = await viewer.post("/api/webhooks", {"name": "x", "url": "https://example.com/x"})
    assert status == 403 and forbidden["requiredFeatures"] == ["webhooks.manage"]
    status, _ = await viewer.post(f"/api/webhooks/{uuid.uuid4()}/rotate-secret")
    assert status == 403
    status, bad = await boss.post(
        "/api/webhooks", {"name": "x", "url": "https://example.com/x", "maxRetries": -1}
    )
    assert status == 400 and bad["details"]
