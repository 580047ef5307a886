"""Item 14: a write the database rejects logs and answers no bind parameters or row data."""

from __future__ import annotations

import asyncio
import logging
import traceback
import uuid

import pytest
from sqlalchemy.exc import DBAPIError

from crmgraph.dberrors import describe, domain_error
from models.api_keys import ApiKey
from models.auth import User
from tests.conftest import login
from tests.factories import make_world

SECRET_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ$TOPSECRETHASHVALUE"


async def test_rejected_secret_bearing_writes_carry_no_values(sessionmaker, caplog):
    world = await make_world(sessionmaker)
    rows = [
        User(id=uuid.uuid4(), tenant_id=world.tenant_id, email=None, password_hash=SECRET_HASH),
        ApiKey(
            id=uuid.uuid4(),
            tenant_id=world.tenant_id,
            name=None,
            key_prefix="omk_deadbeef",
            key_hash=SECRET_HASH,
        ),
    ]
    caplog.set_level(logging.DEBUG)
    for row in rows:
        async with sessionmaker() as session:
            session.add(row)
            with pytest.raises(DBAPIError) as caught:
                await session.commit()
        exc = caught.value
        text = "".join(traceback.format_exception(exc)) + describe(exc) + str(domain_error(exc).body())
        assert "TOPSECRETHASHVALUE" not in text and "DETAIL" not in text
        assert domain_error(exc).status == 400
    assert "TOPSECRETHASHVALUE" not in caplog.text


async def test_a_lost_race_on_a_unique_email_is_409_not_500(client, sessionmaker):
    world = await make_world(sessionmaker, roles={"a": ["auth.users.list"], "b": ["auth.users.list"]})
    first, second = await login(client, world.emails["a"]), await login(client, world.emails["b"])
    for attempt in range(5):
        email = f"contested-{attempt}-{uuid.uuid4().hex[:6]}@example.com"
        answers = await asyncio.gather(
            first.put("/api/auth/profile", {"email": email}),
            second.put("/api/auth/profile", {"email": email}),
        )
        assert sorted(status for status, _ in answers) == [200, 409], answers
        assert {"error": "Email already in use"} in [body for _, body in answers]
