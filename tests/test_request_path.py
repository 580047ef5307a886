"""The per-request path: how many statements an authenticated request sends, and that cached
principals never outlive a revocation (each kind takes effect on the very next request)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, text

from crmgraph.app import create_app
from crmgraph.db import StatementCounter, count_statements
from crmgraph.security import hash_api_key, new_api_key
from models.api_keys import ApiKey, ApiKeyRole
from models.auth import User
from tests.conftest import Api, login
from tests.factories import PASSWORD
from tests.test_api_keys import wrong_key


@pytest.fixture
async def counted(settings: Any, database: str) -> AsyncIterator[tuple[TestClient, StatementCounter]]:
    """A fresh app (empty caches) whose server tasks run inside one statement counter."""
    async with count_statements() as counter:
        app = create_app(settings, redis=False)
        async with TestClient(TestServer(app), cookie_jar=DummyCookieJar()) as test_client:
            yield test_client, counter


async def measured(counter: StatementCounter, api: Api, path: str) -> tuple[int, int, int]:
    """(status, round trips, transactions) of one request."""
    before = (counter.round_trips, counter.transactions)
    status, _ = await api.get(path)
    return status, counter.round_trips - before[0], counter.transactions - before[1]


async def add_tags(api: Api, n: int) -> None:
    for i in range(n):
        assert (await api.post("/api/customers/tags", {"slug": f"t{i}", "label": f"Tag {i}"}))[0] == 201


async def test_authenticated_list_is_two_round_trips(counted, world):
    client, counter = counted
    await add_tags(await login(client, world.admin_email), 6)  # a full 5-row page: the total needs a count
    admin = await login(client, world.admin_email)
    path = "/api/customers/tags?pageSize=5"
    first = await measured(counter, admin, path)
    assert first[0] == 200 and first[1] > 2  # a new credential: its principal is loaded once
    # Cached principal and organization tree: one generation check (which also scopes the
    # connection), then the page with its exact total in one statement; no BEGIN/ROLLBACK at all.
    assert await measured(counter, admin, path) == (200, 2, 0)
    _, page = await admin.get(path)
    assert len(page["items"]) == 5 and page["total"] == 6
    assert await measured(counter, admin, "/healthz") == (200, 1, 0)
    assert await measured(counter, Api(client), "/healthz") == (200, 0, 0)


async def test_api_key_requests_cost_what_jwt_requests_cost(counted, world):
    client, counter = counted
    admin = await login(client, world.admin_email)
    _, key = await admin.post("/api/api_keys/keys", {"name": "reader", "roles": ["superadmin"]})
    keyed = Api(client, {"X-Api-Key": key["secret"]})
    path = "/api/customers/tags?pageSize=5"
    for api in (keyed, admin):  # creating the key bumped the generation: both load once
        assert (await measured(counter, api, path))[0] == 200
    assert await measured(counter, keyed, path) == await measured(counter, admin, path) == (200, 2, 0)


async def test_legacy_argon2_key_is_rehashed_on_first_use(client, world, sessionmaker):
    """Keys minted before 0003 keep working: argon2 once, then the digest (and the hash is dropped)."""
    secret = new_api_key()
    async with sessionmaker() as session:
        role_id = world.role_ids["viewer"]
        key = ApiKey(
            tenant_id=world.tenant_id,
            organization_id=world.root_org,
            name="legacy",
            key_prefix=secret[:12],
            key_hash=hash_api_key(secret),
        )
        session.add(key)
        await session.flush()
        session.add(ApiKeyRole(api_key_id=key.id, role_id=role_id))
        await session.commit()
    assert (await Api(client, {"X-Api-Key": wrong_key(secret)}).get("/api/auth/users"))[0] == 401
    assert (await Api(client, {"X-Api-Key": secret}).get("/api/auth/users"))[0] == 200
    async with sessionmaker() as session:
        stored = await session.get(ApiKey, key.id)
    assert stored.key_digest == hashlib.sha256(secret.encode()).hexdigest() and stored.key_hash is None
    assert (await Api(client, {"X-Api-Key": secret}).get("/api/auth/users"))[0] == 200


async def user_id(sessionmaker: Any, email: str) -> str:
    async with sessionmaker() as session:
        return str(await session.scalar(select(User.id).where(User.email == email)))


async def test_revocations_take_effect_on_the_next_request(client, world, admin, sessionmaker):
    """Every request before a revocation succeeds from the cache; the very next one sees it."""
    viewer = await login(client, world.emails["viewer"])
    users, orgs = "/api/auth/users", "/api/directory/organizations"
    assert (await viewer.get(users))[0] == 200
    assert (await viewer.get(orgs))[0] == 403
    # Role ACL change: granted, then withdrawn.
    acl = {"roleId": str(world.role_ids["viewer"]), "features": ["auth.users.list", "directory.*"]}
    assert (await admin.put("/api/auth/roles/acl", acl))[0] == 200
    assert (await viewer.get(orgs))[0] == 200
    assert (await admin.put("/api/auth/roles/acl", {**acl, "features": ["auth.users.list"]}))[0] == 200
    assert (await viewer.get(orgs))[0] == 403
    # Role assignment: the viewer loses its only role.
    viewer_id = await user_id(sessionmaker, world.emails["viewer"])
    assert (await admin.put(users, {"id": viewer_id, "roles": []}))[0] == 200
    assert (await viewer.get(users))[0] == 403
    assert (await admin.put(users, {"id": viewer_id, "roles": ["viewer"]}))[0] == 200
    assert (await viewer.get(users))[0] == 200
    # User deletion.
    assert (await admin.delete(f"{users}?id={viewer_id}"))[0] == 200
    assert (await viewer.get(users))[0] == 401


async def test_logout_and_key_revocation_take_effect_on_the_next_request(client, world, anonymous):
    _, body = await anonymous.post("/api/auth/login", {"email": world.admin_email, "password": PASSWORD})
    api = Api(client, {"Authorization": f"Bearer {body['token']}"})
    _, key = await api.post("/api/api_keys/keys", {"name": "temp", "roles": ["viewer"]})
    keyed = Api(client, {"X-Api-Key": key["secret"]})
    for _ in range(2):
        assert (await keyed.get("/api/auth/users"))[0] == 200
        assert (await api.get("/api/auth/profile"))[0] == 200
    assert (await api.delete(f"/api/api_keys/keys?id={key['id']}"))[0] == 200
    assert (await keyed.get("/api/auth/users"))[0] == 401
    cookie = {"Cookie": f"session_token={body['refreshToken']}"}
    assert (await api.post("/api/auth/logout", headers=cookie))[0] == 302
    assert (await api.get("/api/auth/profile"))[0] == 401


async def test_revocation_outside_the_api_is_seen_too(client, world, sessionmaker):
    """A change made straight in SQL (another process, an operator) bumps the generation as well."""
    viewer = await login(client, world.emails["viewer"])
    assert (await viewer.get("/api/auth/users"))[0] == 200
    async with sessionmaker() as session:
        await session.execute(
            text("UPDATE auth_sessions SET revoked_at = now() WHERE user_id = :u"),
            {"u": await user_id(sessionmaker, world.emails["viewer"])},
        )
        await session.commit()
    assert (await viewer.get("/api/auth/users"))[0] == 401
