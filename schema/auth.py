"""Hand-written GraphQL fields of the auth module: ``me`` and ``featureCheck``."""

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.auth import acl
from resolvers.auth.entities import USER
from resolvers.crud import service
from schema.entity import context, object_type


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    user_type = object_type("user")

    @strawberry.type(description="The signed-in subject (a user or an API key).")
    class Me:
        subject: str
        user_id: uuid.UUID | None
        email: str | None
        roles: list[str]
        features: list[str]
        is_super_admin: bool
        tenant_id: uuid.UUID | None
        organization_id: uuid.UUID | None

        @strawberry.field(graphql_type=user_type | None)
        async def user(self, info: Info) -> Any:
            if self.user_id is None:
                return None
            return await service(USER).get(context(info), self.user_id, check=False)

    @strawberry.type
    class FeatureCheck:
        ok: bool
        granted: list[str]
        user_id: str

    async def me(info: Info) -> Me:
        p = context(info).require_auth()
        return Me(
            subject=p.subject,
            user_id=p.user_id,
            email=p.email,
            roles=p.roles,
            features=p.features,
            is_super_admin=p.is_super_admin,
            tenant_id=p.tenant_id,
            organization_id=p.org_id,
        )

    async def feature_check(info: Info, features: list[str]) -> FeatureCheck:
        result = acl.feature_check(context(info), {"features": features})
        return FeatureCheck(ok=result["ok"], granted=result["granted"], user_id=result["userId"])

    return {
        "me": strawberry.field(resolver=me),
        "feature_check": strawberry.field(resolver=feature_check),
    }, {}
