"""The caches this process keeps, as named segments: their sizes and purging them.

Segments hold per-process state (each ``serve --workers`` process has its own): the authentication
caches of ``crmgraph.authn`` (verified tokens, principals, organization trees) and whatever other
modules register with :func:`cache_segment` (feature toggles). Purging is always safe: each entry is
loaded again on next use. A platform admin sees and purges the whole process; anyone else only the
entries of their own tenant (segments that hold no tenant's data are the platform's).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from crmgraph.authn import process_cache
from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from resolvers.operations import Rest, operation
from resolvers.validation import text

log = logging.getLogger("crmgraph.configs")

# (ctx, tenant or None for the whole process) -> entries counted / purged
Counter = Callable[[RequestContext, uuid.UUID | None], int]


@dataclass(frozen=True)
class CacheSegment:
    name: str
    count: Counter
    purge: Counter
    platform_only: bool = False  # holds no tenant's data: only platform admins see and purge it


SEGMENTS: dict[str, CacheSegment] = {}


def cache_segment(name: str, count: Counter, purge: Counter, *, platform_only: bool = False) -> None:
    """Register a cache segment (a second registration of a name replaces the first)."""
    SEGMENTS[name] = CacheSegment(name, count, purge, platform_only)


def caller_tenant(ctx: RequestContext) -> uuid.UUID | None:
    """Whose entries the caller may see and purge: None (all) for platform admins, else its tenant."""
    principal = ctx.require_auth()
    return None if principal.is_platform_admin else ctx.tenant_id()


def visible_segments(ctx: RequestContext) -> list[CacheSegment]:
    platform = caller_tenant(ctx) is None
    return [s for s in SEGMENTS.values() if platform or not s.platform_only]


def stats(ctx: RequestContext) -> dict[str, Any]:
    tenant = caller_tenant(ctx)
    segments = {s.name: s.count(ctx, tenant) for s in visible_segments(ctx)}
    return {"total": sum(segments.values()), "segments": segments}


def purge(ctx: RequestContext, segment: str | None = None, *, current_tenant: bool = False) -> int:
    """Drop the caller's entries of one segment (or of all); ``current_tenant``: only those of the
    tenant the request works in, even for a platform admin. Returns how many were dropped."""
    tenant = ctx.tenant_id() if current_tenant else caller_tenant(ctx)
    chosen = [
        s
        for s in visible_segments(ctx)
        if (segment is None or s.name == segment) and not (tenant is not None and s.platform_only)
    ]
    deleted = sum(s.purge(ctx, tenant) for s in chosen)
    log.info("cache purge by %s: %s entries (%s)", ctx.require_auth().subject, deleted, segment or "all")
    return deleted


# --- the authentication caches (crmgraph.authn) ------------------------------------------------


def _tenant_users(ctx: RequestContext, tenant: uuid.UUID) -> set[uuid.UUID]:
    principals = process_cache(ctx.sessionmaker).principals
    return {
        key[1]
        for key, cached in list(principals.items())
        if key[0] == "user" and cached.principal.tenant_id == tenant
    }


def _principal_keys(ctx: RequestContext, tenant: uuid.UUID | None) -> list[Any]:
    principals = process_cache(ctx.sessionmaker).principals
    return [k for k, c in list(principals.items()) if tenant is None or c.principal.tenant_id == tenant]


def _token_keys(ctx: RequestContext, tenant: uuid.UUID | None) -> list[str]:
    tokens = process_cache(ctx.sessionmaker).tokens
    if tenant is None:
        return list(tokens.keys())
    users = _tenant_users(ctx, tenant)  # a token is attributed through its user's cached principal
    return [token for token, claims in list(tokens.items()) if claims.user_id in users]


def _tree_keys(ctx: RequestContext, tenant: uuid.UUID | None) -> list[Any]:
    trees = process_cache(ctx.sessionmaker).trees
    return [key for key in list(trees.keys()) if tenant is None or key == tenant]


def _auth_segment(
    name: str, attribute: str, keys: Callable[[RequestContext, uuid.UUID | None], list[Any]]
) -> None:
    def count(ctx: RequestContext, tenant: uuid.UUID | None) -> int:
        return len(keys(ctx, tenant))

    def drop(ctx: RequestContext, tenant: uuid.UUID | None) -> int:
        store = getattr(process_cache(ctx.sessionmaker), attribute)
        found = keys(ctx, tenant)
        for key in found:
            store.pop(key, None)
        return len(found)

    cache_segment(name, count, drop)


# Tokens first: their tenant is read from the principals before those are purged.
_auth_segment("auth.tokens", "tokens", _token_keys)
_auth_segment("auth.principals", "principals", _principal_keys)
_auth_segment("directory.organization_trees", "trees", _tree_keys)


# --- operations --------------------------------------------------------------------------------


class CacheStats(BaseModel):
    """Cached entries in total and per segment (this process; the caller's tenant unless a
    platform admin)."""

    total: int
    segments: dict[str, int]


class PurgeInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    action: Literal["purgeAll", "purgeSegment"]
    segment: text(200) | None = None


class PurgeResult(BaseModel):
    action: str
    segment: str | None = None
    deleted: int
    stats: CacheStats


class Cleared(BaseModel):
    cleared: bool


@operation(
    "configs_cache",
    "configs",
    kind="query",
    output=CacheStats,
    features=("configs.cache.view",),
    rest=Rest("GET", "/configs/cache"),
)
async def cache_stats(ctx: RequestContext) -> dict[str, Any]:
    """How many entries the caches of this process hold, in total and by segment."""
    return stats(ctx)


@operation(
    "purge_configs_cache",
    "configs",
    input=PurgeInput,
    output=PurgeResult,
    features=("configs.cache.manage",),
    transaction=False,
    rest=Rest("POST", "/configs/cache"),
)
async def purge_cache(ctx: RequestContext, data: PurgeInput) -> dict[str, Any]:
    """``purgeAll`` clears every segment, ``purgeSegment`` the one named by ``segment``; answers
    how many entries went and the statistics after the purge."""
    segment = None
    if data.action == "purgeSegment":
        names = {s.name for s in visible_segments(ctx)}
        if data.segment not in names:
            message = f"segment must be one of {', '.join(sorted(names))}"
            raise ValidationFailed([issue("segment", message, "invalid_enum_value")])
        segment = data.segment
    deleted = purge(ctx, segment)
    return {"action": data.action, "segment": segment, "deleted": deleted, "stats": stats(ctx)}


@operation(
    "purge_tenant_cache",
    "configs",
    output=Cleared,
    features=("configs.manage",),
    transaction=False,
    rest=Rest("POST", "/configs/system-status"),
)
async def purge_tenant_cache(ctx: RequestContext) -> dict[str, Any]:
    """Purge every cached entry of the current tenant, so that its data is loaded fresh."""
    purge(ctx, current_tenant=True)
    return {"cleared": True}
