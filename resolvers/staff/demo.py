"""The staff module's demo data: the workshop and front-desk teams, their roles, members with
tags, addresses and job history, and leave requests (one approved, one waiting for a decision)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crmgraph.demo import DemoSeeder
from models.staff import StaffLeaveRequest
from resolvers.operations import OPERATIONS, invoke
from resolvers.staff.leave import STAFF_LEAVE_REQUEST
from resolvers.staff.members import STAFF_TEAM_MEMBER
from resolvers.staff.teams import STAFF_TEAM, STAFF_TEAM_ROLE
from resolvers.staff.timeline import STAFF_ADDRESS, STAFF_JOB_HISTORY

TEAMS = [("Workshop", "Mechanics and technicians"), ("Front desk", "Customer intake and pick-ups")]
ROLES = [("Mechanic", 0, "wrench", "#546e7a"), ("Service advisor", 1, "headset", "#8e24aa")]
# display name, team index, role index, tags, city, previous job
MEMBERS = [
    ("Tomasz Nowak", 0, 0, ["senior", "bmw-certified"], "Kraków", "Mechanic at Moto Serwis"),
    ("Kasia Zielińska", 0, 0, ["electrics"], "Wieliczka", "Apprentice at Dealer Kraków"),
    ("Marek Lis", 1, 1, ["english"], "Kraków", "Receptionist at Hotel Wawel"),
]


async def seed(self: DemoSeeder) -> None:
    """Teams, roles, members with their records, and two leave requests of the first member."""
    teams = [
        await self.ensure(STAFF_TEAM, {"name": name}, {"name": name, "description": description})
        for name, description in TEAMS
    ]
    roles = [
        await self.ensure(
            STAFF_TEAM_ROLE,
            {"name": name},
            {"name": name, "teamId": str(teams[team]), "appearanceIcon": icon, "appearanceColor": color},
        )
        for name, team, icon, color in ROLES
    ]
    members = []
    for name, team, role, tags, city, job in MEMBERS:
        member = await self.ensure(
            STAFF_TEAM_MEMBER,
            {"display_name": name},
            {"displayName": name, "teamId": str(teams[team]), "roleIds": [str(roles[role])], "tags": tags},
        )
        members.append(member)
        await self.ensure(
            STAFF_ADDRESS,
            {"member_id": member},
            {
                "entityId": str(member),
                "addressLine1": "ul. Długa 1",
                "city": city,
                "country": "PL",
                "isPrimary": True,
            },
        )
        await self.ensure(
            STAFF_JOB_HISTORY,
            {"member_id": member},
            {
                "entityId": str(member),
                "name": job,
                "startDate": "2018-03-01T00:00:00.000Z",
                "endDate": "2022-12-31T00:00:00.000Z",
            },
        )
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=30)
    for offset, note, approve in ((0, "Summer holiday", True), (60, "Family event", False)):
        begins = start + timedelta(days=offset)
        leave = await self.ensure(
            STAFF_LEAVE_REQUEST,
            {"member_id": members[0], "note": note},
            {
                "memberId": str(members[0]),
                "timezone": "Europe/Warsaw",
                "startDate": begins.isoformat(),
                "endDate": (begins + timedelta(days=7)).isoformat(),
                "note": note,
                "unavailabilityReasonValue": "vacation",
            },
        )
        if approve:
            async with self.ctx.read_session() as session:
                status = await session.scalar(
                    StaffLeaveRequest.__table__.select()
                    .with_only_columns(StaffLeaveRequest.status)
                    .where(StaffLeaveRequest.id == leave)
                )
            if status == "pending":
                await invoke(OPERATIONS["accept_staff_leave_request"], self.ctx, {"id": str(leave)})
