"""Helpers shared by the resources resolvers: the module's features, scoped resource lookups and
the rule binding a child record (service book entry, activity, comment, ...) to its resource."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

from crmgraph.context import RequestContext
from models.resources import Resource
from resolvers import events
from resolvers.entity import Features, Field, Hooks, Relation, bound_to_parent
from resolvers.scope import load_in_scope

MODULE = "resources"
VIEW = "resources.view"
MANAGE = "resources.manage_resources"
FEATURES = Features.view_manage(VIEW, MANAGE)
READONLY = {"create": False, "update": False}

record_command = partial(events.record_command, module=MODULE)
"""Outbox event ``resources.<entity>.<verb>`` and action-log entry for a hand-written command."""


async def load_resource(ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False) -> Resource:
    """A live resource in the caller's scope, else 404 (also for another tenant's id)."""
    return await load_in_scope(ctx, session, Resource, ident, "Resource", lock=lock)


def appearance() -> list[Field]:
    return [Field("appearance_icon", str, max_length=64), Field("appearance_color", str, max_length=32)]


def scope_fields(*, timestamps: bool = True, org_on_create: bool = False) -> list[Field]:
    """Tenant, organization and timestamps (read-only; ``org_on_create``: a create may name an
    organization in the caller's scope, as documented for top-level records)."""
    fields = [
        Field("organization_id", uuid.UUID, create=org_on_create, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
    ]
    if timestamps:
        fields += [
            Field("created_at", datetime, sort=True, **READONLY),
            Field("updated_at", datetime, sort=True, **READONLY),
        ]
    return fields


def resource_field(
    attr: str = "resource_id", *, aliases: tuple[str, ...] = ("entityId", "entity_id")
) -> Field:
    """The required link to the owning resource (documented as ``entityId`` on writes); fixed once set."""
    return Field(attr, uuid.UUID, required=True, update=False, aliases=aliases)


def resource_relation(name: str = "resource", attr: str = "resource_id") -> Relation:
    return Relation(name, "resource", "one", source_fk=attr)


def bound_to_resource(*, author_attr: str | None = None, **extra: Any) -> Hooks:
    """Hooks for a record hung on a resource (``resource_id``): see :func:`resolvers.entity.bound_to_parent`."""
    return bound_to_parent("resource_id", load_resource, author_attr=author_attr, **extra)
