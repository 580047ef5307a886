"""The customer_accounts demo data: two customer roles (a system portal-admin role and a default
buyer role), two portal users of the first demo company (password ``Portal-demo-1``) and a
portal notification."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.customer_accounts import CustomerNotification, CustomerRole, CustomerUser
from models.customers import CustomerEntity
from resolvers.operations import OPERATIONS, invoke

PASSWORD = "Portal-demo-1"
ROLES = [
    # slug, name, features, portal admin, system, default
    ("company-admin", "Company admin", ["portal.*"], True, True, False),
    ("buyer", "Buyer", ["portal.orders.view", "portal.users.view"], False, False, True),
]
USERS = [
    ("anna.portal@demo.example", "Anna Portal", "company-admin"),
    ("ben.buyer@demo.example", "Ben Buyer", "buyer"),
]


async def seed(self: DemoSeeder) -> None:
    """Roles, users and a notification, each written once (a second run finds them)."""
    ctx = self.ctx
    tenant = ctx.tenant_id()
    role_ids: dict[str, uuid.UUID] = {}
    async with ctx.unit_of_work(command="customer_accounts.demo") as uow:
        for slug, name, features, portal_admin, system, default in ROLES:
            found = await uow.session.scalar(
                select(CustomerRole.id).where(
                    CustomerRole.tenant_id == tenant,
                    CustomerRole.slug == slug,
                    CustomerRole.deleted_at.is_(None),
                )
            )
            if found is None:
                found = uuid.uuid4()
                uow.session.add(
                    CustomerRole(
                        id=found,
                        tenant_id=tenant,
                        slug=slug,
                        name=name,
                        features=features,
                        is_portal_admin=portal_admin,
                        is_system=system,
                        is_default=default,
                    )
                )
            role_ids[slug] = found
        company = await uow.session.scalar(
            select(CustomerEntity.id)
            .where(CustomerEntity.tenant_id == tenant, CustomerEntity.kind == "company")
            .order_by(CustomerEntity.created_at)
            .limit(1)
        )
    for email, name, role in USERS:
        async with ctx.read_session() as session:
            user_id = await session.scalar(
                select(CustomerUser.id).where(CustomerUser.tenant_id == tenant, CustomerUser.email == email)
            )
        if user_id is not None:
            continue
        body = {
            "email": email,
            "password": PASSWORD,
            "displayName": name,
            "roleIds": [str(role_ids[role])],
            "emailVerified": True,
            "customerEntityId": str(company) if company else None,
        }
        _, result = await invoke(OPERATIONS["customer_user_create"], ctx, body)
        async with ctx.unit_of_work(command="customer_accounts.demo") as uow:
            uow.session.add(
                CustomerNotification(
                    id=uuid.uuid4(),
                    tenant_id=tenant,
                    user_id=uuid.UUID(result["user"]["id"]),
                    type="order.shipped",
                    title="Your order has shipped",
                    body="The brake pads you ordered are on their way.",
                    link_href="/portal/orders",
                )
            )
