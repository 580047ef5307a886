"""The OpenAPI document and docs page are generated from the registered operations."""

from __future__ import annotations

from openapi_compat.routing import REGISTRY


async def test_openapi_document(anonymous):
    status, doc = await anonymous.get("/api/docs/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")
    operations = [(m.upper(), p) for p, methods in doc["paths"].items() for m in methods]
    assert len(operations) == len(REGISTRY)
    users = doc["paths"]["/api/auth/users"]["post"]
    assert users["x-required-features"] == ["auth.users.create"]
    assert "Requires features: auth.users.create" in users["description"]
    assert users["security"] and "401" in users["responses"] and "403" in users["responses"]
    login = doc["paths"]["/api/auth/login"]["post"]
    assert "security" not in login
    assert "application/x-www-form-urlencoded" in login["requestBody"]["content"]
    roles = doc["paths"]["/api/auth/roles"]["get"]
    assert {p["name"] for p in roles["parameters"]} >= {"page", "pageSize", "search", "tenantId"}


async def test_docs_page_and_health(client):
    response = await client.get("/api/docs")
    text = await response.text()
    assert response.status == 200 and "/api/auth/login" in text
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 200 and body["ok"] is True
    assert body["redis"] == "up"
    response = await client.get("/readyz")
    assert (await response.json())["database"] == "up"
