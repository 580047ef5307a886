"""Item 4: an email identifies one staff login across tenants; nobody can lock another out."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from models.auth import User
from tests.conftest import login
from tests.factories import PASSWORD, make_world


async def test_taking_another_tenants_email_is_a_conflict(client, sessionmaker, anonymous):
    victim = await make_world(sessionmaker)
    attacker_world = await make_world(sessionmaker, roles={"viewer": ["auth.users.list"]})
    attacker = await login(client, attacker_world.emails["viewer"])
    for email in (victim.admin_email, victim.admin_email.upper()):
        status, body = await attacker.put("/api/auth/profile", {"email": email})
        assert (status, body) == (409, {"error": "Email already in use"})
    attacker_admin = await login(client, attacker_world.admin_email)
    status, body = await attacker_admin.post(
        "/api/auth/users", {"email": victim.admin_email.title(), "password": "whatever-1"}
    )
    assert (status, body) == (409, {"error": "Email already in use"})
    # The victim still logs in without naming a tenant.
    status, body = await anonymous.post(
        "/api/auth/login", {"email": victim.admin_email, "password": PASSWORD}
    )
    assert status == 200 and body["ok"] is True


async def test_the_database_refuses_a_second_live_login(sessionmaker):
    first = await make_world(sessionmaker)
    second = await make_world(sessionmaker)
    async with sessionmaker() as session:
        session.add(
            User(
                id=uuid.uuid4(),
                tenant_id=second.tenant_id,
                organization_id=second.root_org,
                email=first.admin_email.upper(),
            )
        )
        with pytest.raises(IntegrityError):
            await session.commit()
