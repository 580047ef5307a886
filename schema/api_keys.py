"""Hand-written GraphQL mutation: create an API key and see its secret once."""

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.api_keys import create_api_key
from schema.entity import context


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    @strawberry.input
    class ApiKeyCreateInput:
        name: str
        description: str | None = None
        organization_id: uuid.UUID | None = None
        roles: list[str] = strawberry.field(default_factory=list)
        expires_at: datetime | None = None

    @strawberry.type
    class CreatedApiKey:
        id: uuid.UUID
        name: str
        key_prefix: str
        secret: str = strawberry.field(description="Shown once; only a hash is stored.")

    async def create_api_key_mutation(info: Info, input: ApiKeyCreateInput) -> CreatedApiKey:
        data = {k: v for k, v in vars(input).items() if v is not None}
        created = await create_api_key(context(info), data)
        return CreatedApiKey(
            id=created["id"], name=created["name"], key_prefix=created["keyPrefix"], secret=created["secret"]
        )

    return {}, {"create_api_key": strawberry.mutation(resolver=create_api_key_mutation)}
