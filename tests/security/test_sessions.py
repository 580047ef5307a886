"""Items 11 and 9: a password change ends other sessions; login timing does not reveal accounts."""

from __future__ import annotations

import statistics
import time

from argon2 import PasswordHasher
from sqlalchemy import update

from crmgraph import security
from models.auth import User
from tests.conftest import Api, login
from tests.factories import PASSWORD


async def _login(client, email: str) -> tuple[Api, str]:
    response = await client.post("/api/auth/login", data={"email": email, "password": PASSWORD})
    body = await response.json()
    return Api(client, {"Authorization": f"Bearer {body['token']}"}), body["refreshToken"]


async def test_own_password_change_revokes_other_sessions(client, world, anonymous):
    email = world.emails["viewer"]
    here, _ = await _login(client, email)
    elsewhere, elsewhere_refresh = await _login(client, email)
    status, _ = await here.put("/api/auth/profile", {"password": "changed-pass", "currentPassword": PASSWORD})
    assert status == 200
    assert (await elsewhere.get("/api/auth/profile"))[0] == 401
    status, body = await anonymous.post("/api/auth/session/refresh", {"refreshToken": elsewhere_refresh})
    assert status == 401 and body["ok"] is False
    assert (await here.get("/api/auth/profile"))[0] == 200  # the session that made the change stays
    await login(client, email, "changed-pass")


async def _median_login_ms(anonymous: Api, email: str, rounds: int = 7) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, _ = await anonymous.post("/api/auth/login", {"email": email, "password": "wrong-password"})
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 401
    return statistics.median(samples)


async def test_unknown_email_costs_as_much_as_a_wrong_password(world, anonymous, sessionmaker, monkeypatch):
    production = PasswordHasher()  # the suite hashes with the fast profile: measure the real one
    monkeypatch.setattr(security, "_hasher", production)
    security._dummy_hash.cache_clear()
    async with sessionmaker() as session:
        await session.execute(
            update(User)
            .where(User.email == world.admin_email)
            .values(password_hash=production.hash(PASSWORD))
        )
        await session.commit()
    await _median_login_ms(anonymous, world.admin_email, 1)  # warm up (dummy hash, pools)
    known = await _median_login_ms(anonymous, world.admin_email)
    unknown = await _median_login_ms(anonymous, "nobody-at-all@example.com")
    assert known > 20  # argon2 dominates both
    assert unknown / known > 0.6, (known, unknown)
    security._dummy_hash.cache_clear()  # the next tests' dummy hash is the suite's profile again
