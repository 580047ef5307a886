"""Test data: each test builds its own tenant, so tests stay independent in one database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.seed import ensure_org, ensure_role, ensure_user
from models.directory import Tenant

PASSWORD = "secret-pass"


@dataclass
class World:
    """A tenant with an org tree (root -> branch), a super admin, and users per role."""

    tenant_id: uuid.UUID
    root_org: uuid.UUID
    branch_org: uuid.UUID
    other_org: uuid.UUID
    admin_email: str
    emails: dict[str, str] = field(default_factory=dict)
    role_ids: dict[str, uuid.UUID] = field(default_factory=dict)


async def make_world(
    sessionmaker: async_sessionmaker[AsyncSession],
    roles: dict[str, list[str]] | None = None,
) -> World:
    """``roles`` maps role name -> features; one user per role is created in the branch org."""
    tag = uuid.uuid4().hex[:8]
    async with sessionmaker() as session:
        tenant = Tenant(id=uuid.uuid4(), name=f"Tenant {tag}", is_active=True)
        session.add(tenant)
        await session.flush()
        root = await ensure_org(session, tenant, f"Root {tag}", None)
        await session.flush()
        branch = await ensure_org(session, tenant, f"Branch {tag}", root)
        other = await ensure_org(session, tenant, f"Other {tag}", root)
        await session.flush()
        admin_role = await ensure_role(session, tenant, "superadmin", ["*"], super_admin=True)
        admin_email = f"admin-{tag}@example.com"
        await ensure_user(session, tenant, root, admin_email, PASSWORD, [admin_role])
        world = World(
            tenant.id, root.id, branch.id, other.id, admin_email, role_ids={"superadmin": admin_role.id}
        )
        for name, features in (roles or {}).items():
            role = await ensure_role(session, tenant, name, features)
            email = f"{name}-{tag}@example.com"
            await ensure_user(session, tenant, branch, email, PASSWORD, [role])
            world.emails[name] = email
            world.role_ids[name] = role.id
        await session.commit()
    return world


async def make_platform_admin(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """A user holding the global super-admin role (may cross tenants). Returns the email."""
    tag = uuid.uuid4().hex[:8]
    async with sessionmaker() as session:
        tenant = Tenant(id=uuid.uuid4(), name=f"Platform {tag}", is_active=True)
        session.add(tenant)
        await session.flush()
        root = await ensure_org(session, tenant, f"Platform HQ {tag}", None)
        role = await ensure_role(session, None, "platform-superadmin", ["*"], super_admin=True)
        email = f"platform-{tag}@example.com"
        await ensure_user(session, tenant, root, email, PASSWORD, [role])
        await session.commit()
    return email
