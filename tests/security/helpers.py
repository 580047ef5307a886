"""Shared set-up for the attack tests: a tenant with a user manager and elevated accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from crmgraph.seed import ensure_role, ensure_user
from models.directory import Organization, Tenant
from tests.factories import PASSWORD, World, make_world

ALL_ORGS = {"Cookie": "om_selected_org=__all__"}
MANAGER_FEATURES = [
    "auth.users.list",
    "auth.users.create",
    "auth.users.edit",
    "auth.users.delete",
    "auth.roles.list",
    "auth.acl.manage",
    "api_keys.view",
    "api_keys.create",
]


@dataclass
class Arena:
    world: World
    manager: str  # email of a user holding MANAGER_FEATURES
    platform_admin: str  # email of a user of this tenant holding the global super-admin role


async def make_arena(sessionmaker: Any) -> Arena:
    world = await make_world(
        sessionmaker,
        roles={"manager": MANAGER_FEATURES, "viewer": ["auth.users.list"], "everything": ["*"]},
    )
    async with sessionmaker() as session:
        tenant = await session.get(Tenant, world.tenant_id)
        root = await session.scalar(select(Organization).where(Organization.id == world.root_org))
        global_role = await ensure_role(session, None, "platform-superadmin", ["*"], super_admin=True)
        email = f"platform-{world.admin_email}"
        await ensure_user(session, tenant, root, email, PASSWORD, [global_role])
        await session.commit()
    return Arena(world, world.emails["manager"], email)


async def user_id(api: Any, email: str) -> str:
    _, page = await api.get(f"/api/auth/users?search={email}", headers=ALL_ORGS)
    return next(u["id"] for u in page["items"] if u["email"] == email)
