"""Leads: CRUD and filters, attachments (multipart upload, JSON import from a URL with the SSRF
guard), and ``POST /insurance/leads/inject`` (mapping, referring partner, idempotency, API keys)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestServer

from resolvers.insurance.attachments import ALLOW_PRIVATE_ENV
from tests.conftest import Api, login
from tests.factories import make_world
from tests.insurance.conftest import Records

WIZARD = {
    "stepOne": {"brandAndModel": "Honda Africa Twin", "plateNumber": "WX 1234"},
    "stepThree": {"ac": True},
    "stepFinal": {"fullname": "Ola Rider", "email": "ola@example.com", "phone": "600 700 800"},
    "referralCode": {"code": "CLUB-77", "owner": "Marek Klub"},
}


def inject_body(world: Any, external_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "organizationId": str(world.root_org),
        "tenantId": str(world.tenant_id),
        "title": "Insurance inquiry",
        "externalId": external_id,
        "payload": payload,
    }


def pdf_form(name: str = "id.pdf", **fields: str) -> FormData:
    form = FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("file", b"%PDF-1.4 scan", filename=name, content_type="application/pdf")
    return form


@pytest.fixture
async def files_server():
    """A local HTTP server serving one file (what a Strapi media URL would be)."""

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=b"remote bytes", content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/uploads/{name}", serve)
    server = TestServer(app)
    await server.start_server()
    yield server
    await server.close()


async def test_lead_crud_and_filters(rec, admin):
    insurer = await rec.insurer()
    policy = await rec.policy(insurer)
    partner = await rec.person("Pat", "Partner")
    lead = await rec.lead("OC quote", source="web", externalId="ext-1", payload={"bike": "R1"})
    linked = await rec.lead("Linked", linkedPolicyId=policy, referringPartnerEntityId=partner)
    item = (await rec.list("/insurance/leads", id=lead))["items"][0]
    assert (item["title"], item["status"], item["source"], item["externalId"]) == (
        "OC quote",
        "new",
        "web",
        "ext-1",
    )
    assert item["payload"] == {"bike": "R1"} and item["linkedPolicyId"] is None
    assert await rec.ids("/insurance/leads", unlinkedOnly="true") == [lead]
    assert await rec.ids("/insurance/leads", linkedPolicyId=policy) == [linked]
    assert await rec.ids("/insurance/leads", externalId="ext-1", source="web") == [lead]
    status, body = await admin.put(
        "/api/insurance/leads", {"id": lead, "status": "qualified", "linkedPolicyId": policy}
    )
    assert (status, body) == (200, {"ok": True})
    assert sorted(await rec.ids("/insurance/leads", status="qualified", linkedPolicyId=policy)) == [lead]
    status, _ = await admin.put("/api/insurance/leads", {"id": lead, "status": "lost-in-space"})
    assert status == 400
    status, _ = await admin.put("/api/insurance/leads", {"id": "not-a-uuid", "source": None})
    assert status == 400
    status, _ = await admin.post("/api/insurance/leads", {"title": "Dup", "externalId": "ext-1"})
    assert status == 409
    assert (await admin.delete("/api/insurance/leads", params={"id": linked}))[0] == 200
    assert (await rec.list("/insurance/leads", id=linked))["total"] == 0


async def test_multipart_attachment(rec, admin):
    lead = await rec.lead()
    status, body = await admin.post(
        f"/api/insurance/leads/{lead}/attachments", data=pdf_form(tags='["id-card"]')
    )
    assert status == 201, body
    assert body["ok"] is True and body["item"]["fileName"] == "id.pdf" and body["item"]["fileSize"] == 13
    assert (
        body["item"]["url"] == f"/api/attachments/file/{body['item']['id']}"
        and body["item"]["content"] is None
    )
    result = await admin.gql(
        f'{{ insuranceLead(id: "{lead}") {{ attachments {{ id fileName contentType }} }} }}'
    )
    assert result["data"]["insuranceLead"]["attachments"] == [
        {"id": body["item"]["id"], "fileName": "id.pdf", "contentType": "application/pdf"}
    ]
    status, body = await admin.post(f"/api/insurance/leads/{lead}/attachments", data=pdf_form(tags="{oops"))
    assert status == 400 and body["details"][0]["path"] == ["tags"]
    form = FormData()
    form.add_field("note", "no file")
    assert (await admin.post(f"/api/insurance/leads/{lead}/attachments", data=form))[0] == 400


async def test_attachment_of_another_tenants_lead_is_not_found(client, sessionmaker, admin):
    other = Records(await login(client, (await make_world(sessionmaker)).admin_email))
    foreign = await other.lead()
    status, body = await admin.post(f"/api/insurance/leads/{foreign}/attachments", data=pdf_form())
    assert status == 404 and body == {"error": "Lead not found"}
    status, _ = await admin.post(
        f"/api/insurance/leads/{foreign}/attachments", {"sourceUrl": "https://example.com/a"}
    )
    assert status == 404


async def test_json_import_refuses_private_addresses_and_bad_urls(rec, admin, files_server, monkeypatch):
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    lead = await rec.lead()
    url = str(files_server.make_url("/uploads/photo.jpg"))
    status, body = await admin.post(f"/api/insurance/leads/{lead}/attachments", {"sourceUrl": url})
    assert status == 422 and body["error"] == "Remote file could not be fetched"
    status, _ = await admin.post(
        f"/api/insurance/leads/{lead}/attachments", {"sourceUrl": "file:///etc/passwd"}
    )
    assert status == 400
    status, _ = await admin.post(f"/api/insurance/leads/{lead}/attachments", {"fileName": "x"})
    assert status == 400


async def test_json_import_fetches_the_file(rec, admin, files_server, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    lead = await rec.lead()
    url = str(files_server.make_url("/uploads/photo.jpg"))
    status, body = await admin.post(
        f"/api/insurance/leads/{lead}/attachments", {"sourceUrl": url, "fileName": "bike.jpg"}
    )
    assert status == 201, body
    assert body["item"]["fileName"] == "bike.jpg" and body["item"]["fileSize"] == len(b"remote bytes")
    missing = str(files_server.make_url("/nothing"))
    status, _ = await admin.post(f"/api/insurance/leads/{lead}/attachments", {"sourceUrl": missing})
    assert status == 422


async def test_inject_maps_the_inquiry_and_is_idempotent(rec, admin, world, files_server, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    url = str(files_server.make_url("/uploads/licence.jpg"))
    payload = {**WIZARD, "attachments": [{"url": url, "name": "licence.jpg"}, "not a url"]}
    status, body = await admin.post("/api/insurance/leads/inject", inject_body(world, "strapi-9", payload))
    assert status == 201, body
    assert body["created"] is True and body["referringPartnerEntityId"]
    assert [a["fileName"] for a in body["attachments"]] == ["licence.jpg"]
    lead = (await rec.list("/insurance/leads", id=body["id"]))["items"][0]
    assert (
        lead["externalId"] == "strapi-9" and lead["status"] == "new" and lead["title"] == "Insurance inquiry"
    )
    assert lead["payload"]["formKind"] == "insurance" and lead["payload"]["strapi"] == payload
    assert lead["payload"]["contact"]["email"] == "ola@example.com"
    assert lead["referringPartnerEntityId"] == body["referringPartnerEntityId"]
    partner = (await rec.list("/customers/people", ids=body["referringPartnerEntityId"]))["items"][0]
    assert partner["crm_record_type"] == "partner" and partner["referral_code"] == "CLUB77"

    status, again = await admin.post("/api/insurance/leads/inject", inject_body(world, "strapi-9", payload))
    assert status == 200 and again == {**body, "created": False}
    assert (await rec.list("/insurance/leads", externalId="strapi-9"))["total"] == 1
    # The same referral code finds the same partner.
    status, third = await admin.post("/api/insurance/leads/inject", inject_body(world, "strapi-10", WIZARD))
    assert status == 201 and third["referringPartnerEntityId"] == body["referringPartnerEntityId"]
    assert third["attachments"] == []


async def test_inject_checks_scope_and_input(client, sessionmaker, admin, world):
    other = await make_world(sessionmaker)
    status, _ = await admin.post("/api/insurance/leads/inject", inject_body(other, "x-1", WIZARD))
    assert status == 403
    status, body = await admin.post(
        "/api/insurance/leads/inject", {**inject_body(world, "x-2", WIZARD), "payload": "no"}
    )
    assert status == 400 and body["error"] == "Validation failed"


async def test_inject_with_an_api_key_holding_only_the_inject_feature(client, sessionmaker):
    desk = await make_world(sessionmaker, roles={"desk": ["insurance_desk.leads.inject"]})
    desk_admin = await login(client, desk.admin_email)
    _, key = await desk_admin.post("/api/api_keys/keys", {"name": "strapi", "roles": ["desk"]})
    robot = Api(client, {"X-Api-Key": key["secret"]})
    status, body = await robot.post("/api/insurance/leads/inject", inject_body(desk, "robot-1", WIZARD))
    assert status == 201 and body["created"] is True
    assert (await Records(desk_admin).list("/insurance/leads", id=body["id"]))["total"] == 1
    assert (await robot.get("/api/insurance/leads"))[0] == 403  # the key may inject, nothing else
    assert (await Api(client).post("/api/insurance/leads/inject", inject_body(desk, "r-2", WIZARD)))[0] == 401
