"""Idempotent demo data: a tenant, an organization tree, roles with ACLs, the platform admin and a user;
then (``seed_demo``) customers, deals and a timeline written through the services (``crmgraph.demo``).

The demo admin holds the global ``superadmin`` role, so it may manage every tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.config import Settings
from crmgraph.security import hash_password
from models.auth import Role, RoleAcl, User, UserRole
from models.directory import Organization, Tenant

DEMO_TENANT = "Moto Concierge Demo"
EMPLOYEE_FEATURES = [  # a workshop mechanic: the concierge modules, not the administration
    "customers.*",
    "insurance.*",
    "resources.*",
    "procurement.*",
    "cases.*",
    "playbooks.view",
    "partner_programs.view",
    "directory.organizations.view",
    "auth.users.list",
    "dashboards.view",
    "example.view",
    "example.todos.*",
    "progress.create",  # their own jobs (reading jobs needs no feature; others' need progress.manage)
    "progress.update",
    "progress.cancel",
    "dictionaries.view",
    "currencies.view",
    "currencies.rates.view",
    "translations.view",
    "perspectives.use",
    "messages.*",
    "audit_logs.view_self",
    "audit_logs.undo_self",
    "audit_logs.redo_self",
    "entities.definitions.view",
    "entities.records.*",
    "attachments.*",
    "search.view",
]


@dataclass
class SeedResult:
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    admin_id: uuid.UUID
    created: bool


async def _get_or_create(session: AsyncSession, model: type, lookup: dict, **values: object):
    query = select(model).filter_by(**lookup)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    found = (await session.execute(query.limit(1))).scalar_one_or_none()
    if found is not None:
        return found, False
    obj = model(id=uuid.uuid4(), **lookup, **values)
    session.add(obj)
    await session.flush()
    return obj, True


async def ensure_org(
    session: AsyncSession, tenant: Tenant, name: str, parent: Organization | None
) -> Organization:
    org, created = await _get_or_create(
        session, Organization, {"tenant_id": tenant.id, "name": name}, slug=name.lower().replace(" ", "-")
    )
    if created:
        org.parent_id = parent.id if parent else None
        org.depth = parent.depth + 1 if parent else 0
        org.root_id = (parent.root_id or parent.id) if parent else org.id
        org.tree_path = f"{parent.tree_path}/{org.id}" if parent else str(org.id)
    return org


async def ensure_role(
    session: AsyncSession, tenant: Tenant | None, name: str, features: list[str], super_admin: bool = False
) -> Role:
    """A role of ``tenant``; ``tenant=None`` makes a global role (platform level)."""
    tenant_id = tenant.id if tenant else None
    role, _ = await _get_or_create(session, Role, {"tenant_id": tenant_id, "name": name})
    await _get_or_create(
        session,
        RoleAcl,
        {"role_id": role.id, "tenant_id": tenant_id},
        features=features,
        is_super_admin=super_admin,
        organizations=None,
    )
    return role


async def ensure_user(
    session: AsyncSession, tenant: Tenant, org: Organization, email: str, password: str, roles: list[Role]
) -> User:
    user = (
        await session.execute(
            select(User).where(
                func.lower(User.email) == email.lower(),
                User.tenant_id == tenant.id,
                User.deleted_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if user is None:
        user = User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            organization_id=org.id,
            email=email,
            name=email.split("@")[0].title(),
            password_hash=hash_password(password),
        )
        session.add(user)
        await session.flush()
    existing = set(
        (await session.execute(select(UserRole.role_id).where(UserRole.user_id == user.id))).scalars()
    )
    session.add_all([UserRole(user_id=user.id, role_id=r.id) for r in roles if r.id not in existing])
    return user


async def seed(session: AsyncSession, settings: Settings) -> SeedResult:
    tenant, created = await _get_or_create(session, Tenant, {"name": DEMO_TENANT}, is_active=True)
    head = await ensure_org(session, tenant, "Headquarters", None)
    workshop = await ensure_org(session, tenant, "Workshop", head)
    await ensure_org(session, tenant, "Sales Team", head)
    admin_role = await ensure_role(session, None, "superadmin", ["*"], super_admin=True)
    employee = await ensure_role(session, tenant, "employee", EMPLOYEE_FEATURES)
    admin = await ensure_user(
        session, tenant, head, settings.admin_email, settings.admin_password, [admin_role]
    )
    await ensure_user(session, tenant, workshop, "mechanic@example.com", settings.admin_password, [employee])
    await session.commit()
    return SeedResult(tenant.id, head.id, admin.id, created)


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    result: SeedResult,
    observers: Sequence[Any] = (),
) -> None:
    """The demo customers dataset in the demo tenant (idempotent); ``observers`` follow its progress."""
    from crmgraph.demo import seed_demo_data

    await seed_demo_data(sessionmaker, settings, result.admin_id, observers)
