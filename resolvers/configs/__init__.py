"""The configs module: the process caches (report, purge), the system status and the upgrade actions.

Other modules plug in: a cache they keep registers a segment (``caches.cache_segment``), a one-time
setup step after an upgrade registers an upgrade action (``upgrades.upgrade_action``).

Importing this package registers the operations.
"""

from resolvers.configs import caches, status, upgrades  # noqa: F401 - importing registers them
