"""API keys: created with a one-time secret, stored as a digest, scoped to tenant, organization and roles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from crmgraph.security import api_key_digest, new_api_key
from models.api_keys import ApiKey, ApiKeyRole
from models.auth import Role
from resolvers.auth.entities import org_name_computed, resolve_roles
from resolvers.crud import service
from resolvers.entity import Computed, Entity, Features, Field, Hooks, Relation


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    expires = data.get("expires_at")
    if expires is not None:
        if expires.tzinfo is None:
            expires = data["expires_at"] = expires.replace(tzinfo=UTC)
        if expires <= datetime.now(UTC):
            raise ValidationFailed([issue("expiresAt", "Must be in the future", "too_small")])
    secret = new_api_key()
    data["key_prefix"] = secret[:12]
    data["key_digest"] = api_key_digest(secret)
    data["created_by"] = ctx.require_auth().user_id
    data["secret"] = secret


async def _after_create(ctx: RequestContext, uow: UnitOfWork, key: ApiKey, data: dict) -> None:
    roles = await resolve_roles(ctx, uow.session, data.get("roles") or [], key.tenant_id)
    uow.session.add_all([ApiKeyRole(api_key_id=key.id, role_id=r.id) for r in roles])


async def key_roles(ctx: RequestContext, key_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    async with ctx.read_session() as session:
        rows = await session.execute(
            select(ApiKeyRole.api_key_id, Role.id, Role.name)
            .join(Role, Role.id == ApiKeyRole.role_id)
            .where(ApiKeyRole.api_key_id.in_(key_ids))
            .order_by(Role.name)
        )
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for key_id, role_id, name in rows:
        found.setdefault(key_id, []).append({"id": str(role_id), "name": name})
    return found


def _key_roles() -> Any:
    roles = (
        select(
            func.json_agg(
                aggregate_order_by(func.json_build_object("id", Role.id, "name", Role.name), Role.name)
            )
        )
        .join(ApiKeyRole, ApiKeyRole.role_id == Role.id)
        .where(ApiKeyRole.api_key_id == ApiKey.id)
        .scalar_subquery()
    )
    return func.coalesce(roles, literal_column("'[]'::json"))


API_KEY = Entity(
    name="api_key",
    module="api_keys",
    model=ApiKey,
    path="/api_keys/keys",
    graphql_name="ApiKey",
    plural="api_keys",
    scope="org",
    features=Features(view=["api_keys.view"], create=["api_keys.create"], delete=["api_keys.delete"]),
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, max_length=2000),
        Field("key_prefix", str, create=False, update=False),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, create=False, update=False),
        Field("roles", list, read=False, update=False),
        Field("created_at", datetime, create=False, update=False, sort=True),
        Field("last_used_at", datetime, create=False, update=False, sort=True),
        Field("expires_at", datetime, update=False, sort=True),
    ],
    relations=[
        Relation(
            "roles",
            "role",
            "through",
            through=ApiKeyRole,
            through_source="api_key_id",
            through_target="role_id",
        )
    ],
    default_sort="created_at",
    rest_verbs=("GET",),
    mutations=("delete",),
    hooks=Hooks(
        before_create=_before_create,
        after_create=_after_create,
        create_result=lambda key, data: {"secret": data["secret"]},
    ),
    computed=[Computed("roles", _key_roles), org_name_computed(ApiKey)],
)


async def create_api_key(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    """Create a key; the secret is in this response only and never stored in clear."""
    key, extra = await service(API_KEY).create(ctx, raw)
    roles = (await key_roles(ctx, [key.id])).get(key.id, [])
    return {
        "id": str(key.id),
        "name": key.name,
        "keyPrefix": key.key_prefix,
        "tenantId": str(key.tenant_id) if key.tenant_id else None,
        "organizationId": str(key.organization_id) if key.organization_id else None,
        "roles": roles,
        "expiresAt": key.expires_at.isoformat() if key.expires_at else None,
        "secret": extra["secret"],
    }
