"""Insurers, insurer contacts and policies: CRUD in the documented shapes, references in scope,
business rules, cross-tenant 404s and the GraphQL walk customer -> deals -> policies -> insurer."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import make_world
from tests.insurance.conftest import Records


async def test_insurer_crud_round_trip(rec, admin):
    insurer = await rec.insurer("warta", "Warta", description="Motor lines", metadata={"rating": "A"})
    listed = await rec.list("/insurance/insurers", id=insurer)
    assert listed["total"] == 1 and listed["totalPages"] == 1
    item = listed["items"][0]
    assert item["code"] == "warta" and item["name"] == "Warta" and item["status"] == "active"
    assert item["isActive"] is True and item["metadata"] == {"rating": "A"}
    assert {"organizationId", "tenantId", "createdAt", "updatedAt", "description"} <= set(item)

    status, body = await admin.put(
        "/api/insurance/insurers", {"id": insurer, "description": None, "status": "inactive"}
    )
    assert (status, body) == (200, {"ok": True})
    assert (await rec.list("/insurance/insurers", status="inactive"))["items"][0]["description"] is None

    status, body = await admin.delete("/api/insurance/insurers", params={"id": insurer})
    assert (status, body) == (200, {"ok": True})
    assert (await rec.list("/insurance/insurers", id=insurer))["total"] == 0


async def test_status_must_be_a_configured_value(rec, admin):
    status, body = await admin.post("/api/insurance/insurers", {"code": "x", "name": "X", "status": "bogus"})
    assert status == 400 and body["details"][0]["path"] == ["status"]
    insurer = await rec.insurer()
    status, body = await admin.post(
        "/api/insurance/policies", {"policyNumber": "P-9", "insurerId": insurer, "status": "string"}
    )
    assert status == 400 and "Unknown status" in body["details"][0]["message"]


async def test_insurer_code_is_unique_and_empty_name_refused(rec, admin):
    await rec.insurer("dup", "One")
    status, body = await admin.post("/api/insurance/insurers", {"code": "dup", "name": "Two"})
    assert status == 409 and "constraint" not in str(body).lower()
    status, _ = await admin.post("/api/insurance/insurers", {"code": "blank", "name": "  "})
    assert status == 400


async def test_contacts_belong_to_their_insurer_with_one_default(rec, admin):
    insurer = await rec.insurer()
    first = await rec.contact(insurer, "First", isDefault=True, email="first@pzu.example")
    second = await rec.contact(insurer, "Second", isDefault=True)
    items = (await rec.list("/insurance/insurer-contacts", insurerId=insurer, sortField="fullName"))["items"]
    assert [(c["id"], c["isDefault"]) for c in items] == [(first, False), (second, True)]
    assert items[0]["email"] == "first@pzu.example" and items[0]["insurerId"] == insurer
    status, body = await admin.put(
        "/api/insurance/insurer-contacts", {"id": first, "phone": "+48 600", "role": "broker"}
    )
    assert (status, body) == (200, {"ok": True})
    status, _ = await admin.post("/api/insurance/insurer-contacts", {"insurerId": insurer})
    assert status == 400  # fullName is required
    status, _ = await admin.delete("/api/insurance/insurer-contacts", params={"id": second})
    assert status == 200
    assert await rec.ids("/insurance/insurer-contacts", insurerId=insurer) == [first]


async def test_policy_round_trip_with_links_and_filters(rec, admin):
    insurer = await rec.insurer()
    contact = await rec.contact(insurer)
    person = await rec.person()
    company = await rec.create("/customers/companies", {"displayName": "Riders Ltd"})
    deal = await rec.create("/customers/deals", {"title": "Bike + insurance", "personIds": [person]})
    policy = await rec.policy(
        insurer,
        "PZU/1",
        insurerContactId=contact,
        insuredPersonEntityId=person,
        referringPartnerEntityId=person,
        dealId=deal,
        resourceId="00000000-0000-4000-8000-000000000001",
        validFrom="2026-01-01T00:00:00Z",
        validTo="2027-01-01T00:00:00Z",
        status="active",
        metadata={"premium": 1200},
    )
    other = await rec.policy(insurer, "PZU/2", insuredCompanyEntityId=company)
    item = (await rec.list("/insurance/policies", id=policy))["items"][0]
    assert item["policyNumber"] == "PZU/1" and item["insurerContactId"] == contact and item["dealId"] == deal
    assert item["validFrom"] == "2026-01-01T00:00:00.000Z" and item["metadata"] == {"premium": 1200}
    assert item["catalogProductId"] is None and item["caretakerUserId"] is None
    assert await rec.ids("/insurance/policies", customerEntityId=person) == [policy]
    assert await rec.ids("/insurance/policies", customerEntityId=company) == [other]
    assert await rec.ids("/insurance/policies", referringPartnerEntityId=person) == [policy]
    assert await rec.ids("/insurance/policies", resourceId="00000000-0000-4000-8000-000000000001") == [policy]
    assert sorted(await rec.ids("/insurance/policies", insurerId=insurer)) == sorted([policy, other])
    assert (await rec.list("/insurance/policies", search="PZU/2"))["items"][0]["id"] == other

    status, body = await admin.put(
        "/api/insurance/policies", {"id": policy, "validTo": "2025-01-01T00:00:00Z"}
    )
    assert status == 400 and body["details"][0]["path"] == ["validTo"]
    status, _ = await admin.put(
        "/api/insurance/policies", {"id": policy, "insurerContactId": None, "metadata": None}
    )
    assert status == 200
    # An insurer with live policies cannot be deleted.
    status, body = await admin.delete("/api/insurance/insurers", params={"id": insurer})
    assert status == 409 and body["error"] == "Insurer has policies"


async def test_policy_contact_must_work_for_the_insurer(rec, admin):
    pzu, warta = await rec.insurer("pzu"), await rec.insurer("warta", "Warta")
    contact = await rec.contact(warta)
    status, body = await admin.post(
        "/api/insurance/policies", {"policyNumber": "X", "insurerId": pzu, "insurerContactId": contact}
    )
    assert status == 400 and body["details"][0]["path"] == ["insurerContactId"]


async def test_another_tenants_records_are_not_found(client, sessionmaker, rec, admin):
    other_world = await make_world(sessionmaker)
    other = Records(await login(client, other_world.admin_email))
    foreign_insurer = await other.insurer("foreign", "Foreign")
    foreign_person = await other.person("Far", "Away")
    foreign_policy = await other.policy(foreign_insurer, "F-1")

    status, _ = await admin.post(
        "/api/insurance/policies", {"policyNumber": "X", "insurerId": foreign_insurer}
    )
    assert status == 404
    insurer = await rec.insurer()
    status, _ = await admin.post(
        "/api/insurance/policies",
        {"policyNumber": "X", "insurerId": insurer, "insuredPersonEntityId": foreign_person},
    )
    assert status == 404
    status, _ = await admin.post(
        "/api/insurance/insurer-contacts", {"insurerId": foreign_insurer, "fullName": "Z"}
    )
    assert status == 404
    status, _ = await admin.put("/api/insurance/policies", {"id": foreign_policy, "metadata": {"x": 1}})
    assert status == 404
    status, _ = await admin.delete("/api/insurance/policies", params={"id": foreign_policy})
    assert status == 404
    status, _ = await admin.post("/api/insurance/leads", {"title": "L", "linkedPolicyId": foreign_policy})
    assert status == 404
    assert (await rec.list("/insurance/policies", id=foreign_policy))["total"] == 0


async def test_features_are_required(client, sessionmaker, anonymous):
    viewer_world = await make_world(sessionmaker, roles={"viewer": ["insurance.policies.view"]})
    viewer = await login(client, viewer_world.emails["viewer"])
    assert (await viewer.get("/api/insurance/policies"))[0] == 200
    status, body = await viewer.post("/api/insurance/policies", {"policyNumber": "X", "insurerId": "x"})
    assert status == 403 and body["requiredFeatures"] == ["insurance.policies.manage"]
    assert (await viewer.get("/api/insurance/insurers"))[0] == 403
    assert (await anonymous.get("/api/insurance/policies"))[0] == 401


async def test_graphql_walks_customer_deals_policies_insurer(rec, admin):
    insurer = await rec.insurer("gql", "GraphQL Insurance")
    person = await rec.person("Gina", "Query")
    deal = await rec.create("/customers/deals", {"title": "Walk", "personIds": [person]})
    policy = await rec.policy(insurer, "G-1", dealId=deal, insuredPersonEntityId=person)
    lead = await rec.lead("Linked", linkedPolicyId=policy)
    query = f"""{{ person(id: "{person}") {{
        policies {{ policyNumber }}
        deals {{ title policies {{ id policyNumber metadata insurer {{ code }} leads {{ id }} }} }}
    }} }}"""
    result = await admin.gql(query)
    assert "errors" not in result, result
    data = result["data"]["person"]
    assert data["policies"] == [{"policyNumber": "G-1"}]
    assert data["deals"] == [
        {
            "title": "Walk",
            "policies": [
                {
                    "id": policy,
                    "policyNumber": "G-1",
                    "metadata": None,
                    "insurer": {"code": "gql"},
                    "leads": [{"id": lead}],
                }
            ],
        }
    ]
    mutation = f"""mutation {{ createPolicy(input: {{policyNumber: "G-2", insurerId: "{insurer}", metadata: {{a: 1}}}})
        {{ id policyNumber metadata status }} }}"""
    created = (await admin.gql(mutation))["data"]["createPolicy"]
    assert created["metadata"] == {"a": 1} and created["status"] == "active"
