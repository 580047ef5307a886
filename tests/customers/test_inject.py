"""``POST /customers/deals/inject``: inbound form -> referring partner, contact person, deal, comment."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, login
from tests.customers.conftest import Customers
from tests.factories import make_world

COOPERATION = {
    "fullname": "Anna Maria Nowak",
    "email": "anna@example.com",
    "phone": "+48 987 654 321",
    "vehicle": "BMW X5",
    "message": "Interested in cooperation.",
    "consent": True,
    "referralCode": {"code": "PART-NER-1", "owner": "Jan Kowalski"},
}
WIZARD = {
    "stepOne": {"brandAndModel": "Audi A4", "plateNumber": "KR 12345", "vinNumber": "WAUZZZ8K9DA000000"},
    "stepTwo": {"typeOfUse": "private"},
    "stepFinal": {
        "fullname": "Piotr Zieliński",
        "email": "piotr@example.com",
        "phone": "600 100 200",
        "additionalInfo": "Call after 5pm",
    },
}


def inject_body(world: Any, external_id: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "organizationId": str(world.root_org),
        "tenantId": str(world.tenant_id),
        "title": "Website lead",
        "externalId": external_id,
        "payload": payload,
        **extra,
    }


async def test_cooperation_form_creates_partner_person_deal_and_comment(crm, admin, world):
    pipeline, (first_stage, _) = await crm.pipeline("Website", isDefault=True)
    status, body = await admin.post(
        "/api/customers/deals/inject", inject_body(world, "strapi-1", COOPERATION)
    )
    assert status == 201, body
    assert body["created"] is True and body["personEntityId"] and body["referringPartnerEntityId"]
    assert body["commentId"]

    partner = (await crm.list("people", ids=body["referringPartnerEntityId"]))["items"][0]
    assert partner["display_name"] == "Jan Kowalski" and partner["crm_record_type"] == "partner"
    assert partner["referral_code"] == "PARTNER1" and partner["source"] == "rsmotoconcierge-strapi"
    person = (await crm.list("people", ids=body["personEntityId"]))["items"][0]
    assert (person["first_name"], person["last_name"]) == ("Anna", "Maria Nowak")
    assert person["primary_email"] == "anna@example.com" and person["crm_record_type"] == "customer"

    _, detail = await admin.get(f"/api/customers/deals/{body['id']}")
    deal = detail["deal"]
    assert deal["title"] == "Website lead" and deal["status"] == "open" and deal["pipelineId"] == pipeline
    assert deal["pipelineStageId"] == first_stage and deal["source"] == "rsmotoconcierge-strapi"
    assert [p["id"] for p in detail["people"]] == [body["personEntityId"]]
    assert deal["description"] == (
        "Imię i nazwisko: Anna Maria Nowak\nPojazd: BMW X5\nTelefon: +48 987 654 321\n"
        "E-mail: anna@example.com\n"
        "\nWiadomość:\nInterested in cooperation."
    )
    listed = (await crm.list("deals", ids=body["id"]))["items"][0]
    assert listed["payload"]["formKind"] == "cooperation" and listed["payload"]["strapi"] == COOPERATION
    assert listed["payload"]["subject"] == {"vehicle": {"brandAndModel": "BMW X5"}}
    comments = (await crm.list("comments", entityId=body["personEntityId"]))["items"]
    assert [(c["id"], c["deal_id"], c["body"]) for c in comments] == [
        (body["commentId"], body["id"], deal["description"])
    ]

    # Idempotent by externalId.
    status, again = await admin.post(
        "/api/customers/deals/inject", inject_body(world, "strapi-1", COOPERATION)
    )
    assert status == 200 and again == {
        "id": body["id"],
        "created": False,
        "personEntityId": None,
        "referringPartnerEntityId": body["referringPartnerEntityId"],
        "commentId": None,
    }
    # A second form from the same contact with the same code reuses the person and the partner.
    status, second = await admin.post(
        "/api/customers/deals/inject", inject_body(world, "strapi-2", COOPERATION)
    )
    assert status == 201 and second["id"] != body["id"]
    assert second["personEntityId"] == body["personEntityId"]
    assert second["referringPartnerEntityId"] == body["referringPartnerEntityId"]
    assert len(await crm.ids("people")) == 2


async def test_insurance_wizard_and_phone_matching(crm, admin, world):
    known = await crm.person("Piotr", "Known", primaryPhone="(600) 100-200")
    form = {**WIZARD, "stepFinal": {**WIZARD["stepFinal"], "email": ""}}
    status, body = await admin.post(
        "/api/customers/deals/inject", inject_body(world, "wiz-1", form, source="wizard")
    )
    assert status == 201 and body["personEntityId"] == known and body["referringPartnerEntityId"] is None
    listed = (await crm.list("deals", ids=body["id"]))["items"][0]
    assert listed["source"] == "wizard" and listed["pipeline_id"] is None
    assert listed["payload"]["formKind"] == "insurance"
    assert listed["payload"]["subject"]["vehicle"]["plateNumber"] == "KR 12345"
    assert (
        "Rejestracja: KR 12345" in listed["description"] and "VIN: WAUZZZ8K9DA000000" in listed["description"]
    )
    assert listed["description"].endswith("Wiadomość:\nCall after 5pm")

    status, body = await admin.post("/api/customers/deals/inject", inject_body(world, "wiz-2", WIZARD))
    assert status == 201 and body["personEntityId"] == known  # e-mail unknown, phone digits match

    status, body = await admin.post(
        "/api/customers/deals/inject", inject_body(world, "empty", {"message": "Hi"})
    )
    assert status == 201 and body["personEntityId"] is None and body["commentId"] is None


async def test_referral_code_of_a_plain_customer_conflicts(crm, admin, world):
    await crm.person("Plain", "Customer", referralCode="TAKEN123")
    form = {**COOPERATION, "referralCode": {"code": "TAKEN-123"}}
    status, body = await admin.post("/api/customers/deals/inject", inject_body(world, "x-1", form))
    assert status == 409 and body["error"]
    assert await crm.ids("deals") == set()


async def test_inject_errors_and_api_key(client, sessionmaker, admin, world, anonymous):
    body = inject_body(world, "e-1", COOPERATION)
    assert (await anonymous.post("/api/customers/deals/inject", body))[0] == 401
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.post("/api/customers/deals/inject", body))[0] == 403
    assert (await admin.post("/api/customers/deals/inject", {**body, "unexpected": 1}))[0] == 400
    assert (await admin.post("/api/customers/deals/inject", {**body, "externalId": ""}))[0] == 400
    assert (await admin.post("/api/customers/deals/inject", {**body, "payload": "text"}))[0] == 400
    other = await make_world(sessionmaker)
    assert (await admin.post("/api/customers/deals/inject", {**body, "tenantId": str(other.tenant_id)}))[
        0
    ] == 403
    assert (await admin.post("/api/customers/deals/inject", {**body, "organizationId": str(other.root_org)}))[
        0
    ] == 403

    intake = await make_world(sessionmaker, roles={"intake": ["lead_intake.deals.inject"]})
    intake_admin = await login(client, intake.admin_email)
    _, key = await intake_admin.post("/api/api_keys/keys", {"name": "strapi", "roles": ["intake"]})
    robot = Api(client, {"X-Api-Key": key["secret"]})
    status, created = await robot.post(
        "/api/customers/deals/inject", inject_body(intake, "robot-1", COOPERATION)
    )
    assert status == 201 and created["created"] is True
    assert (await Customers(intake_admin).list("deals", ids=created["id"]))["total"] == 1
    assert (await robot.get("/api/customers/deals"))[0] == 403  # the key may inject, nothing else
