"""Partner programs and their memberships."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import make_world
from tests.insurance.conftest import Records


async def test_program_crud(rec, admin):
    program = await rec.create(
        "/partner_programs/programs",
        {
            "name": "Riders",
            "validFrom": "2026-01-01T00:00:00Z",
            "metadata": {"tier": "gold"},
            "isActive": True,
        },
    )
    item = (await rec.list("/partner_programs/programs", ids=program))["items"][0]
    assert item["name"] == "Riders" and item["metadata"] == {"tier": "gold"} and item["validTo"] is None
    assert item["validFrom"] == "2026-01-01T00:00:00.000Z" and item["isActive"] is True
    status, body = await admin.put(
        "/api/partner_programs/programs", {"id": program, "description": "Club", "isActive": False}
    )
    assert (status, body) == (200, {"ok": True})
    assert await rec.ids("/partner_programs/programs", isActive="false") == [program]
    status, body = await admin.put(
        "/api/partner_programs/programs", {"id": program, "validTo": "2025-01-01T00:00:00Z"}
    )
    assert status == 400 and body["details"][0]["path"] == ["validTo"]
    assert (await admin.delete("/api/partner_programs/programs", params={"id": program}))[0] == 200
    assert (await rec.list("/partner_programs/programs", ids=program))["total"] == 0


async def test_memberships(rec, admin):
    program = await rec.create("/partner_programs/programs", {"name": "Referrals"})
    partner, other = await rec.person("Pia", "Partner"), await rec.person("Otto", "Other")
    base = f"/api/partner_programs/programs/{program}/memberships"
    status, created = await admin.post(base, {"partnerEntityId": partner, "role": "ambassador"})
    assert status == 201 and created["id"]
    status, _ = await admin.post(base, {"partnerEntityId": partner})
    assert status == 409  # one live membership per partner
    await admin.post(base, {"partnerEntityId": other})
    status, page = await admin.get(base)
    assert status == 200 and page["total"] == 2 and page["totalPages"] == 1
    mine = next(i for i in page["items"] if i["id"] == created["id"])
    assert (
        mine["partnerEntityId"] == partner and mine["role"] == "ambassador" and mine["programId"] == program
    )

    status, _ = await admin.delete(base, params={"partnerEntityId": other})
    assert status == 204
    status, _ = await admin.delete(base, json={"id": created["id"]})
    assert status == 204
    assert (await admin.get(base))[1]["total"] == 0
    assert (await admin.delete(base, params={"id": created["id"]}))[0] == 404
    assert (await admin.delete(base))[0] == 400

    result = await admin.gql(f'{{ partnerProgram(id: "{program}") {{ name memberships {{ id }} }} }}')
    assert result["data"]["partnerProgram"] == {"name": "Referrals", "memberships": []}


async def test_memberships_of_another_tenant(client, sessionmaker, rec, admin, anonymous):
    other = Records(await login(client, (await make_world(sessionmaker)).admin_email))
    foreign_program = await other.create("/partner_programs/programs", {"name": "Theirs"})
    foreign_person = await other.person()
    base = f"/api/partner_programs/programs/{foreign_program}/memberships"
    assert (await admin.get(base))[0] == 404
    assert (await admin.post(base, {"partnerEntityId": await rec.person()}))[0] == 404
    program = await rec.create("/partner_programs/programs", {"name": "Ours"})
    status, _ = await admin.post(
        f"/api/partner_programs/programs/{program}/memberships", {"partnerEntityId": foreign_person}
    )
    assert status == 404
    assert (await anonymous.get(base))[0] == 401
    assert (await admin.get("/api/partner_programs/programs/not-a-uuid/memberships"))[0] == 400
