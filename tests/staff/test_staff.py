"""Staff rules: teams and roles (counts, deletes), members (roles, tags, references in scope),
the self profile, features, and the timeline records bound to a member."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import make_world
from tests.staff.conftest import Staff

UNKNOWN = "6f1c1a2e-0000-4000-8000-000000000001"


async def test_teams_roles_members_counts_and_embedded_keys(staff):
    team = await staff.create("teams", {"name": "Workshop", "description": "Bikes"})
    role = await staff.create("team-roles", {"name": "Mechanic", "teamId": team})
    member = await staff.member(teamId=team, roleIds=[role], tags=["senior", "senior", " night "])
    (item,) = (await staff.list("team-members", ids=member))["items"]
    assert item["team"] == {"id": team, "name": "Workshop"}
    assert sorted(item["tags"]) == ["night", "senior"]
    assert (await staff.list("teams", ids=team))["items"][0]["memberCount"] == 1
    (role_item,) = (await staff.list("team-roles", ids=role))["items"]
    assert role_item["memberCount"] == 1 and role_item["team"]["name"] == "Workshop"
    assert await staff.ids("team-members", roleId=role) == [member]
    assert await staff.ids("team-members", teamId=team) == [member]
    assert await staff.ids("team-roles", teamId=team) == [role]
    # A team with members cannot go; its member leaves first, then it can (roles become team-less).
    status, body = await staff.api.delete(f"/api/staff/teams?id={team}")
    assert status == 409 and body["memberCount"] == 1
    assert (await staff.api.put("/api/staff/team-members", {"id": member, "teamId": None}))[0] == 200
    assert (await staff.api.delete("/api/staff/teams", json={"id": team}))[0] == 200
    assert (await staff.list("team-roles", ids=role))["items"][0]["team_id"] is None
    # Deleting a role takes it from its holders.
    assert (await staff.api.delete(f"/api/staff/team-roles?id={role}"))[0] == 200
    assert await staff.ids("team-members", roleId=role) == []


async def test_tag_assign_unassign(staff):
    member = await staff.member()
    status, first = await staff.api.post(
        "/api/staff/team-members/tags/assign", {"memberId": member, "tag": "vip"}
    )
    assert status == 201
    status, again = await staff.api.post(
        "/api/staff/team-members/tags/assign", {"memberId": member, "tag": "vip"}
    )
    assert again["id"] == first["id"]
    assert await staff.ids("team-members", tag="vip") == [member]
    status, body = await staff.api.post(
        "/api/staff/team-members/tags/unassign", {"memberId": member, "tag": "vip"}
    )
    assert (status, body["id"]) == (200, first["id"])
    status, _ = await staff.api.post(
        "/api/staff/team-members/tags/unassign", {"memberId": member, "tag": "vip"}
    )
    assert status == 404
    status, body = await staff.api.post(
        "/api/staff/team-members/tags/assign", {"memberId": member, "tag": ""}
    )
    assert status == 400 and body["details"]
    status, _ = await staff.api.post("/api/staff/team-members/tags/assign", {"memberId": UNKNOWN, "tag": "x"})
    assert status == 404


async def test_references_must_be_in_scope(client, sessionmaker, staff):
    other = Staff(await login(client, (await make_world(sessionmaker)).admin_email))
    foreign_team = await other.create("teams", {"name": "Foreign"})
    foreign_role = await other.create("team-roles", {"name": "Foreign"})
    foreign_member = await other.member()
    for body in ({"teamId": foreign_team}, {"roleIds": [foreign_role]}):
        assert (await staff.api.post("/api/staff/team-members", {"displayName": "X", **body}))[0] == 404
    status, body = await staff.api.post("/api/staff/team-members", {"displayName": "X", "roleIds": ["nope"]})
    assert status == 400
    status, body = await staff.api.post("/api/staff/team-members", {"displayName": "X", "userId": UNKNOWN})
    assert status == 400 and body["details"][0]["path"] == ["userId"]
    for path, body in (
        ("activities", {"activityType": "call"}),
        ("comments", {"body": "x"}),
        ("addresses", {"addressLine1": "x"}),
        ("job-histories", {"name": "x", "startDate": "2020-01-01T00:00:00.000Z"}),
    ):
        assert (await staff.api.post(f"/api/staff/{path}", {"entityId": foreign_member, **body}))[0] == 404
    status, _ = await staff.api.post(
        "/api/staff/team-members/tags/assign", {"memberId": foreign_member, "tag": "x"}
    )
    assert status == 404
    # Lists and GraphQL never show the other tenant's rows.
    assert foreign_member not in await staff.ids("team-members", pageSize=100)
    result = await staff.api.gql(
        "query($id: UUID!) { staffTeamMember(id: $id) { id } staffTeams { items { id } } }",
        {"id": foreign_member},
    )
    assert result["data"]["staffTeamMember"] is None
    assert foreign_team not in {t["id"] for t in result["data"]["staffTeams"]["items"]}


async def test_timeline_author_primary_address_and_job_dates(staff):
    member = await staff.member()
    status, body = await staff.api.post("/api/staff/comments", {"entityId": member, "body": "hello"})
    assert status == 201 and body["authorUserId"]
    assert (await staff.list("comments", entityId=member))["items"][0]["member_id"] == member
    first = await staff.create("addresses", {"entityId": member, "addressLine1": "A 1", "isPrimary": True})
    second = await staff.create(
        "addresses", {"entityId": member, "addressLine1": "B 2", "isPrimary": True, "latitude": "52.229676"}
    )
    rows = {a["id"]: a for a in (await staff.list("addresses", entityId=member))["items"]}
    assert (rows[first]["is_primary"], rows[second]["is_primary"]) == (False, True)
    assert rows[second]["latitude"] == "52.229676"
    status, body = await staff.api.post(
        "/api/staff/addresses", {"entityId": member, "addressLine1": "C", "latitude": "91"}
    )
    assert status == 400
    status, body = await staff.api.post(
        "/api/staff/job-histories",
        {
            "entityId": member,
            "name": "Mechanic",
            "startDate": "2020-01-01T00:00:00.000Z",
            "endDate": "2019-01-01T00:00:00.000Z",
        },
    )
    assert status == 400 and body["details"][0]["path"] == ["endDate"]
    # Deleting the member takes its timeline with it.
    assert (await staff.api.delete(f"/api/staff/team-members?id={member}"))[0] == 200
    assert await staff.ids("addresses", entityId=member) == []


async def test_self_profile_and_features(client, sessionmaker, staff):
    roles = {"staffer": ["staff.leave_requests.send"], "viewer": ["staff.view"]}
    world = await make_world(sessionmaker, roles=roles)
    staffer = await login(client, world.emails["staffer"])
    assert await staffer.get("/api/staff/team-members/self") == (200, {"member": None})
    status, body = await staffer.post("/api/staff/team-members/self", {"displayName": "Me"})
    assert status == 201
    status, mine = await staffer.get("/api/staff/team-members/self")
    assert mine["member"]["id"] == body["id"] and mine["member"]["display_name"] == "Me"
    status, again = await staffer.post("/api/staff/team-members/self", {"displayName": "Me again"})
    assert status == 409 and again["error"]
    # The staffer sends leave requests (no feature needed) but cannot manage the team or decide.
    status, reply = await staffer.get("/api/staff/teams")
    assert status == 403 and reply["requiredFeatures"] == ["staff.view"]
    leave = {"memberId": body["id"], "timezone": "UTC", "startDate": "2030-01-01", "endDate": "2030-01-02"}
    status, created = await staffer.post("/api/staff/leave-requests", leave)
    assert status == 201
    status, reply = await staffer.post("/api/staff/leave-requests/accept", {"id": created["id"]})
    assert status == 403 and reply["requiredFeatures"] == ["staff.leave_requests.manage"]
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/staff/teams"))[0] == 200
    status, reply = await viewer.post("/api/staff/teams", {"name": "No"})
    assert status == 403 and reply["requiredFeatures"] == ["staff.manage_team"]
    assert (await viewer.get("/api/staff/team-members/self"))[0] == 403
    assert (await client.get("/api/staff/teams")).status == 401
