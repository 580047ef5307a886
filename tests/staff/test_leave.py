"""Leave requests: validation, the pending -> approved/rejected machine (409 otherwise), the
unavailability an approval adds, decided requests kept as a record, and the GraphQL walk."""

from __future__ import annotations

from sqlalchemy import select

from models.audit import ActionLog
from tests.staff.conftest import LEAVE


async def test_validation(staff):
    member = await staff.member()
    for bad, path in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"endDate": "2030-06-01T00:00:00.000Z"}, "endDate"),
        ({"memberId": None}, "memberId"),
    ):
        status, body = await staff.api.post("/api/staff/leave-requests", {"memberId": member, **LEAVE, **bad})
        assert status == 400 and body["error"] and body["details"][0]["path"] == [path], (bad, body)
    status, _ = await staff.api.post(
        "/api/staff/leave-requests", {**LEAVE, "memberId": "6f1c1a2e-0000-4000-8000-000000000001"}
    )
    assert status == 404


async def test_approve_adds_unavailability_and_freezes_the_request(staff, sessionmaker):
    member = await staff.member("Ola")
    leave = await staff.leave(member, note="Holiday", unavailabilityReasonValue="vacation")
    (item,) = (await staff.list("leave-requests", ids=leave))["items"]
    assert item["status"] == "pending" and item["member"] == {"id": member, "display_name": "Ola"}
    assert item["submitted_by_user_id"]
    status, body = await staff.api.post(
        "/api/staff/leave-requests/accept", {"id": leave, "decisionComment": "Enjoy"}
    )
    assert (status, body) == (200, {"ok": True, "id": leave})
    (item,) = (await staff.list("leave-requests", ids=leave))["items"]
    assert (item["status"], item["decision_comment"]) == ("approved", "Enjoy")
    assert item["decided_at"] and item["decided_by_user_id"]
    assert await staff.ids("leave-requests", status="approved", memberId=member) == [leave]
    walk = await staff.api.gql(
        "query($id: UUID!) { staffTeamMember(id: $id) { unavailabilities { startsAt endsAt reason "
        "leaveRequest { status } } leaveRequests { status } } }",
        {"id": member},
    )
    assert walk["data"]["staffTeamMember"] == {
        "unavailabilities": [
            {
                "startsAt": LEAVE["startDate"],
                "endsAt": LEAVE["endDate"],
                "reason": "vacation",
                "leaveRequest": {"status": "approved"},
            }
        ],
        "leaveRequests": [{"status": "approved"}],
    }
    # Decided: no second decision, no edit, no withdrawal.
    status, body = await staff.api.post("/api/staff/leave-requests/reject", {"id": leave})
    assert status == 409 and body["error"]
    status, body = await staff.api.post("/api/staff/leave-requests/accept", {"id": leave})
    assert status == 409
    assert (await staff.api.put("/api/staff/leave-requests", {"id": leave, "note": "x"}))[0] == 409
    assert (await staff.api.delete(f"/api/staff/leave-requests?id={leave}"))[0] == 409
    async with sessionmaker() as session:
        commands = (
            await session.execute(select(ActionLog.command_id).where(ActionLog.resource_id == leave))
        ).scalars()
        assert "staff.staff_leave_request.approved" in set(commands)


async def test_reject_and_pending_edits(staff):
    member = await staff.member()
    leave = await staff.leave(member)
    assert (await staff.api.put("/api/staff/leave-requests", {"id": leave, "note": "moved"}))[0] == 200
    status, body = await staff.api.put(
        "/api/staff/leave-requests", {"id": leave, "endDate": "2030-06-01T00:00:00.000Z"}
    )
    assert status == 400 and body["details"][0]["path"] == ["endDate"]
    status, _ = await staff.api.post(
        "/api/staff/leave-requests/reject", {"id": leave, "decisionComment": "Busy"}
    )
    assert status == 200
    (item,) = (await staff.list("leave-requests", ids=leave))["items"]
    assert (item["status"], item["decision_comment"], item["note"]) == ("rejected", "Busy", "moved")
    assert (await staff.api.post("/api/staff/leave-requests/accept", {"id": leave}))[0] == 409
    withdrawn = await staff.leave(member)
    assert (await staff.api.delete(f"/api/staff/leave-requests?id={withdrawn}"))[0] == 200
    assert (await staff.api.post("/api/staff/leave-requests/accept", {"id": withdrawn}))[0] == 404
    result = await staff.api.gql(
        "mutation($id: UUID!) { acceptStaffLeaveRequest(id: $id) { ok } }", {"id": withdrawn}
    )
    assert result["data"] is None and result["errors"]


async def test_graphql_mutations_and_operations(staff):
    created = await staff.api.gql(
        'mutation { createStaffTeam(input: {name: "Night shift"}) { id name isActive } }'
    )
    team = created["data"]["createStaffTeam"]
    assert (team["name"], team["isActive"]) == ("Night shift", True)
    member = await staff.api.gql(
        'mutation($t: UUID!) { createStaffTeamMember(input: {displayName: "Ana", teamId: $t}) '
        "{ id team { name } } }",
        {"t": team["id"]},
    )
    member_id = member["data"]["createStaffTeamMember"]["id"]
    tagged = await staff.api.gql(
        'mutation($m: UUID!) { assignStaffMemberTag(memberId: $m, tag: "forklift") }', {"m": member_id}
    )
    assert "errors" not in tagged, tagged
    leave = await staff.leave(member_id)
    rejected = await staff.api.gql(
        'mutation($id: UUID!) { rejectStaffLeaveRequest(id: $id, decisionComment: "No") { ok id } }',
        {"id": leave},
    )
    assert rejected["data"]["rejectStaffLeaveRequest"] == {"ok": True, "id": leave}
    walk = await staff.api.gql(
        "query($id: UUID!) { staffTeamMember(id: $id) { tagAssignments { tag } leaveRequests { status decisionComment } } }",
        {"id": member_id},
    )
    assert walk["data"]["staffTeamMember"] == {
        "tagAssignments": [{"tag": "forklift"}],
        "leaveRequests": [{"status": "rejected", "decisionComment": "No"}],
    }
    filtered = await staff.api.gql('query { staffLeaveRequests(filter: {status: "rejected"}) { total } }')
    assert filtered["data"]["staffLeaveRequests"]["total"] == 1
