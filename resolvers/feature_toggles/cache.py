"""Resolving a toggle for a tenant, cheaply: the Python API other modules call on the request path.

    if await is_enabled(ctx, "customers.timeline.compact"): ...
    limit = (await resolve(ctx, "dashboards.refresh-seconds")).value

Each process keeps the toggle definitions and, per tenant, its overrides. Any write to either table
bumps ``feature_toggle_state.generation`` in the writing transaction (a trigger, migration 0013); a
process compares it at most once per ``REVALIDATE_AFTER`` seconds (one single-row SELECT) and drops
what it cached when it moved, so a change made by another process is seen within that time, and one
made by this process at once (its commands invalidate after commit). Between checks a lookup costs
no query at all.
"""

from __future__ import annotations

import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from sqlalchemy import select, text

from crmgraph.context import RequestContext
from models.feature_toggles import FeatureToggle, FeatureToggleOverride
from resolvers.configs.caches import cache_segment

REVALIDATE_AFTER = 1.0  # seconds a process trusts its cache before comparing the generation
GENERATION_SQL = text("SELECT generation FROM feature_toggle_state WHERE id = 1")


@dataclass(frozen=True)
class ToggleDefinition:
    id: uuid.UUID
    identifier: str
    type: str
    default_value: Any


@dataclass(frozen=True)
class Resolution:
    """A toggle's value for a tenant and where it comes from: ``override`` (the tenant's own),
    ``default`` (the global default) or ``missing`` (no such toggle)."""

    identifier: str
    tenant_id: uuid.UUID | None
    toggle: ToggleDefinition | None
    value: Any
    source: str

    @property
    def enabled(self) -> bool:
        return self.value is True


@dataclass
class ToggleCache:
    generation: int | None = None
    checked_at: float = float("-inf")
    definitions: dict[str, ToggleDefinition] | None = None
    overrides: LRUCache[uuid.UUID, dict[uuid.UUID, Any]] = field(default_factory=lambda: LRUCache(10_000))

    def clear(self) -> None:
        self.definitions = None
        self.overrides.clear()


_caches: weakref.WeakKeyDictionary[Any, ToggleCache] = weakref.WeakKeyDictionary()


def toggle_cache(sessionmaker: Any) -> ToggleCache:
    """This process's cache for one database (keyed by its session factory)."""
    if sessionmaker not in _caches:
        _caches[sessionmaker] = ToggleCache()
    return _caches[sessionmaker]


def invalidate(sessionmaker: Any) -> None:
    """Forget everything now (after this process committed a toggle or override change)."""
    cache = toggle_cache(sessionmaker)
    cache.clear()
    cache.checked_at = float("-inf")


async def _fresh(ctx: RequestContext, system: bool) -> ToggleCache:
    cache = toggle_cache(ctx.sessionmaker)
    now = time.monotonic()
    if now - cache.checked_at >= REVALIDATE_AFTER:
        async with ctx.read_session(system=system) as session:
            generation = await session.scalar(GENERATION_SQL)
        if generation != cache.generation:
            cache.clear()  # whatever is loaded from here on is at least as new as ``generation``
            cache.generation = generation
        cache.checked_at = now
    return cache


async def _definitions(ctx: RequestContext, cache: ToggleCache, system: bool) -> dict[str, ToggleDefinition]:
    if cache.definitions is None:
        async with ctx.read_session(system=system) as session:
            rows = await session.execute(
                select(
                    FeatureToggle.id,
                    FeatureToggle.identifier,
                    FeatureToggle.type,
                    FeatureToggle.default_value,
                ).where(FeatureToggle.deleted_at.is_(None))
            )
            cache.definitions = {row.identifier: ToggleDefinition(*row) for row in rows}
    return cache.definitions


async def _overrides(
    ctx: RequestContext, cache: ToggleCache, tenant_id: uuid.UUID, system: bool
) -> dict[uuid.UUID, Any]:
    found = cache.overrides.get(tenant_id)
    if found is None:
        async with ctx.read_session(system=system) as session:
            rows = await session.execute(
                select(FeatureToggleOverride.toggle_id, FeatureToggleOverride.value).where(
                    FeatureToggleOverride.tenant_id == tenant_id
                )
            )
            found = {row.toggle_id: row.value for row in rows}
        cache.overrides[tenant_id] = found
    return found


def default_of(toggle: ToggleDefinition) -> Any:
    """A boolean toggle without a default is off; other types have no value."""
    if toggle.type == "boolean":
        return toggle.default_value is True
    return toggle.default_value


async def resolve(ctx: RequestContext, identifier: str, tenant_id: uuid.UUID | None = None) -> Resolution:
    """The value of toggle ``identifier`` for ``tenant_id`` (default: the request's tenant).

    Works without a principal too (a worker passing the tenant): then it reads as the system."""
    system = ctx.principal is None
    tenant = tenant_id if tenant_id is not None or system else ctx.tenant_id()
    cache = await _fresh(ctx, system)
    toggle = (await _definitions(ctx, cache, system)).get(identifier)
    if toggle is None:
        return Resolution(identifier, tenant, None, None, "missing")
    if tenant is not None:
        overrides = await _overrides(ctx, cache, tenant, system)
        if toggle.id in overrides:
            return Resolution(identifier, tenant, toggle, overrides[toggle.id], "override")
    return Resolution(identifier, tenant, toggle, default_of(toggle), "default")


async def is_enabled(ctx: RequestContext, identifier: str, tenant_id: uuid.UUID | None = None) -> bool:
    """Whether the boolean toggle ``identifier`` is on for the tenant (unknown toggles are off)."""
    return (await resolve(ctx, identifier, tenant_id)).enabled


# --- the configs module's view of this cache ---------------------------------------------------


def _count_overrides(ctx: RequestContext, tenant: uuid.UUID | None) -> int:
    overrides = toggle_cache(ctx.sessionmaker).overrides
    return len(overrides) if tenant is None else int(tenant in overrides)


def _purge_overrides(ctx: RequestContext, tenant: uuid.UUID | None) -> int:
    overrides = toggle_cache(ctx.sessionmaker).overrides
    if tenant is None:
        count = len(overrides)
        overrides.clear()
        return count
    return int(overrides.pop(tenant, None) is not None)


def _count_definitions(ctx: RequestContext, _tenant: uuid.UUID | None) -> int:
    return len(toggle_cache(ctx.sessionmaker).definitions or {})


def _purge_definitions(ctx: RequestContext, _tenant: uuid.UUID | None) -> int:
    cache = toggle_cache(ctx.sessionmaker)
    count = len(cache.definitions or {})
    cache.definitions = None
    return count


cache_segment("feature_toggles.overrides", _count_overrides, _purge_overrides)
cache_segment("feature_toggles.definitions", _count_definitions, _purge_definitions, platform_only=True)
