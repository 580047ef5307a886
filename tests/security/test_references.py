"""Item 13: referenced organizations are checked in the caller's tenant; lookups leak no ids."""

from __future__ import annotations

import uuid

from tests.conftest import login
from tests.factories import make_world
from tests.security.helpers import ALL_ORGS

NOT_FOUND = {
    "error": "Validation failed",
    "details": [{"code": "not_found", "message": "Organization not found", "path": ["organizationId"]}],
}


async def test_records_cannot_point_at_another_tenants_organization(client, sessionmaker):
    victim = await make_world(sessionmaker)
    home = await make_world(sessionmaker)
    admin = await login(client, home.admin_email)
    creates = {
        "/api/customers/people": {"firstName": "Eve", "lastName": "Spy"},
        "/api/customers/tags": {"label": f"tag-{uuid.uuid4().hex[:6]}"},
        "/api/auth/users": {"email": f"spy-{uuid.uuid4().hex[:6]}@example.com", "password": "spy-pass-1"},
        "/api/api_keys/keys": {"name": "spy"},
    }
    for path, body in creates.items():
        for org in (victim.root_org, uuid.uuid4()):  # another tenant's id and a random one: same answer
            status, answer = await admin.post(path, {**body, "organizationId": str(org)}, headers=ALL_ORGS)
            assert (status, answer) == (400, NOT_FOUND), (path, answer)
        status, created = await admin.post(
            path, {**body, "organizationId": str(home.branch_org)}, headers=ALL_ORGS
        )
        assert status == 201, (path, created)
    _, people = await admin.get("/api/customers/people?pageSize=100", headers=ALL_ORGS)
    person = people["items"][0]["id"]
    status, answer = await admin.put(
        "/api/customers/people", {"id": person, "organizationId": str(victim.root_org)}, headers=ALL_ORGS
    )
    assert (status, answer) == (400, NOT_FOUND)


async def test_organization_lookup_exposes_no_ids(client, sessionmaker, anonymous):
    victim = await make_world(sessionmaker)
    other = await make_world(sessionmaker)
    victim_admin = await login(client, victim.admin_email)
    slug = f"hidden-{uuid.uuid4().hex[:10]}"
    _, org = await victim_admin.post("/api/directory/organizations", {"name": "Hidden", "slug": slug})
    status, body = await anonymous.get(f"/api/directory/organizations/lookup?slug={slug}")
    assert (status, body) == (200, {"ok": True, "organization": {"name": "Hidden", "slug": slug}})
    assert str(victim.tenant_id) not in str(body) and org["id"] not in str(body)
    stranger = await login(client, other.admin_email)
    assert (await stranger.get(f"/api/directory/organizations/lookup?slug={slug}"))[0] == 404
    assert (await stranger.get(f"/api/directory/organizations/lookup?id={org['id']}"))[0] == 404
    status, body = await victim_admin.get(f"/api/directory/organizations/lookup?slug={slug}")
    assert status == 200 and body["organization"]["id"] == org["id"]
