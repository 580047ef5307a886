"""The perspectives module's demo data: the demo admin's saved view of the people table (their
default) and the workshop's default view of the cases table, offered to the employee role."""

from __future__ import annotations

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.auth import Role
from models.perspectives import Perspective, RolePerspective
from resolvers.operations import OPERATIONS, invoke

PEOPLE_VIEW = {
    "tableId": "customers.people",
    "name": "Warsaw riders",
    "isDefault": True,
    "settings": {
        "columnOrder": ["displayName", "primaryEmail", "primaryPhone", "city"],
        "columnVisibility": {"displayName": True, "primaryEmail": True, "primaryPhone": True, "city": True},
        "filters": {"city": "Warszawa"},
        "sorting": [{"id": "displayName", "desc": False}],
        "pageSize": 25,
    },
}
CASES_VIEW = {
    "tableId": "cases",
    "name": "Workshop queue",
    "settings": {
        "columnOrder": ["title", "priority", "statusValue", "openedAt"],
        "sorting": [{"id": "priority", "desc": True}, {"id": "openedAt"}],
        "filters": {"statusValue": "open"},
        "pageSize": 50,
    },
    "setRoleDefault": True,
}


async def seed(self: DemoSeeder) -> None:
    """Save the two views through the documented operation (once)."""
    ctx, save = self.ctx, OPERATIONS["save_perspective"]
    principal = ctx.require_auth()
    async with ctx.read_session() as session:
        own = await session.scalar(
            select(Perspective.id).where(
                Perspective.user_id == principal.user_id,
                Perspective.table_id == PEOPLE_VIEW["tableId"],
                Perspective.name == PEOPLE_VIEW["name"],
                Perspective.deleted_at.is_(None),
            )
        )
        employee = await session.scalar(
            select(Role.id).where(
                Role.tenant_id == ctx.tenant_id(), Role.name == "employee", Role.deleted_at.is_(None)
            )
        )
        offered = employee is not None and await session.scalar(
            select(RolePerspective.id).where(
                RolePerspective.role_id == employee,
                RolePerspective.table_id == CASES_VIEW["tableId"],
                RolePerspective.deleted_at.is_(None),
            )
        )
    if own is None:
        await invoke(save, ctx, PEOPLE_VIEW)
    if employee is not None and not offered:
        await invoke(save, ctx, {**CASES_VIEW, "applyToRoles": [str(employee)]})
