"""API keys: one-time secret, hashed storage, header forms, scope, expiry and revocation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.api_keys import ApiKey
from tests.conftest import Api


def wrong_key(secret: str) -> str:
    """The same key with its last hex digit changed."""
    return secret[:-1] + ("1" if secret.endswith("0") else "0")


async def test_create_use_list_delete(client, world, admin, sessionmaker):
    status, body = await admin.post(
        "/api/api_keys/keys",
        {
            "name": "integration",
            "description": "ERP sync",
            "roles": [str(world.role_ids["viewer"])],
            "organizationId": str(world.branch_org),
        },
    )
    assert status == 201, body
    secret = body["secret"]
    assert secret.startswith("omk_") and len(secret) == 4 + 8 + 1 + 48
    assert body["keyPrefix"] == secret[:12]
    assert body["roles"] == [{"id": str(world.role_ids["viewer"]), "name": "viewer"}]
    async with sessionmaker() as session:
        stored = await session.scalar(select(ApiKey).where(ApiKey.id == body["id"]))
        # Stored as SHA-256 only: the secret itself is nowhere in the row.
        assert stored.key_digest == hashlib.sha256(secret.encode()).hexdigest() and stored.key_hash is None
        assert secret not in " ".join(str(v) for v in vars(stored).values())
    for headers in (
        {"X-Api-Key": secret},
        {"Authorization": f"ApiKey {secret}"},
        {"Authorization": f"Bearer {secret}"},
    ):
        status, _users = await Api(client, headers).get("/api/auth/users")
        assert status == 200, headers
        # The key carries the viewer role: it may list users but not create them.
    assert (await Api(client, {"X-Api-Key": secret}).post("/api/auth/users", {"email": "a@b.co"}))[0] == 403
    _, page = await admin.get("/api/api_keys/keys")
    listed = next(item for item in page["items"] if item["id"] == body["id"])
    assert "secret" not in listed and listed["lastUsedAt"] is not None
    assert listed["organizationName"].startswith("Branch")
    assert (await admin.delete(f"/api/api_keys/keys?id={body['id']}")) == (200, {"success": True})
    assert (await Api(client, {"X-Api-Key": secret}).get("/api/auth/users"))[0] == 401
    assert (await Api(client, {"X-Api-Key": wrong_key(secret)}).get("/api/auth/users"))[0] == 401


async def test_expired_key_and_validation(client, world, admin, sessionmaker):
    _, body = await admin.post("/api/api_keys/keys", {"name": "short-lived", "roles": ["viewer"]})
    async with sessionmaker() as session:
        key = await session.get(ApiKey, body["id"])
        key.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        await session.commit()
    assert (await Api(client, {"X-Api-Key": body["secret"]}).get("/api/auth/users"))[0] == 401
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert (await admin.post("/api/api_keys/keys", {"name": "x", "expiresAt": past}))[0] == 400
    assert (await admin.post("/api/api_keys/keys", {"description": "no name"}))[0] == 400
    assert (await admin.post("/api/api_keys/keys", {"name": "x", "roles": ["superadmin"]}))[0] == 201


async def test_non_super_admin_cannot_mint_super_admin_keys(client, world, admin):
    await admin.put(
        "/api/auth/roles/acl",
        {"roleId": str(world.role_ids["viewer"]), "features": ["api_keys.*", "auth.users.list"]},
    )
    from tests.conftest import login

    viewer = await login(client, world.emails["viewer"])
    status, _ = await viewer.post("/api/api_keys/keys", {"name": "escalate", "roles": ["superadmin"]})
    assert status == 403
    status, _body = await viewer.post("/api/api_keys/keys", {"name": "fine", "roles": ["viewer"]})
    assert status == 201


async def test_a_role_name_means_the_tenants_own_role_over_a_global_one(client, sessionmaker, admin):
    from crmgraph.seed import ensure_role

    async with (
        sessionmaker() as session
    ):  # a global role with the tenant role's name (as the demo seed makes)
        await ensure_role(session, None, "superadmin", ["*"], super_admin=True)
        await session.commit()
    status, key = await admin.post("/api/api_keys/keys", {"name": "own", "roles": ["superadmin"]})
    assert status == 201 and key["secret"], key
