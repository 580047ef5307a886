"""Who sees which live event: the caller's tenant, organizations in scope, and the features that
view that kind of record (from the entity declarations, by the event name's ``<module>.<entity>.``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select

from crmgraph.authn import load_user_principal, roles_with_acl
from crmgraph.authn import principal as key_principal
from crmgraph.context import Principal, RequestContext
from crmgraph.db import READ_ONLY
from crmgraph.errors import DomainError
from crmgraph.eventhub import HubEvent
from models.api_keys import ApiKey, ApiKeyRole
from resolvers.entity import ENTITIES, Entity
from resolvers.scope import org_scope


def entity_of(event_name: str) -> Entity | None:
    """The declared entity an event is about (``customers.person.created`` -> person), if any."""
    module, _, rest = event_name.partition(".")
    name, _, _verb = rest.partition(".")
    entity = ENTITIES.get(name)
    return entity if entity is not None and entity.module == module else None


@dataclass(frozen=True)
class Audience:
    """One caller, as the stream filters for it."""

    principal: Principal
    tenant_id: uuid.UUID | None
    org_ids: frozenset[uuid.UUID] | None  # None: every organization of the tenant

    def sees(self, event: HubEvent) -> bool:
        if event.tenant_id is None or event.tenant_id != self.tenant_id:
            return False
        if self.addressed(event):  # a per-user record (a notification...) reaches the user it is for
            entity = entity_of(event.name)
            return entity is None or self.principal.has(*entity.features.view)
        outside = self.org_ids is not None and event.organization_id not in (None, *self.org_ids)
        if outside:
            return False
        entity = entity_of(event.name)
        if entity is None or entity.visibility is not None:
            # Unknown kinds, and kinds whose rows have their own visibility rule: admins only.
            return self.principal.is_super_admin
        return self.principal.has(*entity.features.view)

    def addressed(self, event: HubEvent) -> bool:
        """The event names the caller as its ``recipientUserId``."""
        user_id = self.principal.user_id
        return user_id is not None and event.payload.get("recipientUserId") == str(user_id)


async def audience_of(ctx: RequestContext) -> Audience:
    """The caller's audience: its tenant and the organizations its lists cover."""
    principal = ctx.require_auth()
    scope = await org_scope(ctx)
    return Audience(principal, scope.tenant_id, scope.org_ids)


async def current_principal(ctx: RequestContext) -> Principal | None:
    """The caller as it is now (None once signed out, revoked, deleted or expired): a long-lived
    stream re-checks it whenever authentication state changed."""
    known = ctx.require_auth()
    async with ctx.sessionmaker(info={READ_ONLY: True}) as session:
        if known.user_id is not None:
            return await load_user_principal(session, known.user_id, known.session_id)
        if known.api_key_id is None:
            return None
        key = await session.scalar(
            select(ApiKey).where(ApiKey.id == known.api_key_id, ApiKey.deleted_at.is_(None))
        )
        if key is None or (key.expires_at is not None and key.expires_at <= datetime.now(UTC)):
            return None
        roles, grant = await roles_with_acl(session, ApiKeyRole, "api_key_id", key.id, key.tenant_id)
        return key_principal(f"api_key:{key.id}", key, roles, grant, api_key_id=key.id)


async def refreshed(ctx: RequestContext) -> tuple[RequestContext, Audience] | None:
    """A fresh context and audience for the caller as it is now, or None when it may no longer see
    anything (signed out, or no organization left in scope)."""
    principal = await current_principal(ctx)
    if principal is None:
        return None
    fresh = replace(ctx, principal=principal, cache={}, loaders={})
    try:
        return fresh, await audience_of(fresh)
    except DomainError:  # Forbidden / Unprocessable: nothing in scope any more
        return None
