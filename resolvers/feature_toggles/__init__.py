"""The feature_toggles module: global toggles (boolean, string, number or json, with a default),
per-tenant overrides, the check endpoints, and the Python API other modules call::

    from resolvers.feature_toggles import is_enabled, resolve

    if await is_enabled(ctx, "customers.timeline.compact"): ...

Importing this package registers the entity and the operations.
"""

from resolvers.feature_toggles import checks, overrides, toggles  # noqa: F401 - importing registers them
from resolvers.feature_toggles.cache import Resolution, invalidate, is_enabled, resolve

__all__ = ["Resolution", "invalidate", "is_enabled", "resolve"]
