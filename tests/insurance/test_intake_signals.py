"""``POST /lead-intake`` and ``/customer_signals/signals``: idempotent ingestion, as documented."""

from __future__ import annotations

from tests.conftest import Api, login
from tests.factories import make_world
from tests.insurance.conftest import Records

FORM = {
    "fullName": "Iga Intake",
    "primaryEmail": "iga@example.com",
    "vehicle": "KTM 890 Adventure",
    "message": "Need a service and OC",
    "marketingConsent": True,
}


async def test_lead_intake_creates_person_and_deal_once(rec, admin):
    status, body = await admin.post("/api/lead-intake", FORM)
    assert status == 201, body
    assert set(body) == {"personEntityId", "personProfileId", "dealId", "commentId"}
    assert body["personProfileId"] is None and body["commentId"]
    person = (await rec.list("/customers/people", ids=body["personEntityId"]))["items"][0]
    assert person["primary_email"] == "iga@example.com" and person["display_name"] == "Iga Intake"
    deal = (await rec.list("/customers/deals", ids=body["dealId"]))["items"][0]
    assert deal["title"] == "Lead: Iga Intake" and deal["source"] == "lead-intake"

    status, again = await admin.post("/api/lead-intake", FORM)
    assert (
        status == 200
        and again["dealId"] == body["dealId"]
        and again["personEntityId"] == body["personEntityId"]
    )
    # Another submission by the same person: a new deal for the same person.
    status, other = await admin.post("/api/lead-intake", {**FORM, "message": "Also winter storage"})
    assert (
        status == 201
        and other["dealId"] != body["dealId"]
        and other["personEntityId"] == body["personEntityId"]
    )
    status, keyed = await admin.post("/api/lead-intake", {**FORM, "externalId": "form-1"})
    assert status == 201
    assert (await admin.post("/api/lead-intake", {**FORM, "message": "changed", "externalId": "form-1"}))[
        1
    ] == {**keyed}


async def test_lead_intake_validation_and_auth(admin, anonymous):
    status, body = await admin.post("/api/lead-intake", {**FORM, "primaryEmail": "not-an-email"})
    assert status == 400 and body["details"][0]["path"] == ["primaryEmail"]
    assert (await admin.post("/api/lead-intake", {"primaryEmail": "a@b.co"}))[0] == 400
    assert (await anonymous.post("/api/lead-intake", FORM))[0] == 401


async def test_lead_intake_with_an_api_key(client, sessionmaker):
    site = await make_world(sessionmaker, roles={"site": ["lead_intake.submit"]})
    site_admin = await login(client, site.admin_email)
    _, key = await site_admin.post("/api/api_keys/keys", {"name": "website", "roles": ["site"]})
    robot = Api(client, {"X-Api-Key": key["secret"]})
    status, body = await robot.post("/api/lead-intake", FORM)
    assert status == 201, body
    assert (await Records(site_admin).list("/customers/deals", ids=body["dealId"]))["total"] == 1
    assert (await robot.get("/api/customers/deals"))[0] == 403


async def test_signals_are_ingested_once_and_listed(rec, admin):
    person = await rec.person("Sig", "Nal", primaryEmail="sig@example.com")
    signal = {
        "signalType": "website_visit",
        "source": "web",
        "externalId": "visit-1",
        "customerEmail": "SIG@example.com",
    }
    status, body = await admin.post("/api/customer_signals/signals", {**signal, "payload": {"page": "/oc"}})
    assert status == 201 and body["created"] is True
    status, again = await admin.post("/api/customer_signals/signals", signal)
    assert (status, again) == (200, {"id": body["id"], "created": False})
    other_source = await admin.post("/api/customer_signals/signals", {**signal, "source": "app"})
    assert other_source[0] == 201
    listed = await rec.list("/customer_signals/signals", customerEntityId=person, source="web")
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["signalType"] == "website_visit" and item["payload"] == {"page": "/oc"} and item["occurredAt"]
    result = await admin.gql(f'{{ customerSignal(id: "{body["id"]}") {{ customer {{ id }} externalId }} }}')
    assert result["data"]["customerSignal"] == {"customer": {"id": person}, "externalId": "visit-1"}


async def test_signal_errors(client, sessionmaker, admin, anonymous):
    status, body = await admin.post("/api/customer_signals/signals", {"signalType": "x"})
    assert status == 400 and body["details"][0]["path"] == ["externalId"]
    status, _ = await admin.post(
        "/api/customer_signals/signals",
        {"signalType": "x", "externalId": "e", "customerEmail": "nobody@example.com"},
    )
    assert status == 404
    foreign = await Records(await login(client, (await make_world(sessionmaker)).admin_email)).person()
    status, _ = await admin.post(
        "/api/customer_signals/signals", {"signalType": "x", "externalId": "e2", "customerEntityId": foreign}
    )
    assert status == 404
    assert (await anonymous.get("/api/customer_signals/signals"))[0] == 401
    assert (await anonymous.post("/api/customer_signals/signals", {"signalType": "x", "externalId": "e"}))[
        0
    ] == 401
